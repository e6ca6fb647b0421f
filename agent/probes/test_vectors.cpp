// Published test vectors for the address probes.
#include "agent/probes/test_vectors.h"

#include "common/bitcoin/bip32.h"
#include "common/bitcoin/wallet_script.h"

#include <stdexcept>

namespace eo::agent::probes {

using bitcoin::OutputType;

const std::vector<TestAccount>& test_accounts() {
  static const std::vector<TestAccount> accounts = {
      {OutputType::p2pkh, "BIP32 test vector 1, master",
       "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265T"
       "Mg7usUDFdp6W1EGMcet8"},
      {OutputType::p2sh_p2wpkh, "BIP49 test vector, account m/49'/1'/0'",
       "upub5EFU65HtV5TeiSHmZZm7FUffBGy8UKeqp7vw43jYbvZPpoVsgU93oac7Wk3u6moKegAEWtGNF8DehrnHtv21XX"
       "EMYRUocHqguyjknFHYfgY"},
      {OutputType::p2wpkh, "BIP84 test vector, account m/84'/0'/0'",
       "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf3"
       "1mGDtKsAYz2oz2AGutZYs"},
      {OutputType::p2tr, "BIP86 test vector, account m/86'/0'/0'",
       "xpub6BgBgsespWvERF3LHQu6CnqdvfEvtMcQjYrcRzx53QJjSxarj2afYWcLteoGVky7D3UKDP9QyrLprQ3VCECoY4"
       "9yfdDEHGCtMMj92pReUsQ"},
  };
  return accounts;
}

const TestAccount* test_account(OutputType type) {
  for (const auto& account : test_accounts()) {
    if (account.type == type) return &account;
  }
  return nullptr;
}

std::optional<OutputType> parse_output_type(std::string_view name) {
  for (OutputType type :
       {OutputType::p2pkh, OutputType::p2sh_p2wpkh, OutputType::p2wpkh, OutputType::p2tr}) {
    if (bitcoin::to_string(type) == name) return type;
  }
  return std::nullopt;
}

std::vector<DerivedScript> derive_scripthashes(std::string_view xpub, OutputType type,
                                               std::uint32_t chain, std::uint32_t count) {
  auto account = bitcoin::ExtendedPubKey::parse(xpub);
  if (!account) throw std::invalid_argument("not an extended public key: " + std::string(xpub));
  auto branch = account->derive_child(chain);
  if (!branch) throw std::invalid_argument("cannot derive chain " + std::to_string(chain));
  std::vector<DerivedScript> out;
  out.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    auto script = bitcoin::output_script_for_child(type, *branch, i);
    if (!script) continue;  // an invalid child (probability ~2^-127) is skipped, as BIP32 says
    out.push_back(
        {std::to_string(chain) + "/" + std::to_string(i), bitcoin::electrum_scripthash(*script)});
  }
  return out;
}

}  // namespace eo::agent::probes
