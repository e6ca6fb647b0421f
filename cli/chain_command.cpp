// Options of `observatory chain`; the work is in honeypot/app/node_app.
#include "cli/chain_command.h"

#include "common/telemetry/log.h"
#include "honeypot/app/node_app.h"

#include <memory>

namespace eo::cli {

void add_node_rpc_auth_options(CLI::App* cmd, honeypot::node::RpcServiceOptions& options) {
  auto* user = cmd->add_option("--rpc-user", options.user, "RPC user (with --rpc-password)");
  auto* password = cmd->add_option("--rpc-password", options.password, "RPC password");
  user->needs(password);
  password->needs(user);
  cmd->add_option("--rpc-cookie", options.cookie_file,
                  "Write Bitcoin Core's cookie (__cookie__:<random>) to this file instead of a "
                  "fixed user; removed at exit")
      ->excludes(user);
  cmd->add_option("--core-version", options.identity.version,
                  "Bitcoin Core version getnetworkinfo claims (e.g. 310000 for 31.0.0; "
                  "ElectrumX 2.0 requires at least 31.0)")
      ->capture_default_str();
}

void add_chain_command(CLI::App& app) {
  auto o = std::make_shared<honeypot::app::ChainNodeOptions>();
  o->rpc.listen = "127.0.0.1:18443";  // Bitcoin Core's regtest RPC port
  auto* cmd = app.add_subcommand(
      "chain",
      "Serve the built-in regtest chain over Bitcoin Core's JSON-RPC, so real Electrum servers "
      "can run against it");
  cmd->footer(
      "Example: observatory chain --rpc-listen 127.0.0.1:18443 --rpc-cookie /tmp/node/.cookie\n"
      "         ElectrumX: DAEMON_URL=http://__cookie__:<cookie>@127.0.0.1:18443/ COIN=Bitcoin "
      "NET=regtest\n"
      "Methods, result shapes and what differs from Bitcoin Core: honeypot/node/README.md.\n"
      "Move the chain with Core's own calls: generatetoaddress, sendtoaddress (pays from the "
      "chain's mined coins), invalidateblock (a reorg when blocks are mined after it).");
  cmd->add_option("--rpc-listen", o->rpc.listen, "RPC listener HOST:PORT (port 0 picks one)")
      ->capture_default_str();
  add_node_rpc_auth_options(cmd, o->rpc);
  cmd->add_option("--blocks", o->initial_blocks,
                  "Blocks to mine at start to the chain's funding key (101: one mature coin)")
      ->capture_default_str();
  cmd->add_option("--ready-file", o->ready_file,
                  "Write {rpc_port, height, cookie_file} here once listening");
  auto log_format = std::make_shared<std::string>("text");
  cmd->add_option("--log-format", *log_format, "json or text")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  cmd->callback([o, log_format] {
    telemetry::LogOptions log;
    telemetry::parse_log_format(*log_format, log.format);
    log.component = "chain";
    telemetry::init_logging(log);
    throw CLI::RuntimeError(honeypot::app::run_chain_node(*o));
  });
}

}  // namespace eo::cli
