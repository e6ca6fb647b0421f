// Phishing findings on real probe output: broadcast_check runs against the honeypot's honest
// emulations (ElectrumX, Fulcrum, electrs, EPS), which must give no finding, and against a
// phishing_broadcast rule, which must give one naming the observation, the vantage and the lure.
#include "aggregator/phishing/phishing.h"
#include "aggregator/results/derive.h"

#include "tests/agent/local_probe.h"
#include "tests/honeypot/server/server_fixture.h"

#include <gtest/gtest.h>

namespace eo::aggregator {
namespace {

using honeypot::server::Base;
using honeypot::server::default_profile;
using honeypot::server::load_profile;
using honeypot::server::Profile;
using honeypot::server::test::ServerFixture;

results::ObservationRow broadcast_check(const Profile& profile,
                                        agent::ClientProfileSpec client = {}) {
  ServerFixture server(profile);
  server.on_server([](auto& backend) { backend.reject_reason = "bad-txns-inputs-missingorspent"; });
  auto request = eo::test::local_probe_request(server.tcp_port(), "broadcast_check");
  request.profile = std::move(client);
  request.timeout = std::chrono::milliseconds(1500);
  auto observation = eo::test::run_local_probe(request);
  return results::to_row(observation);
}

class HonestBroadcasts : public ::testing::TestWithParam<Base> {};

TEST_P(HonestBroadcasts, GiveNoFinding) {
  // EPS hangs up on a list-form protocol range: a single version reaches it.
  agent::ClientProfileSpec client;
  if (GetParam() == Base::eps) client.protocol_max.clear();
  auto row = broadcast_check(default_profile(GetParam()), client);
  ASSERT_EQ(row.outcome, "ok") << row.failure;
  // "None" means something only when the server did reject the broadcasts (EPS: a bare error
  // string, kept as the raw line).
  auto result = nlohmann::json::parse(row.result_json);
  for (const char* c : {"undecodable", "unspendable"}) {
    EXPECT_TRUE(result[c].contains(GetParam() == Base::eps ? "line" : "error")) << row.result_json;
  }
  EXPECT_TRUE(phishing::find_phishing(std::vector{row}).empty()) << row.result_json;
}

INSTANTIATE_TEST_SUITE_P(Implementations, HonestBroadcasts,
                         ::testing::Values(Base::electrumx, Base::fulcrum, Base::electrs,
                                           Base::eps),
                         [](const auto& info) {
                           return std::string(honeypot::server::to_string(info.param));
                         });

TEST(PhishingBroadcast, RuleGivesOneFindingWithEvidence) {
  auto row = broadcast_check(load_profile(R"(
base: electrumx
rules:
  - name: update-scam
    action: {type: phishing_broadcast, url: "https://electrum-update.example/get"}
)"));
  ASSERT_EQ(row.outcome, "ok") << row.failure;
  auto found = phishing::find_phishing(std::vector{row});
  ASSERT_EQ(found.size(), 1u) << row.result_json;
  const auto& f = found[0];
  EXPECT_EQ(f.kind, findings::kPhishingBroadcast);
  EXPECT_EQ(f.target_id, row.target_id);
  EXPECT_EQ(f.server, "127.0.0.1");
  EXPECT_EQ(f.evidence, std::vector<std::string>{row.observation_id});
  EXPECT_EQ(f.details["vantages"], std::vector<std::string>{"local"});
  const auto message = f.details["message"].get<std::string>();
  EXPECT_NE(message.find("https://electrum-update.example/get"), std::string::npos) << message;
  EXPECT_EQ(message.find('<'), std::string::npos) << message;
  EXPECT_EQ(f.details["markers"][0], "url:https://electrum-update.example/get");
}

// Fulcrum cuts error messages at 120 bytes, before the lure's link: markup and wording remain.
TEST(PhishingBroadcast, ALureCutBeforeItsLinkIsStillFound) {
  auto row = broadcast_check(load_profile(R"(
base: fulcrum
rules:
  - action: {type: phishing_broadcast, url: "https://electrum-update.example/get"}
)"));
  ASSERT_EQ(row.outcome, "ok") << row.failure;
  auto found = phishing::find_phishing(std::vector{row});
  ASSERT_EQ(found.size(), 1u) << row.result_json;
  EXPECT_EQ(found[0].details["markers"][0], "html:<b>") << found[0].details.dump();
  EXPECT_EQ(found[0].evidence, std::vector<std::string>{row.observation_id});
}

}  // namespace
}  // namespace eo::aggregator
