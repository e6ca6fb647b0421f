// `observatory chain`: the regtest chain alone, served over Bitcoin Core's JSON-RPC so that real
// Electrum servers (ElectrumX and others that follow bitcoind) can index it, until SIGINT or
// SIGTERM.
#pragma once

#include "honeypot/node/rpc_service.h"

#include <cstddef>
#include <string>

namespace eo::honeypot::app {

struct ChainNodeOptions {
  node::RpcServiceOptions rpc;
  std::size_t initial_blocks = 101;  // mined to the chain's funding key: its first coin matures
  std::string ready_file;            // written with the bound port, height and cookie path
};

// Runs until a signal; returns the exit status. Throws std::invalid_argument or
// std::runtime_error naming a bad setting at start-up.
int run_chain_node(const ChainNodeOptions& options);

}  // namespace eo::honeypot::app
