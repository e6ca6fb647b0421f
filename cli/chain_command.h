// `observatory chain`: the regtest chain as a bitcoind-compatible JSON-RPC node; also the RPC
// options the honeypot shares with it.
#pragma once

#include "honeypot/node/rpc_service.h"

#include <CLI/CLI.hpp>

namespace eo::cli {

void add_chain_command(CLI::App& app);

// --rpc-user, --rpc-password, --rpc-cookie and --core-version into `options`.
void add_node_rpc_auth_options(CLI::App* cmd, honeypot::node::RpcServiceOptions& options);

}  // namespace eo::cli
