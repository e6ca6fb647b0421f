// run_honeypot: wiring of chain, funding, server, sink, metrics and signals.
#include "honeypot/app/honeypot_app.h"

#include "common/bitcoin/bip32.h"
#include "common/bus/factory.h"
#include "common/bus/topics.h"
#include "common/telemetry/log.h"
#include "common/telemetry/metrics.h"
#include "honeypot/app/auto_miner.h"
#include "honeypot/app/bus_event_sink.h"
#include "honeypot/app/event_retention.h"
#include "common/canary/registry.h"
#include "honeypot/chain/regtest_chain.h"
#include "honeypot/server/canary_sink.h"
#include "honeypot/server/server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace eo::honeypot::app {

namespace {

using telemetry::LogLevel;

server::ListenerConfig listener(const std::string& text, server::Transport transport,
                                const HoneypotOptions& options) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    throw std::invalid_argument("listener '" + text + "' is not HOST:PORT");
  server::ListenerConfig config;
  config.host = text.substr(0, colon);
  int port = std::atoi(text.c_str() + colon + 1);
  if (port < 0 || port > 65535) throw std::invalid_argument("listener '" + text + "': bad port");
  config.port = static_cast<std::uint16_t>(port);
  config.transport = transport;
  if (transport == server::Transport::tls) {
    if (options.cert_file.empty() || options.key_file.empty()) {
      throw std::invalid_argument("--tls " + text + " needs --cert and --key");
    }
    config.cert_file = options.cert_file;
    config.key_file = options.key_file;
  }
  return config;
}

server::HoneypotConfig build_config(const HoneypotOptions& options) {
  server::HoneypotConfig config;
  if (!options.config_file.empty()) {
    std::ifstream in(options.config_file);
    if (!in) throw std::invalid_argument("cannot read --config " + options.config_file);
    std::stringstream text;
    text << in.rdbuf();
    config = server::load_honeypot_config(text.str());
  } else {
    config.profile = server::default_profile(server::Base::electrumx);
  }
  if (!options.profile.empty()) {
    auto base = server::parse_base(options.profile);
    config.profile =
        base ? server::default_profile(*base) : server::load_profile_file(options.profile);
  }
  for (const auto& t : options.tcp) {
    config.server.listeners.push_back(listener(t, server::Transport::tcp, options));
  }
  for (const auto& t : options.tls) {
    config.server.listeners.push_back(listener(t, server::Transport::tls, options));
  }
  if (config.server.listeners.empty()) {
    throw std::invalid_argument("no listener: give --tcp HOST:PORT and/or --tls HOST:PORT");
  }
  if (options.honeypot_id != "honeypot" || config.server.honeypot_id.empty()) {
    config.server.honeypot_id = options.honeypot_id;
  }
  if (options.pseudonymize) {
    config.server.pseudonymize = true;
    config.server.pseudonym_salt = options.pseudonym_salt;
  }
  if (!options.upstream.empty()) {
    if (!options.funding.empty()) {
      throw std::invalid_argument("--upstream and --fund-xpub exclude each other (no chain)");
    }
    config.server.upstream = server::parse_upstream(options.upstream);
    if (options.upstream_max_outstanding == 0) {
      throw std::invalid_argument("--upstream-max-outstanding must be > 0");
    }
    config.server.upstream->max_outstanding = options.upstream_max_outstanding;
  }
  return config;
}

void fund(chain::RegtestChain& chain, const FundingSpec& spec) {
  auto account = bitcoin::ExtendedPubKey::parse(spec.xpub);
  if (!account) throw std::invalid_argument("--fund-xpub: not an extended public key");
  auto type = bitcoin::implied_output_type(account->kind);
  if (!spec.type.empty()) {
    bool found = false;
    for (auto t : {bitcoin::OutputType::p2pkh, bitcoin::OutputType::p2sh_p2wpkh,
                   bitcoin::OutputType::p2wpkh, bitcoin::OutputType::p2tr}) {
      if (bitcoin::to_string(t) == spec.type) {
        type = t;
        found = true;
      }
    }
    if (!found) throw std::invalid_argument("--fund-type '" + spec.type + "' is not known");
  }
  std::vector<std::int64_t> sats;
  for (double btc : spec.amounts_btc) sats.push_back(std::llround(btc * 1e8));
  auto result = chain.pay_to_xpub(*account, type, spec.count, sats);
  if (!result.ok) throw std::runtime_error("funding " + spec.xpub + " failed: " + result.error);
  telemetry::log(LogLevel::info, "funded test wallet",
                 {{"txid", result.txid}, {"height", result.height}, {"addresses", spec.count}});
}

// `height` is the regtest chain's; -1 when relaying (no chain).
// `node_rpc_port` is 0 without --node-rpc.
void write_ready_file(const std::string& path, const server::Server& server, std::int64_t height,
                      std::uint16_t node_rpc_port) {
  nlohmann::json ready = {
      {"ports", server.ports()}, {"height", height}, {"node_rpc_port", node_rpc_port}};
  std::ofstream tmp(path + ".tmp");
  tmp << ready.dump() << "\n";
  tmp.close();
  std::rename((path + ".tmp").c_str(), path.c_str());
}

}  // namespace

int run_honeypot(const HoneypotOptions& options) {
  server::HoneypotConfig config = build_config(options);
  const bool relay = config.server.upstream.has_value();
  std::unique_ptr<chain::RegtestChain> chain;
  if (!relay) {
    chain = std::make_unique<chain::RegtestChain>();
    for (const auto& spec : options.funding) fund(*chain, spec);
  }

  bus::BusConfig bus_config;
  bus_config.kafka_brokers = options.kafka;
  bus_config.kafka_overrides = options.kafka_properties;
  bus_config.log_dir = options.data_dir + "/bus";
  bus_config.client_id = "honeypot-" + config.server.honeypot_id;
  auto producer = bus::make_producer(bus_config);
  boost::asio::io_context io;
  // Events of one event-loop pass go to the bus with one write; flushed below before exiting.
  BusEventSink sink(*producer, io.get_executor());
  std::unique_ptr<EventRetention> retention;
  if (options.retention_days > 0) {
    if (options.kafka.empty()) {
      retention = std::make_unique<EventRetention>(
          bus_config.log_dir + "/" + std::string(bus::topics::kHoneypotEvents),
          std::chrono::hours(24) * options.retention_days);
    } else {
      telemetry::log(LogLevel::warn,
                     "--retention-days ignored with Kafka: set the topic's "
                     "retention.ms instead");
    }
  }

  telemetry::MetricsServer metrics("honeypot");
  if (!options.metrics_listen.empty()) metrics.listen(options.metrics_listen);

  canary::Registry canaries;
  std::unique_ptr<server::CanarySightingSink> sighting_sink;
  server::EventSink* recording = &sink;
  if (!options.canary_registry_file.empty()) {
    std::ifstream in(options.canary_registry_file);
    if (!in)
      throw std::invalid_argument("cannot read --canary-registry " + options.canary_registry_file);
    canaries = canary::Registry::read(in);
    sighting_sink = std::make_unique<server::CanarySightingSink>(sink, canaries);
    recording = sighting_sink.get();
    telemetry::log(LogLevel::info, "canary registry loaded",
                   {{"file", options.canary_registry_file}, {"canaries", canaries.size()}});
  }

  std::unique_ptr<AutoMiningBackend> backend;
  std::unique_ptr<server::Server> server_ptr;
  if (relay) {
    server_ptr = std::make_unique<server::Server>(io.get_executor(), config.server, config.profile,
                                                  *recording, &metrics.registry());
  } else {
    backend = std::make_unique<AutoMiningBackend>(
        io.get_executor(), *chain, std::chrono::milliseconds(options.mine_after_broadcast_ms),
        std::chrono::seconds(options.block_interval_s));
    server_ptr = std::make_unique<server::Server>(io.get_executor(), config.server, config.profile,
                                                  *backend, *recording, &metrics.registry());
  }
  server::Server& server = *server_ptr;
  server.start();
  if (backend) backend->start();
  std::unique_ptr<node::RpcService> node_rpc;
  if (!options.node_rpc.listen.empty()) {
    if (!chain) throw std::invalid_argument("--node-rpc needs the regtest chain, not --upstream");
    node_rpc = std::make_unique<node::RpcService>(io.get_executor(), *chain, options.node_rpc);
    node_rpc->start();
  }

  nlohmann::json listening = nlohmann::json::array();
  for (std::size_t i = 0; i < config.server.listeners.size(); ++i) {
    const auto& l = config.server.listeners[i];
    listening.push_back(std::string(l.transport == server::Transport::tls ? "tls://" : "tcp://") +
                        l.host + ":" + std::to_string(server.ports()[i]));
  }
  const std::int64_t height = chain ? chain->tip_height() : -1;
  telemetry::log(LogLevel::info, "honeypot listening",
                 {{"listeners", listening},
                  {"profile", std::string(server::to_string(config.profile.base))},
                  {"upstream", relay ? options.upstream : std::string()},
                  {"chain_height", height},
                  {"node_rpc_port", node_rpc ? node_rpc->port() : 0},
                  {"pseudonymize", config.server.pseudonymize},
                  {"retention_days", options.retention_days},
                  {"events", options.kafka.empty() ? bus_config.log_dir : options.kafka}});
  if (!options.ready_file.empty()) {
    write_ready_file(options.ready_file, server, height, node_rpc ? node_rpc->port() : 0);
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    server.stop();
    if (node_rpc) node_rpc->stop();
    io.stop();
  });
  io.run();
  sink.flush();  // what the last pass recorded, if io.stop() came before its posted flush
  auto flushed = producer->flush(std::chrono::seconds(10));
  telemetry::log(LogLevel::info, "honeypot stopped",
                 {{"events_recorded", sink.recorded()},
                  {"events_refused", sink.refused()},
                  {"flushed", flushed.ok()}});
  return sink.refused() == 0 ? 0 : 1;
}

}  // namespace eo::honeypot::app
