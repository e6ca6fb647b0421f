// What recording costs: CPU time per request through the dispatcher (parse, answer, event) and
// through the whole server over loopback, against the target of 0.017 CPU-s per 1000 requests
// with every event recorded.
#include "honeypot/server/dispatch.h"
#include "tests/honeypot/server/server_fixture.h"

#include <gtest/gtest.h>

#include <ctime>
#include <iostream>

namespace eo::honeypot::server::test {
namespace {

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// A wallet-like mix: history, balance, subscriptions, headers and pings.
std::vector<std::string> request_mix(int count) {
  std::vector<std::string> lines;
  const std::string methods[] = {
      "blockchain.scripthash.get_history", "blockchain.scripthash.get_balance",
      "blockchain.scripthash.subscribe", "blockchain.block.header", "server.ping"};
  for (int i = 0; i < count; ++i) {
    const std::string& m = methods[i % 5];
    Json params = Json::array({hash_of("0123456789abcdef"[i % 16])});
    if (m == "blockchain.block.header") params = Json::array({i % 10});
    if (m == "server.ping") params = Json::array();
    lines.push_back(Json{{"jsonrpc", "2.0"}, {"id", i}, {"method", m}, {"params", params}}.dump());
  }
  return lines;
}

TEST(Perf, DispatcherCostPerRequestWithEveryEventRecorded) {
  Profile profile = default_profile(Base::electrumx);
  FakeBackend backend;
  for (char c : std::string("0123456789abcdef")) {
    backend.add_history(hash_of(c), {hash_of('a'), 3, 0});
    backend.add_history(hash_of(c), {hash_of('b'), 5, 0});
  }
  MemoryEventSink sink;
  RandomSource random;
  EventFactory events(RecorderConfig{"hp", false, "", 4096}, sink, random);
  Dispatcher dispatcher(profile, backend);
  const PeerEndpoint peer{*IpAddress::parse("127.0.0.1"), 40000, "127.0.0.1:50001", "tcp"};
  SessionState state(SessionRecorder(events, "s", peer, profile.name), peer,
                     CostMeter(profile.limits.cost, nullptr, Clock::now()));
  dispatcher.open(state);
  dispatcher.handle_line(state, {R"({"id":0,"method":"server.version","params":["t","1.4"]})"});
  const auto lines = request_mix(50'000);
  std::size_t bytes = 0;
  const double start = thread_cpu_seconds();
  for (const auto& line : lines) bytes += dispatcher.handle_line(state, {line}).reply.size();
  const double per_request_us = (thread_cpu_seconds() - start) / 50'000 * 1e6;
  std::cout << "[ PERF     ] dispatcher: " << per_request_us
            << " us CPU per request (parse, answer, event)\n";
  EXPECT_EQ(sink.size(), 50'002u);
  EXPECT_GT(bytes, 0u);
  EXPECT_LT(per_request_us, 17.0);
}

TEST(Perf, ServerCpuPerThousandRequestsOverLoopback) {
  Profile profile = default_profile(Base::fulcrum);
  ServerFixture f(profile);
  f.on_server([](FakeBackend& b) {
    for (char c : std::string("0123456789abcdef")) b.add_history(hash_of(c), {hash_of('a'), 3, 0});
  });
  const auto lines = request_mix(40'000);
  RawClient raw(f.tcp_port());
  const double cpu_before = f.server_cpu_seconds();
  const auto wall_start = std::chrono::steady_clock::now();
  // Pipelined in rounds of 500 lines, as a wallet's gap-limit scan does with its batches.
  for (std::size_t i = 0; i < lines.size(); i += 500) {
    std::string chunk;
    for (std::size_t j = i; j < std::min(lines.size(), i + 500); ++j) chunk += lines[j] + "\n";
    raw.send(chunk);
    for (std::size_t j = i; j < std::min(lines.size(), i + 500); ++j) {
      ASSERT_TRUE(raw.read_line()) << j;
    }
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const double cpu_per_1000 = (f.server_cpu_seconds() - cpu_before) / 40.0;
  std::cout << "[ PERF     ] server: " << cpu_per_1000 << " CPU-s per 1000 requests (capacity "
            << static_cast<long>(1000 / cpu_per_1000) << " requests/s per core), "
            << static_cast<long>(40'000 / wall) << " requests/s seen by one pipelined client\n";
  EXPECT_LT(cpu_per_1000, 0.017);
  ASSERT_TRUE(
      f.sink().wait_for([](const auto& e) { return e.size() >= 40'001; }, milliseconds(5000)));
}

}  // namespace
}  // namespace eo::honeypot::server::test
