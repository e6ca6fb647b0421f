// The Bitcoin networks we probe and their address parameters (hrp, Base58 version bytes).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace eo::bitcoin {

enum class Network : std::uint8_t { mainnet, testnet, regtest };

struct NetworkParams {
  std::string_view name;        // "mainnet", "testnet", "regtest"
  std::string_view bech32_hrp;  // "bc", "tb", "bcrt"
  std::uint8_t p2pkh_version;   // Base58Check version byte of P2PKH addresses
  std::uint8_t p2sh_version;    // Base58Check version byte of P2SH addresses
};

const NetworkParams& network_params(Network network);

std::string_view to_string(Network network);

// Accepts the names above (and "main"/"test"/"testnet3" as Bitcoin Core spells them).
std::optional<Network> network_from_string(std::string_view name);

}  // namespace eo::bitcoin
