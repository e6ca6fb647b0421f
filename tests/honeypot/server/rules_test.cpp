// Behaviour rules over the wire: region rate limits by source address (127.0.0.2 against
// 127.0.0.1, both loopback), refusals, tarpits, banners, altered history, phishing broadcasts,
// Sybil peer lists, claimed implementations and Tor exit matches.
#include "honeypot/server/params.h"
#include "tests/honeypot/server/server_fixture.h"

#include <gtest/gtest.h>

namespace eo::honeypot::server::test {
namespace {

Profile with_rules(const std::string& yaml) { return load_profile(yaml); }

std::vector<Call> version_then_pings(int pings) {
  std::vector<Call> calls{version_call()};
  for (int i = 0; i < pings; ++i) calls.push_back({"server.ping"});
  return calls;
}

TEST(Rules, RegionRateLimitThrottlesOneSubnetOnly) {
  ServerFixture f(with_rules(R"(
base: electrumx
rules:
  - name: region-b
    match: {subnets: ["127.0.0.2/32"]}
    action: {type: rate_limit, after_requests: 5, style: electrumx}
)"));
  const Transcript limited =
      run_session(to_port(f.tcp_port(), false, "127.0.0.2"), version_then_pings(10));
  ASSERT_TRUE(limited.connect.ok()) << limited.connect.detail;
  ASSERT_EQ(limited.replies.size(), 7u);  // 5 answered, the 6th throttled, then closed
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limited.at(i).error) << i;
  ASSERT_TRUE(limited.at(5).error);
  EXPECT_EQ(limited.at(5).error->code, -101);
  EXPECT_EQ(limited.at(5).error->message, "excessive resource usage");
  EXPECT_FALSE(limited.at(6).failure.ok());

  const Transcript free =
      run_session(to_port(f.tcp_port(), false, "127.0.0.1"), version_then_pings(10));
  ASSERT_EQ(free.replies.size(), 11u);
  for (const auto& r : free.replies) EXPECT_EQ(r.outcome(), net::Outcome::ok);

  ASSERT_TRUE(f.wait_idle());
  const auto connects = f.sink().events_of(eo::v1::HONEYPOT_EVENT_CONNECT);
  ASSERT_EQ(connects.size(), 2u);
  EXPECT_EQ(connects[0].peer_ip(), "127.0.0.2");
  EXPECT_EQ(connects[1].peer_ip(), "127.0.0.1");
  const auto d = f.sink().events_of(eo::v1::HONEYPOT_EVENT_DISCONNECT);
  EXPECT_EQ(d[0].action(), "rate_limit:region-b");
}

TEST(Rules, FulcrumStyleRateLimitCanKeepTheSession) {
  ServerFixture f(with_rules(R"(
base: fulcrum
rules:
  - action: {type: rate_limit, after_requests: 2, style: fulcrum, disconnect: false}
)"));
  const Transcript t = run_session(to_port(f.tcp_port()), version_then_pings(3));
  ASSERT_EQ(t.replies.size(), 4u);
  ASSERT_TRUE(t.at(2).error);
  EXPECT_EQ(t.at(2).error->code, 3);
  EXPECT_EQ(t.at(2).error->message,
            "Excessive flood, please throttle your client implementation to not do this");
  ASSERT_TRUE(t.at(3).error);  // still connected, still throttled
}

TEST(Rules, RefuseClosesAtConnectOrAfterTheClientNamesItself) {
  ServerFixture f(with_rules(R"(
base: fulcrum
rules:
  - name: blocked-net
    match: {subnets: ["127.0.0.2/32"]}
    action: {type: refuse}
  - name: no-scanners
    match: {client_prefix: "masscan"}
    action: {type: refuse}
)"));
  const Transcript blocked =
      run_session(to_port(f.tcp_port(), false, "127.0.0.2"), {version_call()});
  ASSERT_EQ(blocked.replies.size(), 1u);
  EXPECT_FALSE(blocked.at(0).failure.ok());
  const Transcript scanner = run_session(to_port(f.tcp_port()), {version_call("masscan/1.3")});
  ASSERT_EQ(scanner.replies.size(), 1u);
  EXPECT_FALSE(scanner.at(0).failure.ok());
  const Transcript wallet = run_session(to_port(f.tcp_port()), {version_call()});
  EXPECT_EQ(wallet.at(0).outcome(), net::Outcome::ok);
  ASSERT_TRUE(f.wait_idle());
  const auto connects = f.sink().events_of(eo::v1::HONEYPOT_EVENT_CONNECT);
  ASSERT_EQ(connects.size(), 3u);
  EXPECT_EQ(connects[0].action(), "refuse:blocked-net");
  EXPECT_EQ(connects[1].action(), "answer");
  const auto versions = f.sink().events_of(eo::v1::HONEYPOT_EVENT_VERSION);
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].client_name(), "masscan/1.3");
  EXPECT_EQ(versions[0].action(), "refuse:no-scanners");
}

TEST(Rules, DelayTarpitsEveryReply) {
  ServerFixture f(with_rules(R"(
base: electrs
rules:
  - name: tarpit
    action: {type: delay, ms: 300}
)"));
  const auto start = std::chrono::steady_clock::now();
  const Transcript t = run_session(to_port(f.tcp_port()), version_then_pings(1));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(600));
  ASSERT_EQ(t.replies.size(), 2u);
  EXPECT_GE(t.at(1).rtt, milliseconds(290));
  ASSERT_TRUE(f.wait_idle());
  const auto requests = f.sink().events_of(eo::v1::HONEYPOT_EVENT_REQUEST);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].action(), "answer+delay:tarpit");
  EXPECT_GE(requests[1].latency_us(), 300'000u);
}

TEST(Rules, BannerReplacedForOneSubnetOnly) {
  ServerFixture f(with_rules(R"(
base: electrumx
rules:
  - name: region-b
    match: {subnets: ["127.0.0.2/32"]}
    action: {type: banner, text: "Special banner for you"}
)"));
  const Transcript b =
      run_session(to_port(f.tcp_port(), false, "127.0.0.2"), {version_call(), {"server.banner"}});
  const Transcript a = run_session(to_port(f.tcp_port()), {version_call(), {"server.banner"}});
  EXPECT_EQ(b.at(1).result, "Special banner for you");
  EXPECT_EQ(a.at(1).result, "You are connected to an ElectrumX 1.20.0 server.");
  ASSERT_TRUE(f.wait_idle());
  const auto requests = f.sink().events_of(eo::v1::HONEYPOT_EVENT_REQUEST);
  EXPECT_EQ(requests[1].action(), "banner:region-b");
  EXPECT_EQ(requests[3].action(), "answer");
}

TEST(Rules, AlterHistoryHidesOrReplacesAScripthash) {
  const std::string hidden = hash_of('1');
  const std::string replaced = hash_of('2');
  const std::string fake_tx = hash_of('f');
  ServerFixture f(with_rules(R"(
base: fulcrum
rules:
  - name: hide
    action: {type: alter_history, scripthashes: [")" +
                             hidden + R"("]}
  - name: fake
    action:
      type: alter_history
      mode: replace
      scripthashes: [")" + replaced +
                             R"("]
      history: [{tx_hash: ")" +
                             fake_tx + R"(", height: 7}]
      utxos: [{tx_hash: ")" + fake_tx +
                             R"(", tx_pos: 0, height: 7, value: 50000}]
      balance: {confirmed: 50000}
)"));
  f.on_server([&](FakeBackend& b) {
    for (const auto& sh : {hidden, replaced}) {
      b.add_history(sh, {hash_of('a'), 3, 0});
      b.add_utxo(sh, {hash_of('a'), 0, 3, 777});
    }
  });
  const Transcript t = run_session(to_port(f.tcp_port()),
                                   {version_call(),
                                    {"blockchain.scripthash.get_history", Json::array({hidden})},
                                    {"blockchain.scripthash.get_balance", Json::array({hidden})},
                                    {"blockchain.scripthash.subscribe", Json::array({hidden})},
                                    {"blockchain.scripthash.get_history", Json::array({replaced})},
                                    {"blockchain.scripthash.listunspent", Json::array({replaced})},
                                    {"blockchain.scripthash.get_balance", Json::array({replaced})},
                                    {"blockchain.scripthash.subscribe", Json::array({replaced})}});
  ASSERT_EQ(t.replies.size(), 8u);
  EXPECT_EQ(t.at(1).result, Json::array());
  EXPECT_EQ(t.at(2).result, Json({{"confirmed", 0}, {"unconfirmed", 0}}));
  EXPECT_TRUE(t.at(3).result.is_null());
  EXPECT_EQ(t.at(4).result, Json::array({{{"height", 7}, {"tx_hash", fake_tx}}}));
  EXPECT_EQ(t.at(5).result[0]["value"], 50000);
  EXPECT_EQ(t.at(6).result["confirmed"], 50000);
  struct Item {
    std::string tx_hash;
    std::int64_t height;
  };
  EXPECT_EQ(t.at(7).result, *history_status(std::vector<Item>{{fake_tx, 7}}));
  ASSERT_TRUE(f.wait_idle());
  const auto requests = f.sink().events_of(eo::v1::HONEYPOT_EVENT_REQUEST);
  EXPECT_EQ(requests[1].action(), "alter_history:hide");
  EXPECT_EQ(requests[4].action(), "alter_history:fake");
}

TEST(Rules, PhishingBroadcastTargetsOldClientsOnly) {
  ServerFixture f(with_rules(R"(
base: electrumx
rules:
  - name: update-scam
    match: {client_regex: "^electrum/3\\."}
    action: {type: phishing_broadcast, url: "https://electrum-update.example/get"}
)"));
  const auto [raw, txid] = sample_transaction(9);
  const Transcript old = run_session(
      to_port(f.tcp_port()),
      {version_call("electrum/3.3.2"), {"blockchain.transaction.broadcast", Json::array({raw})}});
  ASSERT_TRUE(old.at(1).error);
  EXPECT_EQ(old.at(1).error->code, 1);
  EXPECT_NE(old.at(1).error->message.find("https://electrum-update.example/get"),
            std::string::npos);
  const Transcript current = run_session(
      to_port(f.tcp_port()),
      {version_call("electrum/4.5.4"), {"blockchain.transaction.broadcast", Json::array({raw})}});
  EXPECT_EQ(current.at(1).result, txid);
  std::size_t sent = 0;
  f.on_server([&](FakeBackend& b) { sent = b.broadcasts.size(); });
  EXPECT_EQ(sent, 1u);  // the phished transaction never reached the chain
  ASSERT_TRUE(f.wait_idle());
  const auto broadcasts = f.sink().events_of(eo::v1::HONEYPOT_EVENT_BROADCAST);
  ASSERT_EQ(broadcasts.size(), 2u);
  EXPECT_EQ(broadcasts[0].action(), "phishing_broadcast:update-scam");
  EXPECT_EQ(broadcasts[0].txid(), txid);  // computed from the raw bytes although refused
  EXPECT_NE(broadcasts[0].params_json().find("electrum-update.example"), std::string::npos);
  EXPECT_EQ(broadcasts[1].action(), "answer");
}

TEST(Rules, PeersRuleServesASiblingList) {
  ServerFixture f(with_rules(R"(
base: electrumx
rules:
  - name: sybil
    action: {type: peers, peers: [["203.0.113.10", "a.example", ["v1.4", "s50002"]],
                                  ["203.0.113.11", "b.example", ["v1.4", "t50001"]]]}
)"));
  const Transcript t =
      run_session(to_port(f.tcp_port()), {version_call(), {"server.peers.subscribe"}});
  ASSERT_EQ(t.at(1).result.size(), 2u);
  EXPECT_EQ(t.at(1).result[1][1], "b.example");
  EXPECT_EQ(t.at(1).result[0][2], Json::array({"v1.4", "s50002"}));
}

TEST(Rules, ClaimReportsAnotherImplementationButBehavesAsTheBase) {
  ServerFixture f(with_rules(R"(
base: electrs
rules:
  - name: pretend
    action: {type: claim, implementation: fulcrum}
)"));
  const Transcript t =
      run_session(to_port(f.tcp_port()),
                  {version_call(), {"server.banner"}, {"server.features"}, {"no.such.method"}});
  ASSERT_EQ(t.replies.size(), 4u);
  EXPECT_EQ(t.at(0).result[0], "Fulcrum 2.1.1");
  EXPECT_EQ(t.at(1).result, "Connected to a Fulcrum 2.1.1 server");
  EXPECT_EQ(t.at(2).result["server_version"], "Fulcrum 2.1.1");
  ASSERT_TRUE(t.at(3).error);
  EXPECT_EQ(t.at(3).error->message, "method not found");  // electrs underneath
  EXPECT_FALSE(t.at(3).crlf);                             // Fulcrum would end with \r\n
  ASSERT_TRUE(f.wait_idle());
  EXPECT_EQ(f.sink().events_of(eo::v1::HONEYPOT_EVENT_VERSION)[0].action(), "claim:pretend");
}

TEST(Rules, TorExitListMatches) {
  ServerFixture f(with_rules(R"(
base: electrumx
tor_exits: ["127.0.0.2"]
rules:
  - name: tor
    match: {tor_exit: true}
    action: {type: banner, text: "Hello Tor user"}
)"));
  const Transcript tor =
      run_session(to_port(f.tcp_port(), false, "127.0.0.2"), {version_call(), {"server.banner"}});
  const Transcript clear = run_session(to_port(f.tcp_port()), {version_call(), {"server.banner"}});
  EXPECT_EQ(tor.at(1).result, "Hello Tor user");
  EXPECT_NE(clear.at(1).result, "Hello Tor user");
}

}  // namespace
}  // namespace eo::honeypot::server::test
