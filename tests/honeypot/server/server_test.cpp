// The server over loopback with our Electrum client: every method's shape on the wire,
// notifications after a chain change, the events of each step, TLS ClientHello fingerprints,
// pseudonymization and the session's timeouts.
#include "honeypot/server/privacy.h"
#include "tests/honeypot/server/server_fixture.h"
#include "tests/support/certs.h"
#include "tests/support/run.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace eo::honeypot::server::test {
namespace {

namespace asio = boost::asio;
using eo::v1::HoneypotEvent;

bool is_uuid(const std::string& s) {
  static const std::regex shape(
      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  return std::regex_match(s, shape);
}

TEST(Server, EveryMethodAnswersOverTheWire) {
  ServerFixture f(default_profile(Base::electrumx));
  const std::string sh = hash_of('5');
  const auto [raw, txid] = sample_transaction(1);
  f.on_server([&](FakeBackend& b) {
    b.add_history(sh, {hash_of('a'), 3, 0});
    b.add_utxo(sh, {hash_of('a'), 0, 3, 1234});
    b.add_transaction(txid, raw, 3);
  });
  const Transcript t = run_session(
      to_port(f.tcp_port()), {version_call(),
                              {"server.features"},
                              {"server.banner"},
                              {"server.donation_address"},
                              {"server.peers.subscribe"},
                              {"server.ping"},
                              {"blockchain.headers.subscribe"},
                              {"blockchain.block.header", Json::array({5})},
                              {"blockchain.block.headers", Json::array({0, 4})},
                              {"blockchain.estimatefee", Json::array({2})},
                              {"blockchain.relayfee"},
                              {"mempool.get_fee_histogram"},
                              {"blockchain.scripthash.subscribe", Json::array({sh})},
                              {"blockchain.scripthash.get_history", Json::array({sh})},
                              {"blockchain.scripthash.get_mempool", Json::array({sh})},
                              {"blockchain.scripthash.listunspent", Json::array({sh})},
                              {"blockchain.scripthash.get_balance", Json::array({sh})},
                              {"blockchain.scripthash.unsubscribe", Json::array({sh})},
                              {"blockchain.transaction.get", Json::array({txid})},
                              {"blockchain.transaction.get", Json::array({txid, true})},
                              {"blockchain.transaction.get_merkle", Json::array({txid, 3})},
                              {"blockchain.transaction.broadcast", Json::array({raw})},
                              {"blockchain.scripthash.get_balance", Json::array({"not-a-hash"})}});
  ASSERT_TRUE(t.connect.ok()) << t.connect.detail;
  ASSERT_EQ(t.replies.size(), 23u);
  for (std::size_t i = 0; i < 23; ++i) {
    EXPECT_TRUE(t.at(i).failure.ok()) << i << " " << t.at(i).failure.detail;
  }
  EXPECT_EQ(t.at(0).result, Json::array({"ElectrumX 1.20.0", "1.4"}));
  EXPECT_EQ(t.at(0).shape.key_order, "jsonrpc,result,id");
  EXPECT_GE(t.at(0).line.size(), 1023u);  // ElectrumX pads its sends to 1024 bytes and more
  EXPECT_TRUE(t.at(1).result.contains("genesis_hash"));
  EXPECT_TRUE(t.at(2).result.is_string());
  EXPECT_EQ(t.at(3).result, "");
  EXPECT_TRUE(t.at(4).result.is_array());
  EXPECT_TRUE(t.at(5).result.is_null());
  EXPECT_EQ(t.at(6).result["height"], 10);
  EXPECT_EQ(t.at(7).result.get<std::string>().size(), 160u);
  EXPECT_EQ(t.at(8).result["count"], 4);
  EXPECT_TRUE(t.at(9).result.is_number());
  EXPECT_TRUE(t.at(10).result.is_number());
  EXPECT_EQ(t.at(11).result, Json::array());
  EXPECT_EQ(t.at(12).result.get<std::string>().size(), 64u);
  EXPECT_EQ(t.at(13).result.size(), 1u);
  EXPECT_EQ(t.at(14).result, Json::array());
  EXPECT_EQ(t.at(15).result[0]["value"], 1234);
  EXPECT_EQ(t.at(16).result["confirmed"], 1234);
  EXPECT_EQ(t.at(17).result, true);
  EXPECT_EQ(t.at(18).result, raw);
  ASSERT_TRUE(t.at(19).error);
  EXPECT_EQ(t.at(19).error->code, 2);
  EXPECT_EQ(t.at(20).result["pos"], 1);
  EXPECT_EQ(t.at(21).result, txid);
  ASSERT_TRUE(t.at(22).error);
  EXPECT_EQ(t.at(22).error->code, 1);
  EXPECT_EQ(t.at(22).error->message, "not-a-hash is not a valid script hash");

  ASSERT_TRUE(f.wait_idle());
  const auto events = f.sink().events();
  const auto connects = of_kind(events, eo::v1::HONEYPOT_EVENT_CONNECT);
  ASSERT_EQ(connects.size(), 1u);
  const HoneypotEvent& c = connects[0];
  EXPECT_EQ(c.peer_ip(), "127.0.0.1");
  EXPECT_TRUE(c.peer_pseudonym().empty());
  EXPECT_GT(c.peer_port(), 0u);
  EXPECT_EQ(c.local_address(), "127.0.0.1:" + std::to_string(f.tcp_port()));
  EXPECT_EQ(c.transport(), "tcp");
  EXPECT_EQ(c.action(), "answer");
  std::set<std::string> ids;
  for (const auto& e : events) {
    EXPECT_TRUE(is_uuid(e.event_id())) << e.event_id();
    ids.insert(e.event_id());
    EXPECT_EQ(e.honeypot_id(), "hp-test");
    EXPECT_EQ(e.session_id(), c.session_id());
    EXPECT_EQ(e.profile(), "electrumx");
    EXPECT_GT(e.time_unix_us(), 1'600'000'000'000'000);
    EXPECT_FALSE(e.action().empty());
  }
  EXPECT_EQ(ids.size(), events.size());
  const auto versions = of_kind(events, eo::v1::HONEYPOT_EVENT_VERSION);
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].client_name(), "electrum/4.5.4");
  EXPECT_EQ(versions[0].protocol_min(), "1.4");
  EXPECT_EQ(versions[0].protocol_max(), "1.4");
  const auto requests = of_kind(events, eo::v1::HONEYPOT_EVENT_REQUEST);
  ASSERT_EQ(requests.size(), 23u);
  EXPECT_EQ(requests[7].method(), "blockchain.block.header");
  EXPECT_EQ(requests[7].params_json(), "[5]");
  EXPECT_EQ(requests[12].method(), "blockchain.scripthash.subscribe");
  ASSERT_EQ(requests[12].scripthashes_size(), 1);
  EXPECT_EQ(requests[12].scripthashes(0), sh);
  EXPECT_EQ(requests[19].action(), "error");
  for (const auto& r : requests) EXPECT_LT(r.latency_us(), 1'000'000u);
  const auto broadcasts = of_kind(events, eo::v1::HONEYPOT_EVENT_BROADCAST);
  ASSERT_EQ(broadcasts.size(), 1u);
  EXPECT_EQ(broadcasts[0].txid(), txid);
  EXPECT_EQ(broadcasts[0].action(), "answer");
  const auto disconnects = of_kind(events, eo::v1::HONEYPOT_EVENT_DISCONNECT);
  ASSERT_EQ(disconnects.size(), 1u);
  EXPECT_EQ(disconnects[0].action(), "closed_by_peer");
  const Json summary = Json::parse(disconnects[0].params_json());
  EXPECT_EQ(summary["requests"], 23);
  EXPECT_EQ(summary["errors"], 2);
  EXPECT_GT(summary["bytes_out"].get<int>(), 23 * 1000);
  EXPECT_EQ(events.front().kind(), eo::v1::HONEYPOT_EVENT_CONNECT);
  EXPECT_EQ(events.back().kind(), eo::v1::HONEYPOT_EVENT_DISCONNECT);
}

// Plain functions: GCC 12 cannot hold an initializer list in a coroutine frame.
Json one_param(const std::string& value) { return Json::array({value}); }
void mine_touching(ServerFixture* fixture, const std::string& sh) {
  fixture->on_server([sh](FakeBackend& b) { b.mine({sh}); });
}

asio::awaitable<std::vector<electrum::Reply>> subscribe_and_wait(asio::io_context& io,
                                                                 net::ConnectOptions options,
                                                                 std::string sh,
                                                                 ServerFixture* fixture) {
  electrum::Client client(io.get_executor());
  std::vector<electrum::Reply> out;
  if (!(co_await client.connect(std::move(options))).ok()) co_return out;
  co_await client.call("server.version", version_call().params);
  out.push_back(co_await client.call("blockchain.headers.subscribe"));
  out.push_back(co_await client.call("blockchain.scripthash.subscribe", one_param(sh)));
  mine_touching(fixture, sh);
  out.push_back(co_await client.read_reply());
  out.push_back(co_await client.read_reply());
  client.close();
  co_return out;
}

TEST(Server, NotificationsFlowAfterAChainChange) {
  ServerFixture f(default_profile(Base::fulcrum));
  const std::string sh = hash_of('c');
  ServerFixture* fixture = &f;
  const auto replies = eo::test::run<std::vector<electrum::Reply>>(
      [port = f.tcp_port(), sh, fixture](asio::io_context& io) {
        return subscribe_and_wait(io, to_port(port), sh, fixture);
      });
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(replies[0].result["height"], 10);
  EXPECT_TRUE(replies[1].result.is_null());
  EXPECT_EQ(replies[2].result["method"], "blockchain.headers.subscribe");
  EXPECT_EQ(replies[2].result["params"][0]["height"], 11);
  EXPECT_TRUE(replies[2].crlf);
  EXPECT_EQ(replies[2].shape.key_order, "jsonrpc,method,params");
  EXPECT_EQ(replies[3].result["method"], "blockchain.scripthash.subscribe");
  EXPECT_EQ(replies[3].result["params"][0], sh);
  std::optional<std::string> status;
  f.on_server([&](FakeBackend& b) { status = b.status(sh); });
  ASSERT_TRUE(status);
  EXPECT_EQ(replies[3].result["params"][1], *status);
}

TEST(Server, TlsClientHelloIsFingerprintedAndStable) {
  FixtureOptions options;
  options.tls = true;
  ServerFixture f(default_profile(Base::electrs), options);
  for (int i = 0; i < 2; ++i) {
    const Transcript t = run_session(to_port(f.tls_port(), true), {version_call()});
    ASSERT_TRUE(t.connect.ok()) << t.connect.detail;
    EXPECT_EQ(t.at(0).result[0], "electrs/0.11.1");
  }
  ASSERT_TRUE(f.wait_idle());
  const auto hellos = f.sink().events_of(eo::v1::HONEYPOT_EVENT_TLS_HELLO);
  ASSERT_EQ(hellos.size(), 2u);
  for (const auto& h : hellos) {
    EXPECT_EQ(h.transport(), "tls");
    EXPECT_TRUE(std::regex_match(h.tls_fingerprint(), std::regex("^[0-9a-f]{32}$")));
    EXPECT_EQ(h.tls_fingerprint_raw().rfind("771,", 0), 0u) << h.tls_fingerprint_raw();
    EXPECT_EQ(std::count(h.tls_fingerprint_raw().begin(), h.tls_fingerprint_raw().end(), ','), 4);
  }
  EXPECT_EQ(hellos[0].tls_fingerprint(), hellos[1].tls_fingerprint());
  EXPECT_NE(hellos[0].session_id(), hellos[1].session_id());
}

TEST(Server, PlainBytesOnTheTlsPortEndTheSessionWithoutAHello) {
  FixtureOptions options;
  options.tls = true;
  ServerFixture f(default_profile(Base::fulcrum), options);
  RawClient raw(f.tls_port());
  raw.send("{\"id\":1,\"method\":\"server.ping\"}\n");
  EXPECT_TRUE(raw.wait_closed());
  ASSERT_TRUE(f.wait_idle());
  EXPECT_TRUE(f.sink().events_of(eo::v1::HONEYPOT_EVENT_TLS_HELLO).empty());
  const auto d = f.sink().events_of(eo::v1::HONEYPOT_EVENT_DISCONNECT);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].action(), "tls_handshake_failed");
  EXPECT_EQ(d[0].transport(), "tls");
}

asio::awaitable<std::string> leaf_fingerprint(asio::io_context& io, net::ConnectOptions options) {
  electrum::Client client(io.get_executor());
  const net::Failure failure = co_await client.connect(std::move(options));
  std::string fingerprint;
  const auto& tls = client.connection().tls();
  if (failure.ok() && tls && !tls->chain.empty()) fingerprint = tls->chain[0].sha256_fingerprint;
  client.close();
  co_return fingerprint;
}

std::string fingerprint_at(std::uint16_t port) {
  return eo::test::run<std::string>(
      [port](asio::io_context& io) { return leaf_fingerprint(io, to_port(port, true)); });
}

TEST(Server, OneCertificateSharedBySeveralHoneypotsIsJustConfiguration) {
  eo::test::TempDir dir;
  eo::test::write_self_signed_cert({}, dir.file("shared.pem"), dir.file("shared.key"));
  FixtureOptions shared;
  ListenerConfig tls;
  tls.transport = Transport::tls;
  tls.cert_file = dir.file("shared.pem");
  tls.key_file = dir.file("shared.key");
  shared.config.listeners = {ListenerConfig{}, tls};
  ServerFixture a(default_profile(Base::electrumx), shared);
  ServerFixture b(default_profile(Base::fulcrum), shared);
  FixtureOptions own;
  own.tls = true;
  ServerFixture c(default_profile(Base::electrumx), own);
  const std::string fa = fingerprint_at(a.tls_port());
  ASSERT_EQ(fa.size(), 64u);
  EXPECT_EQ(fa, fingerprint_at(b.tls_port()));
  EXPECT_NE(fa, fingerprint_at(c.tls_port()));
}

TEST(Server, PseudonymizationReplacesTheIpWithAnHmac) {
  FixtureOptions options;
  options.config.pseudonymize = true;
  options.config.pseudonym_salt = "a-salt-of-our-own-choosing";
  ServerFixture f(default_profile(Base::fulcrum), options);
  run_session(to_port(f.tcp_port()), {version_call()});
  ASSERT_TRUE(f.wait_idle());
  const auto events = f.sink().events();
  ASSERT_FALSE(events.empty());
  for (const auto& e : events) {
    EXPECT_TRUE(e.peer_ip().empty());
    EXPECT_EQ(e.peer_pseudonym(), ip_pseudonym("a-salt-of-our-own-choosing", "127.0.0.1"));
  }
}

TEST(Server, IdleSessionsAreClosed) {
  Profile p = default_profile(Base::fulcrum);
  p.limits.idle_timeout = milliseconds(200);
  ServerFixture f(p);
  RawClient raw(f.tcp_port());
  ASSERT_TRUE(raw.connected());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(raw.wait_closed(milliseconds(3000)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  ASSERT_TRUE(f.wait_idle());
  const auto d = f.sink().events_of(eo::v1::HONEYPOT_EVENT_DISCONNECT);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].action(), "idle_timeout");
}

TEST(Server, StopEndsEverySessionWithAnEvent) {
  ServerFixture f(default_profile(Base::electrs));
  RawClient a(f.tcp_port());
  RawClient b(f.tcp_port());
  a.send("{\"id\":1,\"method\":\"server.ping\",\"params\":[]}\n");
  ASSERT_TRUE(a.read_line());
  f.on_server([&](FakeBackend&) { f.server().stop(); });
  EXPECT_TRUE(a.wait_closed());
  EXPECT_TRUE(b.wait_closed());
  ASSERT_TRUE(f.wait_idle());
  const auto d = f.sink().events_of(eo::v1::HONEYPOT_EVENT_DISCONNECT);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].action(), "server_stop");
  EXPECT_EQ(d[1].action(), "server_stop");
  RawClient late(f.tcp_port());
  EXPECT_FALSE(late.connected());
}

}  // namespace
}  // namespace eo::honeypot::server::test
