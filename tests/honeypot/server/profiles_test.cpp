// Each built-in profile proves it behaves like the implementation it emulates: framing bytes,
// error texts, the version-first rule, EPS's silences, ElectrumX's cost throttling and
// Fulcrum's per-IP connection cap and batch limit.
#include "tests/honeypot/server/server_fixture.h"

#include <gtest/gtest.h>

namespace eo::honeypot::server::test {
namespace {

TEST(Profiles, FulcrumAnswersABrokenLineWithItsParseErrorAndCrlf) {
  ServerFixture f(default_profile(Base::fulcrum));
  RawClient raw(f.tcp_port());
  raw.send("{\n");
  EXPECT_EQ(raw.read_line(),
            "{\"error\":{\"code\":-32700,\"message\":\"Failed to parse Json from string: {\"},"
            "\"id\":null,\"jsonrpc\":\"2.0\"}\r\n");
  raw.send(
      "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"server.version\",\"params\":[\"x\",\"1.4\"]}\n");
  EXPECT_EQ(raw.read_line(),
            "{\"id\":5,\"jsonrpc\":\"2.0\",\"result\":[\"Fulcrum 2.1.1\",\"1.4\"]}\r\n");
  raw.send("{\"id\":6,\"method\":\"server.donation_address\"}\n");
  EXPECT_EQ(raw.read_line(),
            "{\"id\":6,\"jsonrpc\":\"2.0\",\"result\":\"1Ca1inCimwRhhcpFX84TPRrPQSryTgKW6N\"}\r\n");
}

TEST(Profiles, ElectrumxAnswersAMethodBeforeVersionWithCodeOneAndDisconnects) {
  ServerFixture f(default_profile(Base::electrumx));
  const Transcript t = run_session(to_port(f.tcp_port()), {{"server.banner"}, {"server.ping"}});
  ASSERT_GE(t.replies.size(), 1u);
  ASSERT_TRUE(t.at(0).error);
  EXPECT_EQ(t.at(0).error->code, 1);
  EXPECT_EQ(t.at(0).error->message, "use server.version to identify client");
  // It first tried to crash old Electrum clients with two bare notifications.
  ASSERT_EQ(t.notifications.size(), 2u);
  EXPECT_EQ(t.notifications[0].method, "blockchain.relayfee");
  EXPECT_EQ(t.notifications[1].method, "blockchain.estimatefee");
  ASSERT_EQ(t.replies.size(), 2u);
  EXPECT_FALSE(t.at(1).failure.ok());  // the session is gone
  ASSERT_TRUE(f.wait_idle());
  const auto d = f.sink().events_of(eo::v1::HONEYPOT_EVENT_DISCONNECT);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].action(), "version_first");
}

TEST(Profiles, ElectrsVersionStringSortedKeysAndNullDonation) {
  ServerFixture f(default_profile(Base::electrs));
  const Transcript t =
      run_session(to_port(f.tcp_port()), {version_call("probe", Json::array({"1.4", "9.9"})),
                                          {"server.donation_address"},
                                          {"server.banner"},
                                          {"no.such"}});
  ASSERT_EQ(t.replies.size(), 4u);
  EXPECT_EQ(t.at(0).result, Json::array({"electrs/0.11.1", "1.4"}));
  EXPECT_EQ(t.at(0).shape.key_order, "id,jsonrpc,result");
  EXPECT_FALSE(t.at(0).crlf);
  EXPECT_TRUE(t.at(1).result.is_null());
  EXPECT_EQ(t.at(2).result, "Welcome to electrs 0.11.1 (Electrum Rust Server)!");
  ASSERT_TRUE(t.at(3).error);
  EXPECT_EQ(t.at(3).error->message, "method not found");
}

TEST(Profiles, EpsIgnoresUnknownMethodsAndDropsWhatItCannotRead) {
  ServerFixture f(default_profile(Base::eps));
  RawClient raw(f.tcp_port());
  raw.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server.features\",\"params\":[]}\n");
  EXPECT_FALSE(raw.read_line(milliseconds(300)));  // no answer at all
  raw.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"server.ping\",\"params\":[]}\n");
  EXPECT_EQ(raw.read_line(), "{\"jsonrpc\": \"2.0\", \"result\": null, \"id\": 2}\n");
  raw.send(
      "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"server.version\",\"params\":[\"e\",\"1.4\"]}\n");
  EXPECT_EQ(raw.read_line(),
            "{\"jsonrpc\": \"2.0\", \"result\": [\"ElectrumPersonalServer "
            "0.2.4\", \"1.4\"], \"id\": 3}\n");
  raw.send("[{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"server.ping\"}]\n");  // no batches
  EXPECT_TRUE(raw.wait_closed());

  RawClient bad_json(f.tcp_port());
  bad_json.send("{nope\n");
  EXPECT_TRUE(bad_json.wait_closed());
  RawClient range(f.tcp_port());
  range.send("{\"id\":1,\"method\":\"server.version\",\"params\":[\"e\",[\"1.4\",\"1.4\"]]}\n");
  EXPECT_TRUE(range.wait_closed());
}

TEST(Profiles, ElectrumxCostModelThrottlesThenEndsTheSession) {
  Profile p = default_profile(Base::electrumx);
  p.limits.cost.sleep_ms = 20;  // ElectrumX sleeps up to 2.5 s; the thresholds are what we test
  ServerFixture f(p);
  RawClient raw(f.tcp_port());
  raw.send(
      "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"server.version\",\"params\":[\"t\",\"1.4\"]}\n");
  ASSERT_TRUE(raw.read_line());
  // Each unreadable line costs 1,100; the hard limit is 10,000.
  for (int i = 0; i < 9; ++i) {
    raw.send("garbage\n");
    const auto line = raw.read_line();
    ASSERT_TRUE(line) << i;
    EXPECT_EQ(Json::parse(*line)["error"]["code"], -32700);
  }
  raw.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server.ping\",\"params\":[]}\n");
  ASSERT_TRUE(raw.read_line());  // still under the hard limit: answered, slowly
  raw.send("garbage\n");
  ASSERT_TRUE(raw.read_line());
  raw.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"server.ping\",\"params\":[]}\n");
  const auto last = raw.read_line();
  ASSERT_TRUE(last);
  EXPECT_EQ(Json::parse(*last)["error"],
            Json({{"code", -101}, {"message", "excessive resource usage"}}));
  EXPECT_TRUE(raw.wait_closed());
  ASSERT_TRUE(f.wait_idle());
  const auto events = f.sink().events();
  const auto requests = of_kind(events, eo::v1::HONEYPOT_EVENT_REQUEST);
  EXPECT_NE(requests.back().action().find("excessive_cost"), std::string::npos);
  EXPECT_NE(requests[9].action().find("+throttle"), std::string::npos) << requests[9].action();
  EXPECT_EQ(of_kind(events, eo::v1::HONEYPOT_EVENT_DISCONNECT)[0].action(), "excessive_cost");
}

TEST(Profiles, FulcrumResetsConnectionsBeyondItsPerIpCap) {
  Profile p = default_profile(Base::fulcrum);
  p.limits.per_ip_connections = 2;
  p.limits.per_ip_exempt.clear();  // Fulcrum exempts loopback; our test clients are loopback
  ServerFixture f(p);
  RawClient a(f.tcp_port());
  RawClient b(f.tcp_port());
  const std::string ping = "{\"id\":1,\"method\":\"server.ping\"}\n";
  a.send(ping);
  b.send(ping);
  ASSERT_TRUE(a.read_line());
  ASSERT_TRUE(b.read_line());
  RawClient c(f.tcp_port());
  c.send(ping);
  EXPECT_TRUE(c.wait_closed());
  EXPECT_FALSE(c.read_line(milliseconds(100)));
  a.send(ping);
  EXPECT_TRUE(a.read_line());  // the first two are unaffected
  const auto connects = f.sink().events_of(eo::v1::HONEYPOT_EVENT_CONNECT);
  ASSERT_EQ(connects.size(), 3u);
  EXPECT_EQ(connects[2].action(), "refuse:per_ip_limit");
}

TEST(Profiles, FulcrumRejectsBatchesOverItsLimit) {
  ServerFixture f(default_profile(Base::fulcrum));
  std::vector<electrum::Call> calls(346, electrum::Call{nullptr, "server.ping", Json::array()});
  const auto big = run_batch(to_port(f.tcp_port()), {}, calls);
  ASSERT_TRUE(big.error) << big.failure.detail;
  EXPECT_EQ(big.error->code, 4);
  EXPECT_EQ(big.error->message, "Batch limit exceeded");
  calls.resize(345);
  const auto ok = run_batch(to_port(f.tcp_port()), {}, calls);
  ASSERT_TRUE(ok.failure.ok()) << ok.failure.detail;
  ASSERT_EQ(ok.items.size(), 345u);
  EXPECT_TRUE(ok.items[344].failure.ok());
}

}  // namespace
}  // namespace eo::honeypot::server::test
