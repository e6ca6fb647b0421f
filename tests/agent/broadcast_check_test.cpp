// broadcast_check against the honeypot: honest emulations answer a rejected broadcast with the
// node's reason in their own words, a phishing_broadcast rule with its lure; the probe keeps each
// answer verbatim, its framing and whether the session survived. And the transactions it sends
// can never be valid.
#include "agent/probes/broadcast_check/broadcast_check.h"
#include "common/bitcoin/hex.h"
#include "common/bitcoin/tx.h"

#include "tests/agent/local_probe.h"
#include "tests/honeypot/server/server_fixture.h"
#include "tests/support/line_server.h"

#include <gtest/gtest.h>

namespace eo::agent {
namespace {

namespace asio = boost::asio;
using honeypot::server::Base;
using honeypot::server::default_profile;
using honeypot::server::load_profile;
using honeypot::server::test::ServerFixture;

constexpr const char* kReason = "bad-txns-inputs-missingorspent";

v1::Observation run_broadcast_check(std::uint16_t port) {
  return test::run_local_probe(test::local_probe_request(port, "broadcast_check"));
}

nlohmann::json result_of(const v1::Observation& o) {
  return nlohmann::json::parse(o.result_json());
}

TEST(BroadcastCheckTransactions, NeitherCanEverBeValid) {
  auto undecodable = bitcoin::from_hex(probes::undecodable_transaction_hex());
  ASSERT_TRUE(undecodable);
  EXPECT_FALSE(bitcoin::parse_transaction(*undecodable));

  auto bytes = bitcoin::from_hex(probes::unspendable_transaction_hex());
  ASSERT_TRUE(bytes);
  auto tx = bitcoin::parse_transaction(*bytes);
  ASSERT_TRUE(tx);
  EXPECT_FALSE(tx->is_coinbase());
  ASSERT_EQ(tx->inputs.size(), 1u);
  EXPECT_TRUE(tx->inputs[0].witness.empty());
  // The signature push is not DER (a DER signature starts with 0x30).
  ASSERT_GT(tx->inputs[0].script_sig.size(), 2u);
  EXPECT_NE(tx->inputs[0].script_sig[1], 0x30);
  // Nothing to spend even if the input were valid: one zero-value OP_RETURN output.
  ASSERT_EQ(tx->outputs.size(), 1u);
  EXPECT_EQ(tx->outputs[0].value, 0);
  ASSERT_FALSE(tx->outputs[0].script_pubkey.empty());
  EXPECT_EQ(tx->outputs[0].script_pubkey[0], 0x6a);
}

struct Expect {
  Base base;
  std::int64_t code;
  std::string undecodable_message;
  std::string key_order;
};

class BroadcastCheckVsProfiles : public ::testing::TestWithParam<Expect> {};

TEST_P(BroadcastCheckVsProfiles, KeepsTheRejectionVerbatim) {
  const Expect& e = GetParam();
  ServerFixture server(default_profile(e.base));
  server.on_server([](auto& backend) { backend.reject_reason = kReason; });

  auto o = run_broadcast_check(server.tcp_port());
  ASSERT_EQ(o.outcome(), v1::OUTCOME_OK) << o.failure();
  auto r = result_of(o);
  ASSERT_TRUE(r["undecodable"].contains("error")) << r.dump();
  EXPECT_EQ(r["undecodable"]["error"]["code"], e.code) << r.dump();
  EXPECT_EQ(r["undecodable"]["error"]["message"], e.undecodable_message) << r.dump();
  EXPECT_EQ(r["undecodable"]["key_order"], e.key_order) << r.dump();
  EXPECT_TRUE(r["undecodable"]["alive_after"]) << r.dump();
  ASSERT_TRUE(r["unspendable"].contains("error")) << r.dump();
  EXPECT_NE(r["unspendable"]["error"]["message"].get<std::string>().find(kReason),
            std::string::npos)
      << r.dump();
  EXPECT_TRUE(r["unspendable"]["alive_after"]) << r.dump();
  EXPECT_FALSE(r["unspendable"].contains("truncated"));
  // version, two broadcasts, two pings: no retries.
  EXPECT_EQ(o.exchanges_size(), 5);
  std::vector<std::string> sent;
  server.on_server([&](auto& backend) { sent = backend.broadcasts; });
  EXPECT_EQ(sent, (std::vector<std::string>{probes::undecodable_transaction_hex(),
                                            probes::unspendable_transaction_hex()}));
}

INSTANTIATE_TEST_SUITE_P(
    Implementations, BroadcastCheckVsProfiles,
    ::testing::Values(Expect{Base::electrumx, 1,
                             std::string("the transaction was rejected by network rules.\n\n") +
                                 kReason + "\n[deadbeef]",
                             "jsonrpc,error,id"},
                      Expect{Base::fulcrum, 1,
                             std::string("the transaction was rejected by network rules.\n\n") +
                                 kReason + "\n",
                             "error,id,jsonrpc"},
                      Expect{Base::electrs, -32603, kReason, "error,id,jsonrpc"}),
    [](const auto& info) { return std::string(to_string(info.param.base)); });

// A chain that takes anything that decodes (the fake backend) answers with a txid: kept as the
// result, nothing else.
TEST(BroadcastCheck, KeepsAnAcceptedBroadcastAsItsResult) {
  ServerFixture server(default_profile(Base::electrumx));
  auto r = result_of(run_broadcast_check(server.tcp_port()));
  ASSERT_TRUE(r["unspendable"].contains("result")) << r.dump();
  EXPECT_EQ(r["unspendable"]["result"].get<std::string>().size(), 64u) << r.dump();
  EXPECT_FALSE(r["unspendable"].contains("line")) << r.dump();
  EXPECT_FALSE(r["unspendable"].contains("error")) << r.dump();
  EXPECT_TRUE(r["undecodable"].contains("error")) << r.dump();
}

TEST(BroadcastCheck, RecordsAPhishingErrorAndWhetherTheSessionSurvived) {
  ServerFixture server(load_profile(R"(
base: electrumx
rules:
  - name: update-scam
    action: {type: phishing_broadcast, url: "https://electrum-update.example/get"}
)"));
  auto o = run_broadcast_check(server.tcp_port());
  ASSERT_EQ(o.outcome(), v1::OUTCOME_OK) << o.failure();
  auto r = result_of(o);
  for (const char* c : {"undecodable", "unspendable"}) {
    ASSERT_TRUE(r[c].contains("error")) << r.dump();
    const auto message = r[c]["error"]["message"].get<std::string>();
    EXPECT_NE(message.find("<a href=\"https://electrum-update.example/get\">"), std::string::npos)
        << message;
    EXPECT_EQ(r[c]["error"]["code"], 1);
    EXPECT_TRUE(r[c]["alive_after"]);
  }
  std::vector<std::string> sent;
  server.on_server([&](auto& backend) { sent = backend.broadcasts; });
  EXPECT_TRUE(sent.empty());  // the rule answered; nothing reached the chain
}

// A reply to the request line `request`: the version, or an error whose message is `text`.
std::string reply_to(const std::string& request, const std::string& text) {
  auto parsed = nlohmann::json::parse(request, nullptr, false);
  nlohmann::json reply = {{"jsonrpc", "2.0"},
                          {"id", parsed.is_object() ? parsed["id"] : nlohmann::json(0)}};
  if (parsed.is_object() && parsed["method"] == "server.version") {
    reply["result"] = nlohmann::json::array({"Hostile 1.0", "1.4"});
  } else {
    reply["error"] = {{"code", 1}, {"message", text}};
  }
  return reply.dump() + "\n";
}

// Answers server.version, then one huge error of two-byte characters, then hangs up.
test::Behaviour huge_error_then_close() {
  return [](asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    std::string text;
    for (int i = 0; i < 3000; ++i) text += "\xc3\xa9";  // é
    for (int i = 0; i < 2; ++i) {
      std::string line = co_await test::read_line(socket);
      if (line.empty()) co_return;
      co_await test::write_all(socket, reply_to(line, text));
    }
  };
}

TEST(BroadcastCheck, BoundsTheMessageAndOpensAFreshSessionWhenDropped) {
  test::LineServer peer(huge_error_then_close());
  auto o = run_broadcast_check(static_cast<std::uint16_t>(peer.port()));
  ASSERT_EQ(o.outcome(), v1::OUTCOME_OK) << o.failure();
  auto r = result_of(o);
  for (const char* c : {"undecodable", "unspendable"}) {
    ASSERT_TRUE(r[c].contains("error")) << r.dump().substr(0, 300);
    const auto message = r[c]["error"]["message"].get<std::string>();
    EXPECT_LE(message.size(), 2048u);
    EXPECT_GE(message.size(), 2046u);
    EXPECT_EQ(message.size() % 2, 0u);  // cut between characters
    EXPECT_TRUE(r[c]["truncated"]);
    EXPECT_FALSE(r[c]["alive_after"]);
  }
  EXPECT_EQ(peer.connections(), 2);
}

}  // namespace
}  // namespace eo::agent
