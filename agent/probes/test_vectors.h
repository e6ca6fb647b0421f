// The public keys our address probes query: published BIP test vectors only, never a real user's
// (DESIGN.md §6). Each is an account-level extended public key; wallets derive m/0/i and m/1/i.
#pragma once

#include "common/bitcoin/script.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eo::agent::probes {

struct TestAccount {
  bitcoin::OutputType type;
  std::string_view source;  // which published vector
  std::string_view xpub;
};

const std::vector<TestAccount>& test_accounts();
const TestAccount* test_account(bitcoin::OutputType type);
std::optional<bitcoin::OutputType> parse_output_type(std::string_view name);

struct DerivedScript {
  std::string path;  // "0/5"
  std::string scripthash;
};

// Electrum script hashes of `count` children on `chain` (0 receiving, 1 change) of an extended
// public key, as `type` scripts; throws std::invalid_argument naming a bad key.
std::vector<DerivedScript> derive_scripthashes(std::string_view xpub, bitcoin::OutputType type,
                                               std::uint32_t chain, std::uint32_t count);

}  // namespace eo::agent::probes
