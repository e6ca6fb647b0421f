// The address probes with a canary key: they query the task's canaries (what the honeypot sees
// is exactly what the observation says was issued), and the control variant keeps the public
// test vectors.
#include "agent/probes/test_vectors.h"
#include "agent/runtime/runner.h"
#include "common/canary/derive.h"

#include "tests/honeypot/server/server_fixture.h"
#include "tests/support/run.h"

#include <gtest/gtest.h>

#include <set>

namespace eo::agent {
namespace {

namespace asio = boost::asio;
using honeypot::server::Base;
using honeypot::server::default_profile;
using honeypot::server::test::ServerFixture;

const canary::TaskKey kKey =
    canary::task_key(bitcoin::Bytes(32, 0x42), {"c1", "t", "network=clearnet", 1});

v1::Observation run_probe(std::uint16_t port, const std::string& probe,
                          std::map<std::string, std::string> params) {
  Runner runner("test-agent", Vantage{});
  ProbeRequest request;
  request.campaign_id = "c1";
  request.target = {"127.0.0.1", port, false};
  request.probe_name = probe;
  request.params = std::move(params);
  request.timeout = std::chrono::milliseconds(3000);
  request.deadline = std::chrono::milliseconds(20000);
  return test::run<v1::Observation>([&](asio::io_context&) -> asio::awaitable<v1::Observation> {
    auto no_pacing = []() -> asio::awaitable<void> { co_return; };
    co_return co_await runner.run(request, no_pacing);
  });
}

// Script hashes the honeypot was asked about.
std::set<std::string> asked(ServerFixture& server) {
  server.wait_idle();
  std::set<std::string> out;
  for (const auto& e : server.sink().events_of(v1::HONEYPOT_EVENT_REQUEST)) {
    out.insert(e.scripthashes().begin(), e.scripthashes().end());
  }
  return out;
}

std::set<std::string> issued(const nlohmann::json& result) {
  std::set<std::string> out;
  for (const auto& c : result.at("canaries")) out.insert(c.at("scripthash").get<std::string>());
  return out;
}

TEST(CanaryProbes, AddressFormatsQueriesTheFirstReceiveCanaryOfEachType) {
  ServerFixture server(default_profile(Base::electrumx));
  auto o = run_probe(server.tcp_port(), "address_formats", {{"canary_key", canary::to_hex(kKey)}});
  ASSERT_EQ(o.outcome(), v1::OUTCOME_OK) << o.failure();
  auto result = nlohmann::json::parse(o.result_json());
  std::set<std::string> expected;
  std::set<std::string> labels;
  for (auto type : canary::canary_types()) {
    auto first = canary::canary_window(kKey, type, 1, 0).at(0);
    expected.insert(first.scripthash);
    EXPECT_EQ(result[std::string(bitcoin::to_string(type))]["source"], "canary");
  }
  for (const auto& c : result.at("canaries")) labels.insert(c.at("label").get<std::string>());
  EXPECT_EQ(issued(result), expected);
  EXPECT_EQ(labels,
            (std::set<std::string>{"p2pkh/0/0", "p2sh-p2wpkh/0/0", "p2wpkh/0/0", "p2tr/0/0"}));
  EXPECT_EQ(asked(server), expected);
}

TEST(CanaryProbes, XpubGapScanQueriesTheCanaryWindow) {
  ServerFixture server(default_profile(Base::fulcrum));
  auto o = run_probe(server.tcp_port(), "xpub_gap_scan",
                     {{"canary_key", canary::to_hex(kKey)}, {"type", "p2tr"}});
  ASSERT_EQ(o.outcome(), v1::OUTCOME_OK) << o.failure();
  auto result = nlohmann::json::parse(o.result_json());
  EXPECT_EQ(result["source"], "canary");
  EXPECT_EQ(result["xpub"], canary::canary_account(kKey, bitcoin::OutputType::p2tr).to_string());
  std::set<std::string> expected;
  for (const auto& c : canary::canary_window(kKey, bitcoin::OutputType::p2tr)) {
    expected.insert(c.scripthash);
  }
  ASSERT_EQ(expected.size(), 30u);
  EXPECT_EQ(issued(result), expected);
  EXPECT_EQ(result["canaries"][29]["label"], "p2tr/1/9");
  EXPECT_EQ(asked(server), expected);
}

TEST(CanaryProbes, ControlVariantKeepsThePublicTestVectors) {
  ServerFixture server(default_profile(Base::electrumx));
  auto o = run_probe(server.tcp_port(), "xpub_gap_scan",
                     {{"canary_key", canary::to_hex(kKey)}, {"control", "1"}});
  ASSERT_EQ(o.outcome(), v1::OUTCOME_OK) << o.failure();
  auto result = nlohmann::json::parse(o.result_json());
  const auto* account = probes::test_account(bitcoin::OutputType::p2wpkh);
  EXPECT_EQ(result["source"], std::string(account->source));
  EXPECT_FALSE(result.contains("canaries"));

  auto plain = run_probe(server.tcp_port(), "address_formats", {});
  ASSERT_EQ(plain.outcome(), v1::OUTCOME_OK) << plain.failure();
  auto r = nlohmann::json::parse(plain.result_json());
  EXPECT_FALSE(r.contains("canaries"));
  EXPECT_EQ(r["p2wpkh"]["source"], "BIP84 test vector, account m/84'/0'/0'");
}

TEST(CanaryProbes, MalformedKeyIsABadTask) {
  ServerFixture server(default_profile(Base::electrumx));
  EXPECT_THROW(run_probe(server.tcp_port(), "xpub_gap_scan", {{"canary_key", "abc"}}),
               std::invalid_argument);
}

}  // namespace
}  // namespace eo::agent
