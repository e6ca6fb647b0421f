// The privacy risk summary on a small honeypot event set (one Electrum wallet in two sessions
// from two addresses, 25 script hashes, a steady ping, a broadcast) and network findings: each
// item appears with its severity, evidence and recommendation; no IP address is printed; no
// events and no network give no items. The stored rows round-trip to the message the honeypot's
// privacy analysis reads.
#include "aggregator/privacy_risk/privacy_risk.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "aggregator/results/results_db.h"
#include "tests/support/process.h"

namespace eo::aggregator::privacy_risk {
namespace {

using results::EventRow;

EventRow event(const std::string& session, const std::string& ip, const char* kind,
               std::int64_t t_s) {
  static int n = 0;
  EventRow e;
  e.event_id = "e" + std::to_string(++n);
  e.honeypot_id = "hp";
  e.session_id = session;
  e.kind = kind;
  e.time_us = 1'700'000'000'000'000 + t_s * 1'000'000;
  e.peer_ip = ip;
  e.transport = "tls";
  e.scripthashes = "[]";
  return e;
}

std::vector<EventRow> wallet_events() {
  std::vector<EventRow> out;
  int t = 0;
  for (auto [session, ip] : {std::pair{"s1", "192.0.2.10"}, std::pair{"s2", "198.51.100.20"}}) {
    auto hello = event(session, ip, "tls_hello", t);
    hello.tls_fingerprint = "ja3-abc";
    out.push_back(hello);
    auto version = event(session, ip, "version", t);
    version.client_name = "electrum/4.5.8";
    version.protocol_min = "1.4";
    out.push_back(version);
    for (int i = 0; i < 25; ++i) {
      auto sub = event(session, ip, "request", t);
      sub.method = "blockchain.scripthash.subscribe";
      sub.scripthashes =
          nlohmann::json::array({std::string(62, 'a') + std::to_string(10 + i)}).dump();
      out.push_back(sub);
    }
    for (int i = 0; i < 4; ++i) {
      auto ping = event(session, ip, "request", t + 30 * (i + 1));
      ping.method = "server.ping";
      out.push_back(ping);
    }
    t += 1000;
  }
  auto broadcast = event("s2", "198.51.100.20", "broadcast", t);
  broadcast.txid = std::string(64, 'f');
  out.push_back(broadcast);
  return out;
}

std::map<std::string, RiskItem> by_item(const std::vector<RiskItem>& items) {
  std::map<std::string, RiskItem> out;
  for (const auto& i : items) out[i.item] = i;
  return out;
}

TEST(PrivacyRisk, HoneypotEventsGiveTheirItems) {
  std::vector<inventory::Concentration> figures;
  std::vector<findings::IdentifiedFinding> found;
  auto items = by_item(assess(wallet_events(), {figures, found}));
  std::map<std::string, std::string> severity;
  for (const auto& [name, item] : items) severity[name] = item.severity;
  EXPECT_EQ(severity, (std::map<std::string, std::string>{{"address_linking", kHigh},
                                                          {"broadcast_origin", kHigh},
                                                          {"cross_ip_linking", kHigh},
                                                          {"cross_session_linking", kMedium},
                                                          {"software_fingerprinting", kMedium},
                                                          {"timing_regularity", kLow}}));
  EXPECT_NE(items["address_linking"].finding.find("the largest with 25 script hashes"),
            std::string::npos)
      << items["address_linking"].finding;
  EXPECT_NE(items["address_linking"].evidence.find("wallet-1: 25 script hashes in sessions s1, s2"),
            std::string::npos)
      << items["address_linking"].evidence;
  EXPECT_NE(items["cross_ip_linking"].evidence.find("wallet-1: 2 addresses (anon-"),
            std::string::npos)
      << items["cross_ip_linking"].evidence;
  EXPECT_NE(items["software_fingerprinting"].evidence.find("Electrum 4.5.8"), std::string::npos);
  EXPECT_NE(items["software_fingerprinting"].evidence.find("ja3-abc"), std::string::npos);
  EXPECT_NE(items["timing_regularity"].evidence.find("every 30.0 s (CV 0.00)"), std::string::npos)
      << items["timing_regularity"].evidence;
  EXPECT_NE(items["broadcast_origin"].evidence.find("ffffffffffffffff… first seen from anon-"),
            std::string::npos)
      << items["broadcast_origin"].evidence;
  for (const auto& [name, item] : items) {
    EXPECT_FALSE(item.recommendation.empty()) << name;
    for (const char* ip : {"192.0.2.10", "198.51.100.20"}) {
      EXPECT_EQ(item.evidence.find(ip), std::string::npos) << name << " prints " << ip;
      EXPECT_EQ(item.finding.find(ip), std::string::npos) << name << " prints " << ip;
    }
  }
}

TEST(PrivacyRisk, NetworkFindingsGiveTheirItems) {
  std::vector<inventory::Concentration> figures = {
      inventory::concentration("operator_cluster", {"a", "a", "a", "b", "c"}),
      inventory::concentration("asn", {"AS1", "AS1", "AS2", "AS3", "AS4"})};
  std::vector<findings::IdentifiedFinding> found;
  for (auto [id, kind, server] : {std::tuple{"f-1", findings::kHoneypotSuspicion, "h.example"},
                                  std::tuple{"f-2", "differential.latency", "d.example"},
                                  std::tuple{"f-3", "differential.content", "d.example"},
                                  std::tuple{"f-4", findings::kOperatorCluster, "a.example"}}) {
    findings::IdentifiedFinding f;
    f.finding_id = id;
    f.finding.kind = kind;
    f.finding.server = server;
    found.push_back(f);
  }
  auto items = by_item(assess({}, {figures, found}));
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items["server_concentration"].severity, kHigh);  // one operator holds 3 of 5
  EXPECT_NE(items["server_concentration"].evidence.find("half cover 1"), std::string::npos)
      << items["server_concentration"].evidence;
  EXPECT_EQ(items["suspicious_servers"].severity, kHigh);
  EXPECT_EQ(items["suspicious_servers"].evidence, "h.example (f-1)");
  EXPECT_EQ(items["differential_treatment"].severity, kMedium);
  EXPECT_EQ(items["differential_treatment"].evidence, "d.example (f-2); d.example (f-3)");
  EXPECT_EQ(items["differential_treatment"].finding.rfind("2 findings", 0), 0u);

  EXPECT_TRUE(assess({}, {{}, {}}).empty());
}

TEST(PrivacyRisk, RowsBecomeEventsAndAreSavedWhole) {
  auto rows = wallet_events();
  auto events = to_events(rows);
  ASSERT_EQ(events.size(), rows.size());
  EXPECT_EQ(events[0].kind(), v1::HONEYPOT_EVENT_TLS_HELLO);
  EXPECT_EQ(events[1].client_name(), "electrum/4.5.8");
  EXPECT_EQ(events[2].kind(), v1::HONEYPOT_EVENT_REQUEST);
  ASSERT_EQ(events[2].scripthashes_size(), 1);
  EXPECT_EQ(events.back().kind(), v1::HONEYPOT_EVENT_BROADCAST);
  EXPECT_EQ(events.back().txid(), std::string(64, 'f'));

  eo::test::TempDir dir;
  results::ResultsDb db(dir.file("r.sqlite"));
  auto items = assess(rows, {{}, {}});
  save_privacy_risk(db.database(), items);
  save_privacy_risk(db.database(), items);
  auto s = db.database().prepare("SELECT count(*), min(item) FROM privacy_risk");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.i64(0), 6);
  EXPECT_EQ(s.text(1), "address_linking");
}

}  // namespace
}  // namespace eo::aggregator::privacy_risk
