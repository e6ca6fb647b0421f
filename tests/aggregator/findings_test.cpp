// Findings on known sets: each producer (differential tests with status "finding", modified
// implementations, operator clusters) states its finding with p, q, evidence and details, honest
// inputs produce none; ids are stable and the order deterministic; the findings table and the
// eo.v1.Finding message carry everything.
#include "aggregator/findings/findings.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "aggregator/findings/producers.h"
#include "aggregator/results/results_db.h"
#include "tests/support/process.h"

namespace eo::aggregator::findings {
namespace {

Finding make(const std::string& kind, const std::string& server) {
  Finding f;
  f.kind = kind;
  f.server = server;
  return f;
}

differential::Test test(const std::string& vantage, const char* status) {
  differential::Test t;
  t.target_id = "tcp://Host.Example:50001";
  t.dimension = differential::kReachability;
  t.vantage_id = vantage;
  t.vantage_differs = 5;
  t.rest_alike = 25;
  t.p = 1.0 / 142506.0;
  t.q = 3.0 / 142506.0;
  t.direction = "worse";
  t.status = status;
  t.evidence = {"o1", "o2"};
  if (std::string(status) == differential::kConfounded) t.confounders = {"shared tor exit X"};
  return t;
}

TEST(Findings, ServerOfTarget) {
  EXPECT_EQ(server_of_target("tcp://Host.Example:50001"), "host.example");
  EXPECT_EQ(server_of_target("tls://[2001:db8::1]:50002"), "2001:db8::1");
  EXPECT_EQ(server_of_target("tcp://abc.onion:50001"), "abc.onion");
  EXPECT_EQ(server_of_target("plain"), "plain");
}

TEST(Findings, DifferentialFindingsOnly) {
  auto found =
      from_differential({test("v1", differential::kFinding), test("v2", differential::kConfounded),
                         test("v3", differential::kNotSignificant)});
  ASSERT_EQ(found.size(), 1u);
  const auto& f = found[0];
  EXPECT_EQ(f.kind, "differential.reachability");
  EXPECT_EQ(f.server, "host.example");
  EXPECT_EQ(f.target_id, "tcp://Host.Example:50001");
  EXPECT_EQ(f.vantage_id, "v1");
  EXPECT_EQ(f.dimension, "reachability");
  EXPECT_EQ(f.p, 1.0 / 142506.0);
  EXPECT_EQ(f.q, 3.0 / 142506.0);
  EXPECT_FALSE(f.score);
  EXPECT_EQ(f.evidence, (std::vector<std::string>{"o1", "o2"}));
  EXPECT_EQ(f.details["vantage_differs"], 5);
  EXPECT_EQ(f.details["rest_alike"], 25);
  EXPECT_EQ(f.details["direction"], "worse");
  EXPECT_TRUE(f.details["confounders"].empty());
  EXPECT_NE(f.summary.find("5 of 5 rounds"), std::string::npos) << f.summary;
  EXPECT_NE(f.summary.find("p = 7.02e-06"), std::string::npos) << f.summary;
  EXPECT_TRUE(from_differential({test("v2", differential::kConfounded)}).empty());
}

TEST(Findings, ModifiedImplementationNamesContradictions) {
  fingerprint::Verdict honest;
  honest.target_id = "tcp://a.example:50001";
  honest.claimed_implementation = honest.implementation = "electrumx";
  fingerprint::Verdict modified;
  modified.target_id = "tls://b.example:50002";
  modified.claimed_implementation = "electrumx";
  modified.claimed_text = "ElectrumX 1.20.0";
  modified.implementation = "fulcrum";
  modified.modified = true;
  modified.contradictions = {
      {"framing.key_order", "id,jsonrpc,result", "jsonrpc,result,id", {"m2", "m1"}},
      {"error.unknown_method",
       "-32601 Unsupported request: x",
       "-32601 unknown method \".*\"",
       {"h1", "m1"}}};
  auto found = from_fingerprints({honest, modified});
  ASSERT_EQ(found.size(), 1u);
  const auto& f = found[0];
  EXPECT_EQ(f.kind, kModifiedImplementation);
  EXPECT_EQ(f.server, "b.example");
  EXPECT_EQ(f.target_id, "tls://b.example:50002");
  EXPECT_EQ(f.evidence, (std::vector<std::string>{"h1", "m1", "m2"}));
  ASSERT_EQ(f.details["contradictions"].size(), 2u);
  EXPECT_EQ(f.details["contradictions"][0]["fact"], "framing.key_order");
  EXPECT_EQ(f.details["contradictions"][1]["observation_ids"], nlohmann::json({"h1", "m1"}));
  EXPECT_EQ(f.details["implementation"], "fulcrum");
  EXPECT_NE(f.summary.find("ElectrumX 1.20.0"), std::string::npos) << f.summary;
  EXPECT_TRUE(from_fingerprints({honest}).empty());
}

TEST(Findings, OneOperatorFindingPerMember) {
  operators::Clustering c;
  operators::Cluster cluster;
  cluster.id = "a.example";
  cluster.members = {"a.example", "b.example"};
  cluster.evidence = {
      {"certificate", true, true, "cert1", {"a.example", "b.example"}, {"a/tls", "b/tls"}},
      {"network", false, false, "AS0 198.51.100.0/24", {"a.example", "c.example"}, {}},
      {"peers", false, false, "list each other", {"a.example", "c.example"}, {"a/m", "c/m"}}};
  cluster.outliers = {"b.example: implementation fulcrum (cluster: electrumx)"};
  c.clusters = {cluster};
  auto found = from_operators(c);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].server, "a.example");
  EXPECT_EQ(found[1].server, "b.example");
  for (const auto& f : found) {
    EXPECT_EQ(f.kind, kOperatorCluster);
    EXPECT_EQ(f.details["cluster_id"], "a.example");
    EXPECT_EQ(f.details["members"], nlohmann::json({"a.example", "b.example"}));
    EXPECT_EQ(f.details["member_count"], 2);
    // The links the member is part of: b.example is outside the /24 and peers annotations.
    ASSERT_EQ(f.details["links"].size(), f.server == "a.example" ? 3u : 1u);
    // The evidence: the observations behind the links that joined it, not the annotations'.
    EXPECT_EQ(f.evidence, (std::vector<std::string>{"a/tls", "b/tls"}));
    EXPECT_EQ(f.details["links"][0]["observations"], nlohmann::json({"a/tls", "b/tls"}));
    EXPECT_EQ(f.details["links"][0]["kind"], "certificate");
    EXPECT_EQ(f.details["links"][0]["value"], "cert1");
    EXPECT_EQ(f.details["links"][0]["server_count"], 2);
    EXPECT_EQ(f.details["outliers"].size(), 1u);
    EXPECT_NE(f.summary.find("joined by certificate"), std::string::npos) << f.summary;
  }
  EXPECT_TRUE(from_operators({}).empty());
}

TEST(Findings, StableIdsAndOrder) {
  Finding a = make(kOperatorCluster, "b.example");
  a.summary = "x";
  Finding b = make("differential.content", "a.example");
  b.target_id = "t";
  b.vantage_id = "v";
  b.dimension = "content";
  b.summary = "y";
  auto one = identify({a, b});
  auto two = identify({b, a});
  EXPECT_EQ(one, two);  // the producers' order does not matter
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(one[0].finding.kind, "differential.content");  // by kind first
  EXPECT_EQ(one[0].finding_id, finding_id(b));
  EXPECT_EQ(one[0].finding_id.size(), 2u + 32u);
  // The id is the subject's, not the content's: more evidence, same id, other content hash.
  Finding grown = b;
  grown.evidence.push_back("o9");
  EXPECT_EQ(finding_id(grown), finding_id(b));
  EXPECT_NE(content_sha256(identify({grown})[0]), content_sha256(one[0]));
  // Fields do not run into each other.
  Finding c1 = make("k", "ab"), c2 = make("k", "a");
  c1.target_id = "c";
  c2.target_id = "bc";
  EXPECT_NE(finding_id(c1), finding_id(c2));
  // Two findings about one subject get distinct ids, in content order.
  Finding d1 = a, d2 = a;
  d2.summary = "w";
  auto twice = identify({d1, d2});
  EXPECT_EQ(twice[0].finding_id + "-2", twice[1].finding_id);
  EXPECT_EQ(twice[0].finding.summary, "w");
}

TEST(Findings, SavedLoadedAndAsMessage) {
  eo::test::TempDir dir;
  results::ResultsDb db(dir.file("r.sqlite"));
  Finding f = make(kHoneypotSuspicion, "h.example");
  f.score = 0.85;
  f.summary = "h.example scores 0.85";
  f.evidence = {"o1", "o2"};
  f.details = {{"level", "high"},
               {"indicators",
                {{{"name", "certificate_reuse"},
                  {"weight", 0.2},
                  {"value", 1},
                  {"explanation", "shared"},
                  {"evidence", {"o1"}}}}}};
  auto findings = identify({from_differential({test("v1", differential::kFinding)})[0], f});
  save_findings(db.database(), findings);
  save_findings(db.database(), findings);  // replaced whole, not appended
  auto loaded = load_findings(db.database());
  auto sorted = findings;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.finding_id < b.finding_id; });
  EXPECT_EQ(loaded, sorted);

  auto message = to_proto(findings[1], 123);
  EXPECT_EQ(message.finding_id(), findings[1].finding_id);
  EXPECT_EQ(message.kind(), kHoneypotSuspicion);
  EXPECT_EQ(message.server(), "h.example");
  EXPECT_TRUE(message.has_score());
  EXPECT_EQ(message.score(), 0.85);
  EXPECT_FALSE(message.has_p_value());
  EXPECT_EQ(message.created_unix_us(), 123);
  ASSERT_EQ(message.indicators_size(), 1);
  EXPECT_EQ(message.indicators(0).name(), "certificate_reuse");
  EXPECT_EQ(message.indicators(0).weight(), 0.2);
  EXPECT_EQ(message.indicators(0).evidence_observation_ids(0), "o1");
  EXPECT_EQ(nlohmann::json::parse(message.details_json())["level"], "high");
  auto differential = to_proto(findings[0], 0);
  EXPECT_EQ(differential.vantage_id(), "v1");
  EXPECT_EQ(differential.p_value(), 1.0 / 142506.0);
  EXPECT_EQ(differential.evidence_observation_ids_size(), 2);
}

}  // namespace
}  // namespace eo::aggregator::findings
