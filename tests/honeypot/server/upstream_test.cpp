// Upstream-proxy mode: a honeypot relaying to a second honeypot (the "real" server, on the fake
// chain). Clients get the upstream's answers byte for byte, the proxy records the session with
// script hashes, and a dead or failing upstream becomes a recorded, client-visible error.
#include "honeypot/server/upstream_relay.h"
#include "tests/honeypot/server/server_fixture.h"
#include "tests/support/line_server.h"

#include <gtest/gtest.h>

namespace eo::honeypot::server::test {
namespace {

using eo::v1::HoneypotEvent;

FixtureOptions proxy_to(std::uint16_t port, std::size_t max_outstanding = 64) {
  FixtureOptions options;
  UpstreamConfig upstream;
  upstream.host = "127.0.0.1";
  upstream.port = port;
  upstream.max_outstanding = max_outstanding;
  upstream.connect_timeout = milliseconds(3000);
  options.config.upstream = upstream;
  options.config.honeypot_id = "hp-proxy";
  return options;
}

std::vector<HoneypotEvent> requests_for(const MemoryEventSink::Events& events,
                                        const std::string& method) {
  std::vector<HoneypotEvent> out;
  for (const auto& e : of_kind(events, eo::v1::HONEYPOT_EVENT_REQUEST)) {
    if (e.method() == method) out.push_back(e);
  }
  return out;
}

TEST(Upstream, ParsesElectrumServerStrings) {
  const UpstreamConfig tcp = parse_upstream("electrum.example:50001:t");
  EXPECT_EQ(tcp.host, "electrum.example");
  EXPECT_EQ(tcp.port, 50001);
  EXPECT_FALSE(tcp.tls);
  const UpstreamConfig tls = parse_upstream("[2001:db8::1]:50002:s");
  EXPECT_EQ(tls.host, "2001:db8::1");
  EXPECT_TRUE(tls.tls);
  for (const char* bad :
       {"host:50001", "host:x:t", "host:0:t", ":50001:t", "host:50001:q", "host:700000:s"}) {
    EXPECT_THROW(parse_upstream(bad), std::invalid_argument) << bad;
  }
}

TEST(Upstream, RelaysTheUpstreamsAnswersAndRecordsTheSession) {
  ServerFixture upstream(default_profile(Base::fulcrum));  // sorted keys, CRLF: easy to tell
  const std::string sh = hash_of('5');
  const auto [raw, txid] = sample_transaction(7);
  upstream.on_server([&](FakeBackend& b) { b.add_history(sh, {hash_of('a'), 3, 0}); });
  ServerFixture proxy(default_profile(Base::electrumx), proxy_to(upstream.tcp_port()));

  const Transcript t = run_session(to_port(proxy.tcp_port()),
                                   {version_call("electrum/4.5.4", Json::array({"1.4", "1.6"})),
                                    {"blockchain.scripthash.subscribe", Json::array({sh})},
                                    {"blockchain.scripthash.get_history", Json::array({sh})},
                                    {"blockchain.transaction.broadcast", Json::array({raw})},
                                    {"no.such.method"}});
  ASSERT_TRUE(t.connect.ok()) << t.connect.detail;
  ASSERT_EQ(t.replies.size(), 5u);
  for (const auto& reply : t.replies) ASSERT_TRUE(reply.failure.ok()) << reply.failure.detail;
  // The upstream's bytes, not the proxy profile's: Fulcrum's version, key order and CRLF.
  EXPECT_EQ(t.at(0).result, Json::array({"Fulcrum 2.1.1", "1.6"}));
  EXPECT_TRUE(t.at(0).crlf);
  EXPECT_EQ(t.at(0).shape.key_order, "id,jsonrpc,result");
  EXPECT_LT(t.at(0).line.size(), 200u);  // no ElectrumX padding added by the proxy
  EXPECT_EQ(t.at(1).result.get<std::string>().size(), 64u);
  ASSERT_EQ(t.at(2).result.size(), 1u);
  EXPECT_EQ(t.at(2).result[0]["tx_hash"], hash_of('a'));
  EXPECT_EQ(t.at(3).result, txid);
  ASSERT_TRUE(t.at(4).error.has_value());
  EXPECT_EQ(t.at(4).error->message, "Unsupported request: no.such.method");
  upstream.on_server([&](FakeBackend& b) { EXPECT_EQ(b.broadcasts.size(), 1u); });

  ASSERT_TRUE(proxy.wait_idle());
  const auto events = proxy.sink().events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().kind(), eo::v1::HONEYPOT_EVENT_CONNECT);
  EXPECT_EQ(events.front().honeypot_id(), "hp-proxy");
  const auto versions = of_kind(events, eo::v1::HONEYPOT_EVENT_VERSION);
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].client_name(), "electrum/4.5.4");
  EXPECT_EQ(versions[0].protocol_min(), "1.4");
  EXPECT_EQ(versions[0].protocol_max(), "1.6");
  for (const char* method :
       {"blockchain.scripthash.subscribe", "blockchain.scripthash.get_history"}) {
    const auto r = requests_for(events, method);
    ASSERT_EQ(r.size(), 1u) << method;
    ASSERT_EQ(r[0].scripthashes_size(), 1) << method;
    EXPECT_EQ(r[0].scripthashes(0), sh);
    EXPECT_EQ(r[0].action(), "answer");
    EXPECT_EQ(r[0].params_json(), "[\"" + sh + "\"]");
  }
  EXPECT_EQ(requests_for(events, "no.such.method").at(0).action(), "error");
  const auto broadcasts = of_kind(events, eo::v1::HONEYPOT_EVENT_BROADCAST);
  ASSERT_EQ(broadcasts.size(), 1u);
  EXPECT_EQ(broadcasts[0].txid(), txid);
  EXPECT_EQ(broadcasts[0].action(), "answer");
  const auto disconnects = of_kind(events, eo::v1::HONEYPOT_EVENT_DISCONNECT);
  ASSERT_EQ(disconnects.size(), 1u);
  EXPECT_EQ(disconnects[0].action(), "closed_by_peer");
  EXPECT_EQ(events.back().kind(), eo::v1::HONEYPOT_EVENT_DISCONNECT);
  const Json summary = Json::parse(disconnects[0].params_json());
  EXPECT_EQ(summary["requests"], 5);
  EXPECT_EQ(summary["errors"], 1);
}

TEST(Upstream, RelaysNotificationsAndTheClientsOwnIds) {
  ServerFixture upstream(default_profile(Base::electrs));
  const std::string sh = hash_of('6');
  ServerFixture proxy(default_profile(Base::electrumx), proxy_to(upstream.tcp_port()));
  RawClient client(proxy.tcp_port());
  ASSERT_TRUE(client.connected());
  client.send(
      "{\"jsonrpc\":\"2.0\",\"method\":\"server.version\",\"params\":[\"x\",\"1.4\"],"
      "\"id\":\"v-1\"}\n");
  const auto version = client.read_line();
  ASSERT_TRUE(version.has_value());
  EXPECT_EQ(Json::parse(*version)["id"], "v-1");
  client.send("{\"jsonrpc\":\"2.0\",\"method\":\"blockchain.scripthash.subscribe\",\"params\":[\"" +
              sh + "\"],\"id\":7}\n");
  const auto subscribed = client.read_line();
  ASSERT_TRUE(subscribed.has_value());
  EXPECT_EQ(Json::parse(*subscribed)["id"], 7);
  upstream.on_server([&](FakeBackend& b) { b.mine({sh}); });
  const auto notification = client.read_line();
  ASSERT_TRUE(notification.has_value());
  const Json n = Json::parse(*notification);
  EXPECT_EQ(n["method"], "blockchain.scripthash.subscribe");
  EXPECT_EQ(n["params"][0], sh);
}

TEST(Upstream, RelaysToATlsUpstreamFromATlsClient) {
  FixtureOptions upstream_options;
  upstream_options.tls = true;
  ServerFixture upstream(default_profile(Base::electrumx), upstream_options);
  FixtureOptions options = proxy_to(upstream.tls_port());
  options.config.upstream->tls = true;
  options.tls = true;
  ServerFixture proxy(default_profile(Base::fulcrum), options);
  const Transcript t = run_session(to_port(proxy.tls_port(), true), {version_call()});
  ASSERT_TRUE(t.connect.ok()) << t.connect.detail;
  ASSERT_EQ(t.replies.size(), 1u);
  EXPECT_EQ(t.at(0).result, Json::array({"ElectrumX 1.20.0", "1.4"}));
  EXPECT_GE(t.at(0).line.size(), 1023u);  // ElectrumX's own padding, relayed as it came
  ASSERT_TRUE(proxy.wait_idle());
  const auto events = proxy.sink().events();
  EXPECT_EQ(of_kind(events, eo::v1::HONEYPOT_EVENT_TLS_HELLO).size(), 1u);
  EXPECT_EQ(of_kind(events, eo::v1::HONEYPOT_EVENT_VERSION).size(), 1u);
  EXPECT_EQ(events.front().profile(), "fulcrum");
}

TEST(Upstream, CapsOutstandingRequestsPerSession) {
  // The upstream holds every reply back 300 ms, so three pipelined requests overlap.
  Profile slow =
      load_profile("base: electrs\nrules:\n  - name: slow\n    action: {type: delay, ms: 300}\n");
  ServerFixture upstream(slow);
  ServerFixture proxy(default_profile(Base::electrumx), proxy_to(upstream.tcp_port(), 2));
  RawClient client(proxy.tcp_port());
  ASSERT_TRUE(client.connected());
  client.send(
      "{\"jsonrpc\":\"2.0\",\"method\":\"server.ping\",\"id\":1}\n"
      "{\"jsonrpc\":\"2.0\",\"method\":\"server.ping\",\"id\":2}\n"
      "{\"jsonrpc\":\"2.0\",\"method\":\"server.ping\",\"id\":3}\n");
  std::vector<Json> replies;
  for (int i = 0; i < 3; ++i) {
    const auto line = client.read_line();
    ASSERT_TRUE(line.has_value()) << i;
    replies.push_back(Json::parse(*line));
  }
  EXPECT_EQ(replies[0]["id"], 3);  // refused at once, before the upstream answered 1 and 2
  EXPECT_EQ(replies[0]["error"]["code"], UpstreamRelay::kBusyCode);
  EXPECT_EQ(replies[1]["id"], 1);
  EXPECT_EQ(replies[2]["id"], 2);
  EXPECT_TRUE(replies[1].contains("result"));
  client.send("{\"jsonrpc\":\"2.0\",\"method\":\"server.ping\",\"id\":4}\n");
  const auto fourth = client.read_line();
  ASSERT_TRUE(fourth.has_value());
  EXPECT_TRUE(Json::parse(*fourth).contains("result"));  // room again once answered
}

TEST(Upstream, DeadUpstreamIsARecordedClientVisibleError) {
  const eo::test::ClosedPort dead;
  const int dead_port = dead.port();
  ServerFixture proxy(default_profile(Base::electrumx),
                      proxy_to(static_cast<std::uint16_t>(dead_port)));
  const Transcript t = run_session(to_port(proxy.tcp_port()), {version_call(), {"server.ping"}});
  ASSERT_TRUE(t.connect.ok());
  ASSERT_GE(t.replies.size(), 1u);
  ASSERT_TRUE(t.at(0).failure.ok()) << t.at(0).failure.detail;
  ASSERT_TRUE(t.at(0).error.has_value());
  EXPECT_EQ(t.at(0).error->code, UpstreamRelay::kUnavailableCode);
  ASSERT_TRUE(proxy.wait_idle());
  const auto events = proxy.sink().events();
  const auto versions = requests_for(events, "server.version");
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].action(), "error:upstream_refused");
  EXPECT_TRUE(of_kind(events, eo::v1::HONEYPOT_EVENT_VERSION).empty());
  const auto disconnects = of_kind(events, eo::v1::HONEYPOT_EVENT_DISCONNECT);
  ASSERT_EQ(disconnects.size(), 1u);
  EXPECT_EQ(disconnects[0].action(), "upstream_refused");
  // The proxy itself carries on.
  const Transcript again = run_session(to_port(proxy.tcp_port()), {version_call()});
  ASSERT_TRUE(again.connect.ok());
  ASSERT_EQ(again.replies.size(), 1u);
  EXPECT_TRUE(again.at(0).error.has_value());
}

TEST(Upstream, UpstreamClosingMidRequestAnswersTheClient) {
  // An upstream that reads one request and hangs up without answering.
  eo::test::LineServer upstream(
      [](boost::asio::ip::tcp::socket socket) -> boost::asio::awaitable<void> {
        co_await eo::test::read_line(socket);
        socket.close();
      });
  ServerFixture proxy(default_profile(Base::electrumx),
                      proxy_to(static_cast<std::uint16_t>(upstream.port())));
  const Transcript t = run_session(to_port(proxy.tcp_port()), {version_call()});
  ASSERT_EQ(t.replies.size(), 1u);
  ASSERT_TRUE(t.at(0).error.has_value()) << t.at(0).failure.detail;
  EXPECT_EQ(t.at(0).error->code, UpstreamRelay::kUnavailableCode);
  ASSERT_TRUE(proxy.wait_idle());
  const auto events = proxy.sink().events();
  EXPECT_EQ(requests_for(events, "server.version").at(0).action(), "error:upstream_closed_by_peer");
  EXPECT_EQ(of_kind(events, eo::v1::HONEYPOT_EVENT_DISCONNECT).at(0).action(),
            "upstream_closed_by_peer");
}

}  // namespace
}  // namespace eo::honeypot::server::test
