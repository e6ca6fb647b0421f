// run_chain_node: chain, RPC, ready file and signals on one io_context thread.
#include "honeypot/app/node_app.h"

#include "common/telemetry/log.h"
#include "honeypot/chain/regtest_chain.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace eo::honeypot::app {

int run_chain_node(const ChainNodeOptions& options) {
  chain::RegtestChain chain;
  if (options.initial_blocks > chain.config().max_blocks_per_call) {
    throw std::invalid_argument("--blocks must be at most " +
                                std::to_string(chain.config().max_blocks_per_call));
  }
  chain.mine_blocks(options.initial_blocks, chain.funding_script());

  node::RpcServiceOptions rpc_options = options.rpc;
  rpc_options.identity.start_time = std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count();
  boost::asio::io_context io;
  node::RpcService rpc(io.get_executor(), chain, rpc_options);
  rpc.start();
  telemetry::log(telemetry::LogLevel::info, "chain node listening",
                 {{"rpc", rpc_options.listen},
                  {"port", rpc.port()},
                  {"height", chain.tip_height()},
                  {"cookie", rpc_options.cookie_file}});
  if (!options.ready_file.empty()) {
    const nlohmann::json ready = {{"rpc_port", rpc.port()},
                                  {"height", chain.tip_height()},
                                  {"cookie_file", rpc_options.cookie_file}};
    {
      std::ofstream out(options.ready_file + ".tmp");
      if (!out) throw std::runtime_error("cannot write --ready-file " + options.ready_file);
      out << ready.dump() << "\n";
    }
    std::rename((options.ready_file + ".tmp").c_str(), options.ready_file.c_str());
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    rpc.stop();
    io.stop();
  });
  io.run();
  telemetry::log(telemetry::LogLevel::info, "chain node stopped", {{"height", chain.tip_height()}});
  return 0;
}

}  // namespace eo::honeypot::app
