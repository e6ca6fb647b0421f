// Query leaks, known answer: canaries issued to three servers; the leaky one's are queried later
// from elsewhere and it is reported with its evidence; an honest server whose own probe session
// reached our honeypot, and a script hash wrongly issued to two servers, blame nobody.
#include "aggregator/canary/query_leak.h"

#include "common/canary/derive.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace eo::aggregator::canary {
namespace {

using nlohmann::json;
using results::EventRow;
using results::ObservationRow;

constexpr std::int64_t kIssued = 1'700'000'000'000'000;  // us

const bitcoin::Bytes kSecret(32, 0x5a);

std::vector<eo::canary::Canary> window(const std::string& target) {
  return eo::canary::canary_window(
      eo::canary::task_key(kSecret, {"c1", target, "network=clearnet", 0}),
      bitcoin::OutputType::p2wpkh);
}

ObservationRow issuing(const std::string& id, const std::string& target,
                       const std::vector<eo::canary::Canary>& canaries, std::int64_t started_us) {
  ObservationRow row;
  row.observation_id = id;
  row.campaign_id = "c1";
  row.target_id = target;
  // "tcp://hp.example:50001" -> host and port, as ingest derives them.
  const auto host_start = target.find("://") + 3;
  const auto colon = target.rfind(':');
  row.target_host = target.substr(host_start, colon - host_start);
  row.target_port = std::stoll(target.substr(colon + 1));
  row.peer_ip = "192.0.2.10";
  row.vantage_id = "eu-1";
  row.vantage_class = "network=clearnet";
  row.probe_name = "xpub_gap_scan";
  row.started_us = started_us;
  row.total_us = 1'500'000;
  json list = json::array();
  for (const auto& c : canaries) {
    json entry = json::object();
    entry["scripthash"] = c.scripthash;
    entry["label"] = c.label();
    list.push_back(entry);
  }
  row.result_json = json{{"source", "canary"}, {"canaries", list}}.dump();
  return row;
}

EventRow event(const std::string& id, const std::string& session, const std::string& kind,
               std::int64_t time_us, std::vector<std::string> scripthashes = {}) {
  EventRow e;
  e.event_id = id;
  e.honeypot_id = "hp1";
  e.session_id = session;
  e.kind = kind;
  e.time_us = time_us;
  e.peer_ip = "198.51.100.7";
  e.scripthashes = json(scripthashes).dump();
  return e;
}

std::optional<inventory::Geo> geo(const std::string& ip) {
  if (ip == "198.51.100.7") return inventory::Geo{"NL", 64500, "LEAKY-ANALYTICS"};
  return std::nullopt;
}

TEST(QueryLeak, ReportsTheLeakyServerWithItsEvidenceAndNoHonestOne) {
  const std::string leaky = "tls://leaky.example:50002";
  const std::string honest = "tls://honest.example:50002";
  const std::string honeypot_target = "tcp://hp.example:50001";
  auto leaky_canaries = window(leaky);
  auto honest_canaries = window(honest);
  auto hp_canaries = window(honeypot_target);
  std::vector<ObservationRow> rows = {
      issuing("o-leaky", leaky, leaky_canaries, kIssued),
      issuing("o-honest", honest, honest_canaries, kIssued),
      issuing("o-hp", honeypot_target, hp_canaries, kIssued + 10'000'000),
  };
  const std::int64_t hour = 3'600'000'000;
  std::vector<EventRow> events = {
      // Our own probe of the honeypot-as-target: inside the issuing session, not a leak.
      event("own-1", "s-own", "request", kIssued + 10'500'000, {hp_canaries[0].scripthash}),
      // An earlier attempt of the same task whose agent died before publishing: 8 s before the
      // issuing observation, at the target too, not a leak.
      event("own-0", "s-own-0", "request", kIssued + 2'000'000, {hp_canaries[2].scripthash}),
      // The same canary replayed at once at another honeypot (a relaying server): a leak.
      event("relay-1", "s-relay", "request", kIssued + 10'600'000, {hp_canaries[1].scripthash}),
      // The leak: an hour later, another client asks for two of leaky's canaries and a stranger.
      event("v-1", "s-leak", "version", kIssued + hour - 1),
      event("r-1", "s-leak", "request", kIssued + hour,
            {leaky_canaries[0].scripthash, std::string(64, 'f')}),
      event("r-1:canary", "s-leak", "canary_sighting", kIssued + hour,
            {leaky_canaries[0].scripthash}),
      event("r-2", "s-leak", "request", kIssued + 2 * hour, {leaky_canaries[21].scripthash}),
      // Unrelated traffic.
      event("r-3", "s-other", "request", kIssued + hour, {std::string(64, 'e')}),
  };
  events[0].local_address = "192.0.2.10:50001";  // the honeypot at hp.example
  events[1].local_address = "192.0.2.10:50001";
  events[2].local_address = "203.0.113.9:50001";
  events[3].client_name = "electrum/3.3.8";
  events[5].client_name = "electrum/3.3.8";
  events[5].tls_fingerprint = "ja3";

  auto found = find_query_leaks(rows, events, geo);
  ASSERT_EQ(found.size(), 2u);
  // Findings in target order: hp.example (the relay), then leaky.example; honest: none.
  EXPECT_EQ(found[0].target_id, honeypot_target);
  EXPECT_EQ(found[0].details["canaries_seen"], 1);
  EXPECT_EQ(found[0].details["seen"][0]["event_id"], "relay-1");
  EXPECT_NEAR(found[0].details["first_delay_s"].get<double>(), 0.6, 1e-9);
  const auto& f = found[1];
  EXPECT_EQ(f.kind, findings::kQueryLeak);
  EXPECT_EQ(f.server, "leaky.example");
  EXPECT_EQ(f.target_id, leaky);
  EXPECT_EQ(f.details["canaries_issued"], 30);
  EXPECT_EQ(f.details["canaries_seen"], 2);
  EXPECT_EQ(f.details["sightings"], 2);  // r-1 and its canary_sighting count once
  EXPECT_DOUBLE_EQ(f.details["first_delay_s"].get<double>(), 3600.0);
  EXPECT_EQ(f.details["sources"], json::array({"198.51.100.7"}));
  EXPECT_EQ(f.details["asns"], json::array({64500}));
  const auto& first = f.details["seen"][0];
  EXPECT_EQ(first["client_name"], "electrum/3.3.8");
  EXPECT_EQ(first["as_name"], "LEAKY-ANALYTICS");
  EXPECT_EQ(first["label"], "p2wpkh/0/0");
  EXPECT_EQ(first["issued_by"], "o-leaky");
  EXPECT_EQ(f.details["seen"][1]["label"], "p2wpkh/1/1");
  EXPECT_DOUBLE_EQ(f.details["seen"][1]["delay_s"].get<double>(), 7200.0);
  EXPECT_NE(std::find(f.evidence.begin(), f.evidence.end(), "o-leaky"), f.evidence.end());
  EXPECT_NE(std::find(f.evidence.begin(), f.evidence.end(), "r-2"), f.evidence.end());
  EXPECT_NE(f.summary.find("2 of 30"), std::string::npos) << f.summary;
  EXPECT_NE(f.summary.find("AS64500"), std::string::npos) << f.summary;
}

TEST(QueryLeak, AScriptHashIssuedToTwoServersBlamesNeither) {
  const std::string a = "tcp://a.example:50001";
  const std::string b = "tcp://b.example:50001";
  auto canaries = window(a);
  std::vector<ObservationRow> rows = {issuing("o-a", a, canaries, kIssued),
                                      issuing("o-b", b, {canaries[0]}, kIssued)};
  std::vector<EventRow> events = {
      event("r-1", "s", "request", kIssued + 600'000'000, {canaries[0].scripthash})};
  EXPECT_TRUE(find_query_leaks(rows, events, geo).empty());
  events.push_back(event("r-2", "s", "request", kIssued + 600'000'000, {canaries[1].scripthash}));
  auto found = find_query_leaks(rows, events, geo);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].target_id, a);
  EXPECT_EQ(found[0].details["canaries_seen"], 1);
  EXPECT_EQ(found[0].details["ambiguous_canaries"], 1);
}

TEST(QueryLeak, ControlProbesAndMalformedResultsIssueNothing) {
  ObservationRow control;
  control.observation_id = "o";
  control.target_id = "tcp://x:1";
  control.probe_name = "address_formats";
  control.result_json = R"({"p2wpkh": {"scripthash": ")" + std::string(64, 'a') + R"("}})";
  ObservationRow broken = control;
  broken.result_json = "{not json";
  std::vector<ObservationRow> rows = {control, broken};
  std::vector<EventRow> events = {event("r", "s", "request", kIssued, {std::string(64, 'a')})};
  EXPECT_TRUE(find_query_leaks(rows, events, geo).empty());
}

}  // namespace
}  // namespace eo::aggregator::canary
