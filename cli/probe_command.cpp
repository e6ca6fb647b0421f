// `observatory probe`: bounded-concurrency sessions, one JSON line per server on stdout, progress
// and a summary on stderr.
#include "cli/probe_command.h"

#include "cli/server_list.h"
#include "common/electrum/client.h"
#include "common/async/supervise.h"
#include "common/telemetry/log.h"
#include "common/telemetry/metrics.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <prometheus/counter.h>
#include <prometheus/family.h>

#include <iostream>
#include <map>

namespace eo::cli {

namespace asio = boost::asio;
using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

namespace {

struct ProbeOptions {
  std::vector<std::string> servers;
  std::string servers_json;
  std::vector<std::string> methods = {"server.features", "server.banner", "server.donation_address",
                                      "server.peers.subscribe"};
  std::string client_name = "electrum-observatory/0.1";
  std::string protocol_min = "1.4";
  std::string protocol_max = "1.6";
  std::string proxy;
  bool isolate = false;
  std::string bind;
  double timeout_s = 10;
  double deadline_s = 30;
  unsigned concurrency = 16;
  std::string metrics_listen;
  std::string log_format = "text";
};

json tls_json(const net::TlsReport& tls) {
  json chain = json::array();
  for (const auto& cert : tls.chain) {
    chain.push_back({{"subject", cert.subject},
                     {"issuer", cert.issuer},
                     {"sha256", cert.sha256_fingerprint},
                     {"spki_sha256", cert.spki_sha256},
                     {"not_before", cert.not_before_unix},
                     {"not_after", cert.not_after_unix},
                     {"san_dns", cert.san_dns},
                     {"san_ip", cert.san_ip},
                     {"key_type", cert.key_type},
                     {"key_bits", cert.key_bits}});
  }
  return {{"version", tls.version},
          {"cipher", tls.cipher},
          {"verified", tls.verified},
          {"verify_error", tls.verify_error},
          {"self_signed", tls.self_signed},
          {"expired", tls.expired},
          {"hostname_mismatch", tls.hostname_mismatch},
          {"chain", chain}};
}

json reply_json(std::string_view method, const electrum::Reply& reply) {
  json out = {{"method", method},
              {"outcome", net::to_string(reply.outcome())},
              {"rtt_us", reply.rtt.count()}};
  if (!reply.failure.ok()) out["failure"] = reply.failure.detail;
  if (reply.error) out["error"] = {{"code", reply.error->code}, {"message", reply.error->message}};
  if (!reply.result.is_null()) out["result"] = reply.result;
  if (!reply.line.empty()) {
    out["key_order"] = reply.shape.key_order;
    out["crlf"] = reply.crlf;
  }
  return out;
}

// Built outside the coroutine: GCC 12 cannot put an initializer_list into a coroutine frame.
json session_json(const ServerAddress& server, const electrum::Client& client,
                  const net::Failure& failure, json replies, net::Clock::time_point start) {
  const auto& conn = client.connection();
  json out = {{"target", server.id()},
              {"outcome", net::to_string(failure.outcome)},
              {"resolved", conn.resolved_addresses()},
              {"peer_address", conn.peer_address()},
              {"local_address", conn.local_address()},
              {"timings_us",
               {{"dns", conn.timings().dns.count()},
                {"connect", conn.timings().connect.count()},
                {"proxy", conn.timings().proxy.count()},
                {"tls", conn.timings().tls.count()},
                {"first_byte", client.first_byte() ? client.first_byte()->count() : 0},
                {"total", duration_cast<microseconds>(net::Clock::now() - start).count()}}},
              {"replies", std::move(replies)}};
  if (!failure.ok()) out["failure"] = failure.detail;
  if (conn.tls()) out["tls"] = tls_json(*conn.tls());
  return out;
}

net::ConnectOptions connect_options(const ServerAddress& server, const ProbeOptions& options,
                                    net::Clock::time_point start) {
  net::ConnectOptions connect;
  connect.host = server.host;
  connect.port = server.port;
  connect.tls.enabled = server.tls;
  connect.bind_address = options.bind;
  auto timeout = milliseconds(static_cast<long>(options.timeout_s * 1000));
  connect.connect_timeout = connect.tls_timeout = connect.io_timeout = timeout;
  connect.deadline = start + milliseconds(static_cast<long>(options.deadline_s * 1000));
  if (!options.proxy.empty()) {
    auto colon = options.proxy.rfind(':');
    net::ProxyOptions proxy{options.proxy.substr(0, colon),
                            static_cast<std::uint16_t>(std::stoi(options.proxy.substr(colon + 1))),
                            {}};
    if (options.isolate) proxy.credentials = net::socks5::Credentials{server.id(), "eo"};
    connect.proxy = proxy;
  }
  return connect;
}

json version_params(const ProbeOptions& options) {
  json range = options.protocol_max.empty()
                   ? json(options.protocol_min)
                   : json::array({options.protocol_min, options.protocol_max});
  return json::array({options.client_name, range});
}

asio::awaitable<json> probe_one(ServerAddress server, const ProbeOptions& options) {
  auto start = net::Clock::now();
  net::ConnectOptions connect = connect_options(server, options, start);
  electrum::Client client(co_await asio::this_coro::executor);
  net::Failure failure = co_await client.connect(connect);
  json replies = json::array();
  if (failure.ok()) {
    auto version = co_await client.call("server.version", version_params(options));
    replies.push_back(reply_json("server.version", version));
    failure = version.failure;
    for (const auto& method : options.methods) {
      if (!failure.ok()) break;
      auto reply = co_await client.call(method);
      replies.push_back(reply_json(method, reply));
      failure = reply.failure;
    }
    client.close();
  }
  co_return session_json(server, client, failure, std::move(replies), start);
}

// The shared work queue of one `probe` run; workers are coroutines on one thread.
struct ProbeRun {
  const ProbeOptions& options;
  const std::vector<ServerAddress>& servers;
  prometheus::Family<prometheus::Counter>& results;
  std::size_t next = 0;
  std::size_t done = 0;
  std::map<std::string, std::size_t> by_outcome;

  void record(const ServerAddress& server, const json& result) {
    std::string outcome = result["outcome"];
    ++by_outcome[outcome];
    results.Add({{"outcome", outcome}}).Increment();
    std::cout << result.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    std::cout.flush();
    ++done;
    std::cerr << "[" << done << "/" << servers.size() << "] " << server.id() << " " << outcome;
    if (result.contains("failure"))
      std::cerr << " (" << result["failure"].get<std::string>() << ")";
    std::cerr << "\n";
  }

  asio::awaitable<void> worker() {
    while (next < servers.size()) {
      const ServerAddress server = servers[next++];
      record(server, co_await probe_one(server, options));
    }
  }
};

int run_probe(const ProbeOptions& options) {
  telemetry::LogOptions log_options;
  telemetry::parse_log_format(options.log_format, log_options.format);
  log_options.component = "probe";
  telemetry::init_logging(log_options);

  std::vector<ServerAddress> servers;
  for (const auto& text : options.servers) servers.push_back(parse_server_address(text));
  if (!options.servers_json.empty()) {
    auto listed = read_servers_json(options.servers_json);
    servers.insert(servers.end(), listed.begin(), listed.end());
  }
  if (servers.empty()) {
    std::cerr << "observatory probe: no servers given (name some as host:port:t|s, or use "
                 "--servers-json FILE)\n";
    return 2;
  }
  if (options.proxy.empty()) {
    std::size_t onions = std::erase_if(servers, [](const auto& s) { return s.onion(); });
    if (onions > 0) {
      telemetry::log(telemetry::LogLevel::warn, "skipping .onion servers: no --proxy given",
                     {{"skipped", onions}});
    }
  }

  telemetry::MetricsServer metrics("probe");
  auto& results = prometheus::BuildCounter()
                      .Name("eo_probe_results_total")
                      .Help("Servers probed, by final outcome")
                      .Register(metrics.registry());
  if (!options.metrics_listen.empty()) metrics.listen(options.metrics_listen);

  telemetry::log(telemetry::LogLevel::info, "probing",
                 {{"servers", servers.size()},
                  {"concurrency", options.concurrency},
                  {"timeout_s", options.timeout_s},
                  {"deadline_s", options.deadline_s},
                  {"politeness", "one connection per server, requests sent one at a time"}});

  ProbeRun run{options, servers, results, 0, 0, {}};
  asio::io_context io;
  for (unsigned i = 0; i < std::max(1u, options.concurrency); ++i) {
    asio::co_spawn(io, run.worker(), async::log_exit("probe worker"));
  }
  io.run();

  auto& by_outcome = run.by_outcome;
  json summary = by_outcome;
  std::cerr << "summary: " << summary.dump() << "\n";
  if (by_outcome["ok"] + by_outcome["rpc_error"] == 0) {
    std::cerr << "nothing reachable: none of the " << servers.size()
              << " servers answered. Is this machine offline, or is --proxy/--bind wrong?\n";
    return 3;
  }
  return 0;
}

}  // namespace

void add_probe_command(CLI::App& app) {
  auto options = std::make_shared<ProbeOptions>();
  auto* cmd = app.add_subcommand(
      "probe",
      "Connect to Electrum servers and print what each one answers and exposes (JSON lines)");
  cmd->footer(
      "Servers use Electrum's notation: host:port:t (TCP) or host:port:s (TLS).\n"
      "Example: observatory probe electrum.blockstream.info:50002:s --methods server.features\n"
      "Exit status: 0 when at least one server answered, 3 when none did, 2 on bad input.");
  cmd->add_option("servers", options->servers, "Servers as host:port:t|s");
  cmd->add_option("--servers-json", options->servers_json,
                  "Electrum servers.json file (e.g. from the Electrum client) to probe")
      ->check(CLI::ExistingFile);
  cmd->add_option("--methods", options->methods, "Methods to call after server.version (no params)")
      ->capture_default_str();
  cmd->add_option("--client-name", options->client_name, "First argument of server.version")
      ->capture_default_str();
  cmd->add_option("--protocol-min", options->protocol_min)->capture_default_str();
  cmd->add_option("--protocol-max", options->protocol_max,
                  "Protocol range sent in server.version (empty max sends one version)")
      ->capture_default_str();
  cmd->add_option("--proxy", options->proxy, "SOCKS5 proxy HOST:PORT (e.g. tor's 127.0.0.1:9050)");
  cmd->add_flag("--isolate", options->isolate,
                "Send per-server SOCKS credentials so Tor uses a separate circuit per server");
  cmd->add_option("--bind", options->bind, "Local source address (the vantage's egress)");
  cmd->add_option("--timeout", options->timeout_s, "Seconds for any single wait")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--deadline", options->deadline_s, "Seconds for everything with one server")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--concurrency", options->concurrency, "Servers probed at once")
      ->check(CLI::Range(1u, 4096u))
      ->capture_default_str();
  cmd->add_option("--metrics-listen", options->metrics_listen,
                  "Serve Prometheus metrics on ADDR:PORT while probing");
  cmd->add_option("--log-format", options->log_format, "json or text")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  cmd->callback([options] { throw CLI::RuntimeError(run_probe(*options)); });
}

}  // namespace eo::cli
