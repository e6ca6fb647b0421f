// Honeypot suspicion on known sets: a planted honeypot farm (one certificate across networks,
// peer lists pointing into the farm, ElectrumX claims that never throttle, a modified
// implementation and differential treatment on one member) scores above the threshold with those
// indicators named and their evidence; honest sets score 0 and make no finding. The config file
// is checked at load.
#include "aggregator/suspicion/suspicion.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "aggregator/results/results_db.h"
#include "tests/support/process.h"

namespace eo::aggregator::suspicion {
namespace {

using results::ObservationRow;

ObservationRow row(const std::string& host, const std::string& ip, const char* probe) {
  ObservationRow r;
  r.observation_id = host + "/" + probe;
  r.campaign_id = "c";
  r.target_host = host;
  r.target_id = "tls://" + host + ":50002";
  r.vantage_id = "v1";
  r.probe_name = probe;
  r.outcome = "ok";
  r.started_us = 1;
  r.resolved_ips = ip;
  r.result_json = "{}";
  return r;
}

// A server: metadata listing `peers`, its TLS leaf, and two ramps (throttled, or run to a cap of
// `unthrottled_requests`: by default past ElectrumX's default limit).
void server(std::vector<ObservationRow>& rows, const std::string& host, const std::string& ip,
            const std::string& cert, const std::vector<std::string>& peers, bool throttles,
            int unthrottled_requests = 12000) {
  auto meta = row(host, ip, "metadata");
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : peers) list.push_back({"", p, {"v1.4.2", "s50002"}});
  meta.result_json = nlohmann::json{{"peers", {{"result", list}}}}.dump();
  meta.server_version = "ElectrumX 1.20.0";
  rows.push_back(meta);
  auto tls = row(host, ip, "tls_certificate");
  tls.cert_sha256 = cert;
  tls.spki_sha256 = "spki-" + cert;
  tls.cert_subject = tls.cert_issuer = "CN=" + host;
  rows.push_back(tls);
  for (int i = 0; i < 2; ++i) {
    auto ramp = row(host, ip, "rate_limit_ramp");
    ramp.observation_id += "/" + std::to_string(i);
    ramp.ramp_throttled = throttles ? 1 : 0;
    if (throttles) ramp.ramp_threshold = 40;
    ramp.result_json = nlohmann::json{
        {"requests_sent", throttles ? 41 : unthrottled_requests},
        {"max_requests", throttles ? 200 : unthrottled_requests},
        {"throttled",
         throttles}}.dump();
    rows.push_back(ramp);
  }
}

struct Analysed {
  std::vector<ObservationRow> rows;
  std::vector<inventory::Server> servers;
  std::vector<fingerprint::Verdict> verdicts;
  operators::Clustering clustering;
  std::vector<Suspicion> scores;
};

Analysed analyse(std::vector<ObservationRow> rows, const std::vector<findings::Finding>& found,
                 const Config& config = builtin_config()) {
  Analysed a;
  a.rows = std::move(rows);
  a.servers = inventory::build_inventory(a.rows);
  for (const auto& s : a.servers) {
    for (const auto& t : s.targets) {
      fingerprint::Verdict v;
      v.target_id = t;
      v.claimed_implementation = "electrumx";
      v.implementation = "electrumx";
      a.verdicts.push_back(v);
    }
  }
  a.clustering = operators::cluster(a.rows, a.servers);
  a.scores = score({a.rows, a.servers, a.verdicts, a.clustering, found}, config);
  return a;
}

const Indicator* indicator(const Suspicion& s, const std::string& name) {
  for (const auto& i : s.indicators) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

// Three servers in three networks behind one certificate, each listing the other two.
std::vector<ObservationRow> farm() {
  std::vector<ObservationRow> rows;
  server(rows, "h1.example", "203.0.113.5", "certX", {"h2.example", "h3.example"}, false);
  server(rows, "h2.example", "198.51.100.5", "certX", {"h1.example", "h3.example"}, false);
  server(rows, "h3.example", "192.0.2.5", "certX", {"h1.example", "h2.example"}, false);
  return rows;
}

findings::Finding make(const std::string& kind, const std::string& server,
                       const std::vector<std::string>& evidence) {
  findings::Finding f;
  f.kind = kind;
  f.server = server;
  f.evidence = evidence;
  return f;
}

std::vector<findings::Finding> farm_findings() {
  auto modified = make(findings::kModifiedImplementation, "h1.example", {"h1.example/metadata"});
  modified.target_id = "tls://h1.example:50002";
  modified.summary = "claims ElectrumX, behaves like Fulcrum";
  modified.details = {{"claimed_implementation", "electrumx"}, {"implementation", "fulcrum"}};
  auto refused = make("differential.reachability", "h1.example", {"h1.example/r0/v3"});
  refused.target_id = "tls://h1.example:50002";
  refused.vantage_id = "v3";
  refused.dimension = "reachability";
  refused.q = 0.001;
  refused.summary = "refuses v3";
  refused.details = {{"direction", "worse"}};
  return {modified, refused};
}

TEST(Suspicion, PlantedFarmScoresAboveThresholdWithItsIndicators) {
  const auto& config = builtin_config();
  auto a = analyse(farm(), farm_findings());
  ASSERT_EQ(a.scores.size(), 3u);
  const auto& h1 = a.scores[0];
  EXPECT_EQ(h1.server, "h1.example");
  std::vector<std::string> names;
  for (const auto& i : h1.indicators) names.push_back(i.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{kCertificateReuse, kModifiedResponses, kDifferentialTreatment,
                                      kNoResourceLimits, kSybilPeers}));
  double expected = config.weight(kCertificateReuse) + config.weight(kModifiedResponses) +
                    config.weight(kDifferentialTreatment) + config.weight(kNoResourceLimits) +
                    config.weight(kSybilPeers);
  EXPECT_NEAR(h1.score, expected, 1e-12);
  EXPECT_GE(h1.score, config.threshold);
  EXPECT_EQ(h1.level, "high");

  const auto* cert = indicator(h1, kCertificateReuse);
  ASSERT_TRUE(cert);
  EXPECT_EQ(cert->evidence, (std::vector<std::string>{"h1.example/tls_certificate"}));
  EXPECT_NE(cert->explanation.find("h2.example, h3.example"), std::string::npos)
      << cert->explanation;
  EXPECT_NE(cert->explanation.find("3 networks"), std::string::npos) << cert->explanation;
  const auto* ramps = indicator(h1, kNoResourceLimits);
  ASSERT_TRUE(ramps);
  EXPECT_EQ(ramps->evidence, (std::vector<std::string>{"h1.example/rate_limit_ramp/0",
                                                       "h1.example/rate_limit_ramp/1"}));
  const auto* sybil = indicator(h1, kSybilPeers);
  ASSERT_TRUE(sybil);
  EXPECT_EQ(sybil->evidence, (std::vector<std::string>{"h1.example/metadata"}));
  EXPECT_NE(sybil->explanation.find("2 of them (100%)"), std::string::npos) << sybil->explanation;
  EXPECT_EQ(indicator(h1, kModifiedResponses)->evidence,
            (std::vector<std::string>{"h1.example/metadata"}));
  EXPECT_EQ(indicator(h1, kDifferentialTreatment)->evidence,
            (std::vector<std::string>{"h1.example/r0/v3"}));

  // The other members: certificate, peers and limits only, still at or above the threshold.
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(a.scores[i].indicators.size(), 3u) << a.scores[i].server;
    EXPECT_GE(a.scores[i].score, config.threshold) << a.scores[i].server;
  }

  auto found = to_findings(a.scores, config);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].kind, findings::kHoneypotSuspicion);
  EXPECT_EQ(found[0].server, "h1.example");
  EXPECT_EQ(found[0].score, h1.score);
  EXPECT_EQ(found[0].details["level"], "high");
  EXPECT_EQ(found[0].details["indicators"].size(), 5u);
  EXPECT_EQ(found[0].details["indicators"][0]["evidence"],
            nlohmann::json({"h1.example/tls_certificate"}));
  EXPECT_NE(std::find(found[0].evidence.begin(), found[0].evidence.end(), "h1.example/r0/v3"),
            found[0].evidence.end());
  EXPECT_NE(found[0].summary.find("certificate_reuse"), std::string::npos) << found[0].summary;
}

TEST(Suspicion, HonestSetsScoreNothing) {
  // Own certificates, peer lists that overlap (honest servers list each other), ramps throttled.
  std::vector<ObservationRow> rows;
  server(rows, "a.example", "203.0.113.5", "certA", {"b.example", "c.example"}, true);
  server(rows, "b.example", "198.51.100.5", "certB", {"a.example", "c.example"}, true);
  server(rows, "c.example", "192.0.2.5", "certC", {"a.example", "b.example"}, true);
  auto a = analyse(rows, {});
  ASSERT_EQ(a.scores.size(), 3u);
  for (const auto& s : a.scores) {
    EXPECT_EQ(s.score, 0) << s.server;
    EXPECT_EQ(s.level, "none");
    EXPECT_TRUE(s.indicators.empty()) << s.server << ": " << s.indicators[0].name;
  }
  EXPECT_TRUE(to_findings(a.scores, builtin_config()).empty());

  // One operator running three servers in one network with one certificate is not "reuse
  // across unrelated hosts"; its peers and limits are honest too.
  std::vector<ObservationRow> one;
  server(one, "x1.example", "203.0.113.5", "certO", {"peer.example"}, true);
  server(one, "x2.example", "203.0.113.6", "certO", {"peer.example"}, true);
  auto b = analyse(one, {});
  for (const auto& s : b.scores) EXPECT_TRUE(s.indicators.empty()) << s.server;

  // ElectrumX ramps stopped by the usual cap of 200 pings, far short of its default limit: no
  // evidence either way (a genuine ElectrumX 2.0.0 ran like this).
  std::vector<ObservationRow> short_ramps;
  server(short_ramps, "s.example", "203.0.113.7", "certS", {}, false, 200);
  auto d = analyse(short_ramps, {});
  ASSERT_EQ(d.scores.size(), 1u);
  EXPECT_FALSE(indicator(d.scores[0], kNoResourceLimits));

  // Electrs never limits: ramps to the cap are not suspicious for it.
  std::vector<ObservationRow> unlimited;
  server(unlimited, "e.example", "203.0.113.5", "certE", {}, false);
  auto c = analyse(unlimited, {});
  c.verdicts[0].claimed_implementation = "electrs";
  auto scores = score({c.rows, c.servers, c.verdicts, c.clustering, {}}, builtin_config());
  EXPECT_TRUE(scores[0].indicators.empty());
}

TEST(Suspicion, FindingKindsAndOutliersCount) {
  std::vector<ObservationRow> rows;
  server(rows, "p.example", "203.0.113.5", "certP", {}, true);
  auto phishing = make(findings::kPhishingBroadcast, "p.example", {"p.example/broadcast"});
  phishing.summary = "answers broadcasts with a link";
  auto a = analyse(rows, {phishing});
  ASSERT_EQ(a.scores[0].indicators.size(), 1u);
  const auto& i = a.scores[0].indicators[0];
  EXPECT_EQ(i.name, findings::kPhishingBroadcast);
  EXPECT_EQ(i.weight, builtin_config().finding_kinds.at(findings::kPhishingBroadcast));
  EXPECT_EQ(i.evidence, (std::vector<std::string>{"p.example/broadcast"}));
  EXPECT_EQ(to_findings(a.scores, builtin_config()).size(), 1u);
}

TEST(Suspicion, ImprobableUptimeAgainstTheNetwork) {
  Config config = builtin_config();
  config.uptime_min_rounds = 4;
  std::vector<ObservationRow> rows;
  // u1 answers in 4 of 4 rounds; u2 and u3 in 2 of 4: the median server in half.
  for (const char* host : {"u1.example", "u2.example", "u3.example"}) {
    for (int round = 0; round < 4; ++round) {
      auto r = row(host, "203.0.113.9", "metadata");
      r.observation_id += "/r" + std::to_string(round);
      r.round = round;
      if (std::string(host) != "u1.example" && round % 2) r.outcome = "timeout";
      rows.push_back(r);
    }
  }
  auto a = analyse(rows, {}, config);
  const auto* up = indicator(a.scores[0], kImprobableUptime);
  ASSERT_TRUE(up);
  EXPECT_EQ(up->evidence.size(), 4u);
  EXPECT_NE(up->explanation.find("4 of 4 rounds"), std::string::npos) << up->explanation;
  EXPECT_FALSE(indicator(a.scores[1], kImprobableUptime));
}

TEST(Suspicion, ConfigIsCheckedAtLoad) {
  const auto& c = builtin_config();
  EXPECT_GT(c.threshold, 0);
  EXPECT_EQ(c.level(0.9), "high");
  EXPECT_EQ(c.level(0), "none");
  EXPECT_EQ(c.default_limits, (std::map<std::string, std::uint64_t>{{"electrumx", 10000}}));
  std::string text(builtin_config_text());
  auto without = text;
  without.replace(without.find("  sybil_peers:"), 2, "  x");  // an unknown name, one missing
  EXPECT_THROW(parse_config(without, "t.yaml"), ConfigError);
  auto negative = text;
  negative.replace(negative.find("threshold: 0.4"), 14, "threshold: -1");
  try {
    parse_config(negative, "t.yaml");
    FAIL() << "accepted a negative threshold";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("t.yaml: threshold"), std::string::npos) << e.what();
  }
}

TEST(Suspicion, SavedWhole) {
  eo::test::TempDir dir;
  results::ResultsDb db(dir.file("r.sqlite"));
  auto a = analyse(farm(), farm_findings());
  save_suspicion(db.database(), a.scores);
  save_suspicion(db.database(), a.scores);
  auto s = db.database().prepare(
      "SELECT server, score, level, indicators_json FROM suspicion ORDER BY server");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.text(0), "h1.example");
  EXPECT_EQ(s.text(2), "high");
  auto indicators = nlohmann::json::parse(s.text(3));
  ASSERT_EQ(indicators.size(), 5u);
  for (const char* key : {"name", "weight", "value", "explanation", "evidence"}) {
    EXPECT_TRUE(indicators[0].contains(key)) << key;
  }
  int n = 1;
  while (s.step()) ++n;
  EXPECT_EQ(n, 3);
}

}  // namespace
}  // namespace eo::aggregator::suspicion
