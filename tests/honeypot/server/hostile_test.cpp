// Hostile clients never crash the server and never make it hold unbounded memory: an endless
// line, invalid UTF-8, 100k nested '[', huge batches, a client that never reads, and many
// sessions at once.
#include "tests/honeypot/server/server_fixture.h"

#include <gtest/gtest.h>

#include <sys/resource.h>

namespace eo::honeypot::server::test {
namespace {

const std::string kPing =
    "{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"server.ping\",\"params\":[]}\n";

Profile quiet_electrumx() {
  Profile p = default_profile(Base::electrumx);
  p.limits.version_first = false;
  p.limits.cost.enabled = false;  // the cost model would end these sessions first, by design
  return p;
}

TEST(Hostile, EndlessLineIsDroppedWithBoundedMemoryAndTheStreamResyncs) {
  ServerFixture f(quiet_electrumx());
  RawClient raw(f.tcp_port());
  const std::size_t rss_before = eo::test::current_rss_bytes();
  const std::string chunk(1 << 20, 'x');
  for (int i = 0; i < 64; ++i) raw.send(chunk);  // 64 MB, no newline
  raw.send("\n" + kPing);
  const auto reply = raw.read_line(milliseconds(10000));
  ASSERT_TRUE(reply);
  EXPECT_EQ(Json::parse(*reply)["id"], 99);
  EXPECT_LT(eo::test::current_rss_bytes(), rss_before + (24u << 20));
  raw.send("\x01\x02\n");  // unreadable, answered, still no crash
  EXPECT_TRUE(raw.read_line());
}

TEST(Hostile, InvalidUtf8IsAParseErrorNotACrash) {
  ServerFixture f(quiet_electrumx());
  RawClient raw(f.tcp_port());
  raw.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server.ping\",\"params\":[\"\xff\xfe\"]}\n");
  const auto reply = raw.read_line();
  ASSERT_TRUE(reply);
  EXPECT_EQ(Json::parse(*reply)["error"],
            Json({{"code", -32700}, {"message", "messages must be encoded in UTF-8"}}));
  raw.send(kPing);
  EXPECT_TRUE(raw.read_line());
}

TEST(Hostile, DeepNestingIsRejectedCheaply) {
  ServerFixture f(default_profile(Base::fulcrum));
  RawClient raw(f.tcp_port());
  raw.send(std::string(100'000, '[') + "\n");
  const auto reply = raw.read_line();
  ASSERT_TRUE(reply);
  const Json error = Json::parse(*reply)["error"];
  EXPECT_EQ(error["code"], -32700);
  EXPECT_EQ(error["message"].get<std::string>(),
            "Failed to parse Json from string: " + std::string(80, '[') + "...");
  raw.send(kPing);
  EXPECT_TRUE(raw.read_line());
}

TEST(Hostile, HugeBatchesAreCappedAndBigOnesAnswered) {
  ServerFixture f(quiet_electrumx());
  std::string batch = "[";
  for (int i = 0; i < 20'000; ++i) {
    if (i > 0) batch += ",";
    batch += "{\"id\":" + std::to_string(i) + ",\"method\":\"server.ping\"}";
  }
  batch += "]\n";
  ASSERT_LT(batch.size(), 1'000'000u);
  RawClient raw(f.tcp_port());
  raw.send(batch);
  const auto reply = raw.read_line();
  ASSERT_TRUE(reply);
  EXPECT_EQ(Json::parse(*reply)["error"]["code"], -32600);
  EXPECT_TRUE(raw.wait_closed());

  // As big as our client reads (its parser stops at 1000 items).
  std::vector<electrum::Call> calls(1000, electrum::Call{nullptr, "server.ping", Json::array()});
  const auto big = run_batch(to_port(f.tcp_port()), {}, calls);
  ASSERT_TRUE(big.failure.ok()) << big.failure.detail;
  EXPECT_EQ(big.items.size(), 1000u);
  EXPECT_TRUE(big.items[999].failure.ok());
}

TEST(Hostile, AClientThatNeverReadsIsCutOffAtTheQueueBound) {
  Profile p = quiet_electrumx();
  p.limits.send_queue_bytes = 1 << 20;
  FixtureOptions options;
  options.tip = 3000;  // 2016 headers per reply: ~330 KB each
  ServerFixture f(p, options);
  RawClient raw(f.tcp_port());
  const std::string request =
      "{\"id\":1,\"method\":\"blockchain.block.headers\",\"params\":[0,2016]}\n";
  for (int i = 0; i < 200; ++i) raw.send(request);  // ~66 MB of replies, never read
  ASSERT_TRUE(f.sink().wait_for(
      [](const auto& events) {
        return !of_kind(events, eo::v1::HONEYPOT_EVENT_DISCONNECT).empty();
      },
      milliseconds(10000)));
  const auto d = f.sink().events_of(eo::v1::HONEYPOT_EVENT_DISCONNECT);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].action(), "send_queue_full");
}

TEST(Hostile, ManySessionsAtOnce) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  const int sessions = static_cast<int>(std::min<rlim_t>(1000, (limit.rlim_cur - 64) / 2));
  ServerFixture f(default_profile(Base::fulcrum));
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < sessions; ++i) {
    clients.push_back(std::make_unique<RawClient>(f.tcp_port()));
    ASSERT_TRUE(clients.back()->connected()) << i;
  }
  for (auto& c : clients) c->send(kPing);
  int answered = 0;
  for (auto& c : clients) answered += c->read_line() ? 1 : 0;
  EXPECT_EQ(answered, sessions);
  EXPECT_EQ(f.server().session_count(), static_cast<std::size_t>(sessions));
  clients.clear();
  EXPECT_TRUE(f.wait_idle(milliseconds(10000)));
  EXPECT_EQ(f.sink().events_of(eo::v1::HONEYPOT_EVENT_DISCONNECT).size(),
            static_cast<std::size_t>(sessions));
}

}  // namespace
}  // namespace eo::honeypot::server::test
