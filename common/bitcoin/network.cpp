// Per-network constants from Bitcoin Core's chain parameters (regtest shares testnet's Base58).
#include "common/bitcoin/network.h"

namespace eo::bitcoin {

const NetworkParams& network_params(Network network) {
  static constexpr NetworkParams mainnet{"mainnet", "bc", 0x00, 0x05};
  static constexpr NetworkParams testnet{"testnet", "tb", 0x6f, 0xc4};
  static constexpr NetworkParams regtest{"regtest", "bcrt", 0x6f, 0xc4};
  switch (network) {
    case Network::mainnet:
      return mainnet;
    case Network::testnet:
      return testnet;
    case Network::regtest:
      return regtest;
  }
  return mainnet;  // unreachable: the switch covers the enum
}

std::string_view to_string(Network network) { return network_params(network).name; }

std::optional<Network> network_from_string(std::string_view name) {
  if (name == "mainnet" || name == "main") return Network::mainnet;
  if (name == "testnet" || name == "test" || name == "testnet3") return Network::testnet;
  if (name == "regtest") return Network::regtest;
  return std::nullopt;
}

}  // namespace eo::bitcoin
