// Honeypot benchmark: the real server (electrs-like profile, so no emulated throttling) on the
// built-in regtest chain, every event recorded to the embedded bus log, under N concurrent
// wallet-like sessions. Prints requests/s, sessions held, and the server thread's CPU per 1000
// requests (target 0.017 CPU-s; ElectrumX spends ~0.17 without recording).
#include "common/bitcoin/bip32.h"
#include "common/bus/factory.h"
#include "common/electrum/client.h"
#include "honeypot/app/bus_event_sink.h"
#include "honeypot/chain/regtest_chain.h"
#include "honeypot/server/server.h"
#include "tests/bench/bench_metrics.h"
#include "tests/support/process.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <pthread.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <thread>

namespace {

namespace asio = boost::asio;
using namespace eo;
using Clock = std::chrono::steady_clock;

constexpr double kTargetCpuPer1000 = 0.017;
constexpr const char* kZpub =
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf3"
    "1mGDtKsAYz2oz2AGutZYs";

struct Options {
  int sessions = 2000;
  double seconds = 5;
  bool strict = false;
  bool direct = false;  // one Producer::publish per event instead of a batch per loop pass
};

double thread_cpu_seconds(pthread_t thread) {
  clockid_t clock;
  timespec ts{};
  if (pthread_getcpuclockid(thread, &clock) != 0 || clock_gettime(clock, &ts) != 0) return 0;
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

std::vector<std::string> wallet_scripthashes() {
  auto account = bitcoin::ExtendedPubKey::parse(kZpub);
  auto receive = account->derive_child(0);
  std::vector<std::string> out;
  for (std::uint32_t i = 0; i < 20; ++i) {
    auto child = receive->derive_child(i);
    out.push_back(bitcoin::electrum_scripthash(
        bitcoin::p2wpkh_script_for_pubkey(child->pubkey)));
  }
  return out;
}

nlohmann::json one(const std::string& s) { return nlohmann::json::array({s}); }
nlohmann::json version_params() { return nlohmann::json::array({"bench/1", "1.4"}); }

// Drives one wallet-like session: version, then a mix of subscribe/history/balance/headers/ping.
struct Load {
  std::uint16_t port;
  const std::vector<std::string>& scripthashes;
  Clock::time_point measure_from;
  Clock::time_point until;
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> failures{0};
  std::atomic<int> connected{0};

  asio::awaitable<void> session(int index) {
    electrum::Client client(co_await asio::this_coro::executor);
    net::ConnectOptions options;
    options.host = "127.0.0.1";
    options.port = port;
    options.connect_timeout = options.io_timeout = std::chrono::seconds(30);
    if (!(co_await client.connect(options)).ok()) {
      ++failures;
      co_return;
    }
    if (!(co_await client.call("server.version", version_params())).failure.ok()) {
      ++failures;
      co_return;
    }
    ++connected;
    // Wait for every session to be open before load starts.
    asio::steady_timer timer(co_await asio::this_coro::executor, measure_from);
    co_await timer.async_wait(asio::use_awaitable);
    for (std::uint64_t i = index; Clock::now() < until; ++i) {
      const std::string& sh = scripthashes[i % scripthashes.size()];
      electrum::Reply reply;
      switch (i % 5) {
        case 0: reply = co_await client.call("blockchain.scripthash.subscribe", one(sh)); break;
        case 1: reply = co_await client.call("blockchain.scripthash.get_history", one(sh)); break;
        case 2: reply = co_await client.call("blockchain.scripthash.get_balance", one(sh)); break;
        case 3: reply = co_await client.call("blockchain.headers.subscribe"); break;
        default: reply = co_await client.call("server.ping"); break;
      }
      if (!reply.failure.ok()) {
        ++failures;
        co_return;
      }
      ++requests;
    }
  }
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
      return std::string(argv[++i]);
    };
    if (flag == "--sessions") o.sessions = std::stoi(value());
    else if (flag == "--seconds") o.seconds = std::stod(value());
    else if (flag == "--strict") o.strict = true;
    else if (flag == "--direct") o.direct = true;
    else throw std::invalid_argument("unknown flag " + flag +
                                     " (usage: honeypot_bench [--sessions N] [--seconds T] "
                                     "[--strict] [--direct])");
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) try {
  Options o = parse(argc, argv);
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);

  test::TempDir dir;
  honeypot::chain::RegtestChain chain;
  auto paid = chain.pay_to_xpub(*bitcoin::ExtendedPubKey::parse(kZpub),
                                bitcoin::OutputType::p2wpkh, 20, {50'000});
  if (!paid.ok) throw std::runtime_error("funding failed: " + paid.error);
  bus::BusConfig bus_config;
  bus_config.log_dir = dir.file("bus");
  bus_config.client_id = "honeypot-bench";
  auto producer = bus::make_producer(bus_config);
  asio::io_context server_io;
  // As the honeypot runs it: the events of one event-loop pass go to the log with one write.
  auto sink_ptr = o.direct ? std::make_unique<honeypot::app::BusEventSink>(*producer)
                           : std::make_unique<honeypot::app::BusEventSink>(
                                 *producer, server_io.get_executor());
  honeypot::app::BusEventSink& sink = *sink_ptr;

  honeypot::server::ServerConfig config;
  config.listeners.push_back({"127.0.0.1", 0, honeypot::server::Transport::tcp, "", ""});
  config.max_sessions = static_cast<std::size_t>(o.sessions) + 16;
  honeypot::server::Server server(server_io.get_executor(), config,
                                  honeypot::server::default_profile(honeypot::server::Base::electrs),
                                  chain, sink);
  server.start();
  std::thread server_thread([&server_io] { server_io.run(); });

  auto scripthashes = wallet_scripthashes();
  // Opening N sessions takes a moment; load starts for all at once after it.
  auto open_time = std::chrono::milliseconds(2000 + o.sessions);
  auto measure_from = Clock::now() + open_time;
  Load load{server.ports().at(0), scripthashes, measure_from,
            measure_from + std::chrono::milliseconds(static_cast<long>(o.seconds * 1000))};
  asio::io_context client_io;
  for (int i = 0; i < o.sessions; ++i) {
    asio::co_spawn(client_io, load.session(i), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
  }
  std::thread clients([&client_io] { client_io.run(); });
  std::this_thread::sleep_until(measure_from);
  std::size_t held = server.session_count();
  double cpu0 = thread_cpu_seconds(server_thread.native_handle());
  auto recorded0 = sink.recorded();
  std::this_thread::sleep_until(load.until);
  double cpu1 = thread_cpu_seconds(server_thread.native_handle());
  auto recorded1 = sink.recorded();
  std::uint64_t requests = load.requests.load();
  clients.join();
  asio::post(server_io, [&server] { server.stop(); });
  server_io.stop();
  server_thread.join();
  sink.flush();

  double cpu_per_1000 = requests ? (cpu1 - cpu0) / double(requests) * 1000 : 0;
  bool pass = requests > 0 && cpu_per_1000 <= kTargetCpuPer1000 && sink.refused() == 0;
  std::printf("honeypot_bench: profile electrs, regtest chain, events to the embedded bus log "
              "(%s)\n", o.direct ? "one publish per event" : "one publish_batch per loop pass");
  std::printf("| sessions held | requests | requests/s | events recorded | server CPU-s/1000 | "
              "target | peak RSS |\n|---|---|---|---|---|---|---|\n");
  std::printf("| %zu of %d | %llu | %.0f | %llu | %.4f | <= %.3f %s | %.1f MiB |\n", held,
              o.sessions, static_cast<unsigned long long>(requests), double(requests) / o.seconds,
              static_cast<unsigned long long>(recorded1 - recorded0), cpu_per_1000,
              kTargetCpuPer1000, pass ? "PASS" : "FAIL",
              double(eo::bench::peak_rss_bytes()) / (1 << 20));
  std::printf("session failures: %llu, events refused by the bus: %llu\n",
              static_cast<unsigned long long>(load.failures.load()),
              static_cast<unsigned long long>(sink.refused()));
  return (o.strict && !pass) ? 1 : 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "honeypot_bench: %s\n", e.what());
  return 2;
}
