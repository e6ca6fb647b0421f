// The protocol engine without sockets: every method's reply bytes and shapes, batches, named
// params, argument errors, version negotiation per implementation, and chain notifications.
#include "honeypot/server/dispatch.h"
#include "honeypot/server/memory_event_sink.h"
#include "tests/honeypot/server/fake_backend.h"

#include <gtest/gtest.h>

namespace eo::honeypot::server {
namespace {

using Json = nlohmann::json;
using test::hash_of;

struct Harness {
  explicit Harness(Profile p)
      : profile(std::move(p)),
        events(RecorderConfig{"hp", false, "", 4096}, sink, random),
        dispatcher(profile, backend),
        state(SessionRecorder(events, "session-1", peer(), profile.name), peer(),
              CostMeter(profile.limits.cost, nullptr, Clock::now())) {
    dispatcher.open(state);
  }

  static PeerEndpoint peer() {
    return PeerEndpoint{*IpAddress::parse("127.0.0.1"), 40000, "127.0.0.1:50001", "tcp"};
  }

  LineOutcome line(const std::string& text) {
    return dispatcher.handle_line(state, electrum::FramedLine{text, false, false});
  }
  std::string reply(const std::string& text) { return line(text).reply; }
  // The result (or error) of one call, parsed.
  Json call(const std::string& method, const Json& params = Json::array(), int id = 1) {
    const std::string r =
        reply(Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump());
    return r.empty() ? Json() : Json::parse(r);
  }
  void identify(const Json& range = "1.4") { call("server.version", Json::array({"t", range})); }

  Profile profile;
  test::FakeBackend backend;
  MemoryEventSink sink;
  RandomSource random;
  EventFactory events;
  Dispatcher dispatcher;
  SessionState state;
};

Profile electrumx() {
  Profile p = default_profile(Base::electrumx);
  p.limits.pad_sends = false;
  return p;
}

TEST(Dispatch, ElectrumxRepliesByteForByte) {
  Harness h(electrumx());
  EXPECT_EQ(
      h.reply(R"({"jsonrpc":"2.0","method":"server.version","params":["t",["1.4","9.9"]],"id":0})"),
      "{\"jsonrpc\":\"2.0\",\"result\":[\"ElectrumX 1.20.0\",\"1.6.0\"],\"id\":0}\n");
  EXPECT_EQ(h.reply(R"({"jsonrpc":"2.0","method":"server.banner","id":"b"})"),
            "{\"jsonrpc\":\"2.0\",\"result\":\"You are connected to an ElectrumX 1.20.0 "
            "server.\",\"id\":\"b\"}\n");
  EXPECT_EQ(h.reply(R"({"jsonrpc":"2.0","method":"server.donation_address","params":[],"id":2})"),
            "{\"jsonrpc\":\"2.0\",\"result\":\"\",\"id\":2}\n");
  EXPECT_EQ(h.reply(R"({"jsonrpc":"2.0","method":"nope","params":[],"id":3})"),
            "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"unknown method "
            "\\\"nope\\\"\"},\"id\":3}\n");
  EXPECT_EQ(h.reply("{"),
            "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"invalid "
            "JSON\"},\"id\":null}\n");
  EXPECT_EQ(h.reply("[]"),
            "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"batch is "
            "empty\"},\"id\":null}\n");
}

TEST(Dispatch, EachEventCarriesTheEnvelopeAndOnlyItsOwnFields) {
  Harness h(electrumx());
  h.identify();
  h.call("blockchain.scripthash.subscribe", {hash_of('5')});
  h.call("server.ping");
  const auto events = h.sink.events();
  ASSERT_GE(events.size(), 3u);
  const auto& subscribe = events[events.size() - 2];
  const auto& ping = events.back();
  EXPECT_EQ(subscribe.scripthashes_size(), 1);
  EXPECT_EQ(ping.scripthashes_size(), 0);
  EXPECT_EQ(ping.method(), "server.ping");
  EXPECT_EQ(ping.params_json(), "[]");
  EXPECT_NE(ping.event_id(), subscribe.event_id());
  EXPECT_EQ(ping.session_id(), "session-1");
  EXPECT_EQ(ping.honeypot_id(), "hp");
  EXPECT_EQ(ping.peer_ip(), "127.0.0.1");
  EXPECT_EQ(ping.peer_port(), 40000u);
  EXPECT_EQ(ping.local_address(), "127.0.0.1:50001");
  EXPECT_EQ(ping.transport(), "tcp");
}

// What BusEventSink relies on: the envelope's bytes followed by an event's own bytes parse as
// the whole event.
TEST(Dispatch, EnvelopeBytesThenOwnBytesParseAsTheMergedEvent) {
  SessionEnvelope envelope;
  envelope.fields.set_session_id("s-1");
  envelope.fields.set_peer_ip("10.0.0.1");
  envelope.fields.set_peer_port(5);
  envelope.fields.SerializeToString(&envelope.bytes);
  eo::v1::HoneypotEvent own;
  own.set_method("blockchain.scripthash.subscribe");
  own.add_scripthashes(hash_of('5'));
  own.set_latency_us(12);
  eo::v1::HoneypotEvent parsed;
  ASSERT_TRUE(parsed.ParseFromString(envelope.bytes + own.SerializeAsString()));
  eo::v1::HoneypotEvent merged = envelope.fields;
  merged.MergeFrom(own);
  EXPECT_EQ(parsed.SerializeAsString(), merged.SerializeAsString());
}

TEST(Dispatch, EveryMethodAnswersWithItsShape) {
  Harness h(electrumx());
  const std::string sh = hash_of('5');
  const auto [raw, txid] = test::sample_transaction(1);
  h.backend.add_history(sh, {hash_of('a'), 3, 0});
  h.backend.add_history(sh, {hash_of('b'), 0, 150});
  h.backend.add_utxo(sh, {hash_of('a'), 1, 3, 5000});
  h.backend.add_transaction(txid, raw, 3);
  h.identify();

  const Json features = h.call("server.features")["result"];
  for (const char* key : {"hosts", "pruning", "server_version", "protocol_min", "protocol_max",
                          "genesis_hash", "hash_function", "services"}) {
    EXPECT_TRUE(features.contains(key)) << key;
  }
  EXPECT_EQ(features["genesis_hash"], h.backend.genesis_hash());
  EXPECT_TRUE(h.call("server.peers.subscribe")["result"].is_array());
  EXPECT_TRUE(h.call("server.ping")["result"].is_null());
  const Json tip = h.call("blockchain.headers.subscribe")["result"];
  EXPECT_EQ(tip["height"], 10);
  EXPECT_EQ(tip["hex"].get<std::string>().size(), 160u);
  EXPECT_EQ(h.call("blockchain.block.header", {3})["result"], *h.backend.header_hex(3));
  EXPECT_EQ(h.call("blockchain.block.header", {3, 5})["error"]["code"], 1);
  EXPECT_EQ(h.call("blockchain.block.header", {99})["error"]["message"], "height 99 out of range");
  const Json headers = h.call("blockchain.block.headers", {8, 5000})["result"];
  EXPECT_EQ(headers["count"], 3);
  EXPECT_EQ(headers["max"], 2016);
  EXPECT_EQ(headers["hex"].get<std::string>().size(), 3u * 160);
  EXPECT_EQ(h.call("blockchain.estimatefee", {6})["result"], 0.0001);
  EXPECT_EQ(h.call("blockchain.relayfee")["result"], 0.00001);
  EXPECT_EQ(h.call("mempool.get_fee_histogram")["result"], Json::array());

  const Json status = h.call("blockchain.scripthash.subscribe", {sh})["result"];
  EXPECT_EQ(status, *h.backend.status(sh));
  EXPECT_TRUE(h.call("blockchain.scripthash.subscribe", {hash_of('6')})["result"].is_null());
  const Json history = h.call("blockchain.scripthash.get_history", {sh})["result"];
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0], Json({{"tx_hash", hash_of('a')}, {"height", 3}}));
  EXPECT_EQ(history[1], Json({{"tx_hash", hash_of('b')}, {"height", 0}, {"fee", 150}}));
  EXPECT_EQ(h.call("blockchain.scripthash.get_mempool", {sh})["result"].size(), 1u);
  EXPECT_EQ(
      h.call("blockchain.scripthash.listunspent", {sh})["result"],
      Json::array({{{"tx_hash", hash_of('a')}, {"tx_pos", 1}, {"height", 3}, {"value", 5000}}}));
  EXPECT_EQ(h.call("blockchain.scripthash.get_balance", {sh})["result"],
            Json({{"confirmed", 5000}, {"unconfirmed", 0}}));
  EXPECT_EQ(h.call("blockchain.scripthash.unsubscribe", {sh})["result"], true);
  EXPECT_EQ(h.call("blockchain.scripthash.unsubscribe", {sh})["result"], false);

  EXPECT_EQ(h.call("blockchain.transaction.get", {txid})["result"], raw);
  EXPECT_EQ(h.call("blockchain.transaction.get", {txid, false})["result"], raw);
  EXPECT_EQ(h.call("blockchain.transaction.get", {txid, true})["error"]["code"], 2);
  EXPECT_EQ(h.call("blockchain.transaction.get", {hash_of('e')})["error"]["code"], 2);
  const Json merkle = h.call("blockchain.transaction.get_merkle", {txid, 3})["result"];
  EXPECT_EQ(merkle["block_height"], 3);
  EXPECT_EQ(merkle["pos"], 1);
  EXPECT_EQ(merkle["merkle"].size(), 2u);
  EXPECT_EQ(h.call("blockchain.transaction.broadcast", {raw})["result"], txid);
  EXPECT_EQ(h.backend.broadcasts.size(), 1u);
}

TEST(Dispatch, ProtocolOneSixReturnsHeadersAsAList) {
  Harness h(electrumx());
  h.identify(Json::array({"1.4", "1.6"}));
  const Json headers = h.call("blockchain.block.headers", {0, 2})["result"];
  EXPECT_EQ(headers["count"], 2);
  ASSERT_TRUE(headers["headers"].is_array());
  EXPECT_EQ(headers["headers"][1], *h.backend.header_hex(1));
}

TEST(Dispatch, InputIsValidatedWithEachImplementationsTexts) {
  Harness x(electrumx());
  x.identify();
  EXPECT_EQ(x.call("blockchain.scripthash.get_history", {"zz"})["error"],
            Json({{"code", 1}, {"message", "zz is not a valid script hash"}}));
  EXPECT_EQ(x.call("blockchain.scripthash.get_history")["error"]["message"],
            "0 arguments passed to method \"blockchain.scripthash.get_history\" but it requires 1");
  EXPECT_EQ(x.call("server.banner", {1})["error"]["message"],
            "1 argument passed to method server.banner taking at most 0");
  EXPECT_EQ(x.call("blockchain.block.header", {-4})["error"]["message"],
            "-4 should be a non-negative integer");
  EXPECT_EQ(x.call("blockchain.transaction.get", {"12"})["error"]["message"],
            "12 should be a transaction hash");
  EXPECT_EQ(x.call("blockchain.transaction.broadcast", {"xyz"})["error"]["message"],
            "xyz should be a hex string");

  Harness f(default_profile(Base::fulcrum));
  EXPECT_EQ(f.call("blockchain.scripthash.get_history", {"zz"})["error"],
            Json({{"code", 1}, {"message", "Invalid scripthash"}}));
  EXPECT_EQ(f.call("blockchain.scripthash.get_history")["error"]["message"],
            "Expected at least 1 parameter for blockchain.scripthash.get_history, got 0 instead");
  EXPECT_EQ(f.call("x.y")["error"]["message"], "Unsupported request: x.y");

  Harness e(default_profile(Base::electrs));
  EXPECT_EQ(e.call("blockchain.scripthash.get_history", {"zz"})["error"],
            Json({{"code", -32602}, {"message", "invalid params"}}));
  EXPECT_EQ(e.call("x.y")["error"], Json({{"code", -32601}, {"message", "method not found"}}));
}

TEST(Dispatch, VersionNegotiationPerImplementation) {
  const Json wide = Json::array({"probe", Json::array({"1.4", "9.9"})});
  EXPECT_EQ(Harness(electrumx()).call("server.version", wide)["result"],
            Json::array({"ElectrumX 1.20.0", "1.6.0"}));
  EXPECT_EQ(Harness(default_profile(Base::fulcrum)).call("server.version", wide)["result"],
            Json::array({"Fulcrum 2.1.1", "1.6"}));
  EXPECT_EQ(Harness(default_profile(Base::electrs)).call("server.version", wide)["result"],
            Json::array({"electrs/0.11.1", "1.4"}));
  EXPECT_EQ(Harness(default_profile(Base::electrs)).call("server.version")["error"]["code"],
            -32602);
  Harness old(electrumx());
  const LineOutcome out =
      old.line(R"({"jsonrpc":"2.0","method":"server.version","params":["x","1.2"],"id":1})");
  EXPECT_NE(out.reply.find("unsupported protocol version: 1.2"), std::string::npos);
  EXPECT_TRUE(out.close);
  Harness twice(electrumx());
  twice.identify();
  EXPECT_EQ(twice.call("server.version", {"t", "1.4"})["error"]["message"],
            "server.version already sent");
}

TEST(Dispatch, BatchesNamedParamsAndNotifications) {
  Harness h(electrumx());
  h.identify();
  const std::string batch =
      R"([{"jsonrpc":"2.0","method":"server.ping","id":1},)"
      R"({"jsonrpc":"2.0","method":"blockchain.block.header","params":{"height":2},"id":2},)"
      R"({"jsonrpc":"2.0","method":"server.ping"}, 7])";
  const Json reply = Json::parse(h.reply(batch));
  ASSERT_TRUE(reply.is_array());
  ASSERT_EQ(reply.size(), 3u);  // the notification gets none, the bad element an error
  EXPECT_EQ(reply[0]["id"], 1);
  EXPECT_EQ(reply[1]["result"], *h.backend.header_hex(2));
  EXPECT_EQ(reply[2]["error"]["code"], -32600);
  EXPECT_EQ(h.reply(R"({"jsonrpc":"2.0","method":"server.ping"})"), "");
}

TEST(Dispatch, ChainChangesBecomeNotificationsForSubscribers) {
  Harness h(electrumx());
  h.identify();
  const std::string sh = hash_of('7');
  h.call("blockchain.headers.subscribe");
  h.call("blockchain.scripthash.subscribe", {sh});
  h.backend.mine({sh, hash_of('8')});
  StatusCache cache;
  const auto lines = h.dispatcher.notifications(h.state, {11, {sh, hash_of('8')}}, cache);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "{\"jsonrpc\":\"2.0\",\"method\":\"blockchain.headers.subscribe\",\"params\":"
            "[{\"hex\":\"" +
                *h.backend.header_hex(11) + "\",\"height\":11}]}\n");
  EXPECT_EQ(Json::parse(lines[1])["params"], Json::array({sh, *h.backend.status(sh)}));
  EXPECT_TRUE(h.dispatcher.notifications(h.state, {11, {}}, cache).empty());  // tip unchanged
}

TEST(Dispatch, OversizeLinesAreDroppedSilentlyButRecorded) {
  Harness h(electrumx());
  const LineOutcome out = h.dispatcher.handle_line(h.state, electrum::FramedLine{"", false, true});
  EXPECT_TRUE(out.reply.empty());
  EXPECT_FALSE(out.close);
  ASSERT_EQ(h.sink.size(), 1u);
  EXPECT_EQ(h.sink.events()[0].action(), "drop:oversize_line");
}

}  // namespace
}  // namespace eo::honeypot::server
