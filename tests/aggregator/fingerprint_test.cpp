// Fingerprint judgement on stated facts (the probes test runs it on real probe output): the best
// net score over cases wins, ties and thin evidence stay unknown; facts of one probe case count
// once; configuration and builds between releases explain rather than contradict; a claim is
// "modified" only with independent contradictions, all listed, and the verdict says what it
// ruled out.
#include "aggregator/fingerprint/infer.h"
#include "aggregator/results/results_db.h"

#include "tests/support/process.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace eo::aggregator::fingerprint {
namespace {

const reference::Reference& ref() { return reference::builtin_reference(); }

std::vector<Fact> fulcrum_facts() {
  return {{"framing.key_order", "id,jsonrpc,result", "o1"},
          {"framing.terminator", "crlf", "o1"},
          {"features.dsproof", "present", "o1"},
          {"error.unknown_method", "-32601 Unsupported request: eo.no_such_method", "o2"},
          {"error.parse_error", "-32700 Failed to parse Json from string: {", "o2"}};
}

// What a genuine ElectrumX shows, with `negotiated` as its answer to our client's range and
// the method sent before server.version answered (before 1.19) or refused.
std::vector<Fact> electrumx_facts(const std::string& negotiated, bool refuses_early_method) {
  std::vector<Fact> facts = {
      {"framing.key_order", "jsonrpc,result,id", "m"},
      {"framing.terminator", "lf", "m"},
      {"features.services", "present", "m"},
      {"features.dsproof", "absent", "m"},
      {"donation_address", "empty", "m"},
      {"version.profile", "result " + negotiated, "v"},
      {"version.twice", "1 server.version already sent", "v"},
      {"error.unknown_method", "-32601 unknown method \"eo.no_such_method\"", "h"},
      {"error.parse_error", "-32700 invalid JSON", "h"},
      {"error.empty_batch", "-32600 batch is empty", "h"}};
  if (refuses_early_method) {
    facts.push_back(
        {"error.method_before_version", "1 use server.version to identify client", "h"});
    facts.push_back({"alive.method_before_version", "no", "h"});
  } else {
    facts.push_back({"error.method_before_version", "result", "h"});
    facts.push_back({"alive.method_before_version", "yes", "h"});
  }
  return facts;
}

const Explained* explained(const Verdict& v, const std::string& fact) {
  auto it = std::find_if(v.explained.begin(), v.explained.end(),
                         [&](const Explained& e) { return e.fact == fact; });
  return it == v.explained.end() ? nullptr : &*it;
}

TEST(Judge, HonestClaimIsNotModified) {
  auto v = judge("t", fulcrum_facts(), {"Fulcrum 2.1.1"}, ref());
  EXPECT_EQ(v.implementation, "fulcrum");
  EXPECT_EQ(v.claimed_implementation, "fulcrum");
  EXPECT_EQ(v.claimed_version, "2.1.1");
  EXPECT_FALSE(v.modified);
  EXPECT_TRUE(v.contradictions.empty());
  // Cases, not facts: key order and terminator are one server.version reply.
  EXPECT_EQ(v.scores[0], (Score{"fulcrum", 4, 0}));
  EXPECT_EQ(v.matched, 4u);
}

TEST(Judge, ContradictedClaimIsModifiedWithItsEvidence) {
  auto v = judge("t", fulcrum_facts(), {"Fulcrum 2.1.1", "ElectrumX 1.20.0"}, ref());
  EXPECT_EQ(v.implementation, "fulcrum");
  EXPECT_EQ(v.claimed_implementation, "electrumx");  // the latest claim
  EXPECT_TRUE(v.modified);
  ASSERT_EQ(v.contradictions.size(), 4u);  // one per case, sorted by case
  for (const auto& c : v.contradictions) {
    EXPECT_FALSE(c.observation_ids.empty()) << c.fact;
    EXPECT_FALSE(c.expected.empty()) << c.fact;
    EXPECT_FALSE(c.facts.empty()) << c.fact;
  }
  EXPECT_EQ(v.contradictions[1].fact, "hostile_input.parse_error");
  EXPECT_EQ(v.contradictions[1].facts, std::vector<std::string>{"error.parse_error"});
  EXPECT_EQ(v.contradictions[1].observed, "-32700 Failed to parse Json from string: {");
  EXPECT_EQ(v.contradictions[1].observation_ids, std::vector<std::string>{"o2"});
  EXPECT_EQ(v.contradictions[3].fact, "version.profile");
  EXPECT_EQ(v.contradictions[3].facts,
            (std::vector<std::string>{"framing.key_order", "framing.terminator"}));
}

TEST(Judge, OneOddFactIsNotEnoughForModified) {
  std::vector<Fact> facts = {{"framing.key_order", "jsonrpc,result,id", "o1"}};
  auto v = judge("t", facts, {"Fulcrum 2.1.1"}, ref());
  EXPECT_FALSE(v.modified);
  EXPECT_EQ(v.implementation, "unknown");  // one fact does not name anything
  ASSERT_EQ(v.contradictions.size(), 1u);  // listed even when it does not make "modified"
}

TEST(Judge, UnknownClaimAndNoFacts) {
  auto v = judge("t", {}, {"MyServer 0.1"}, ref());
  EXPECT_EQ(v.implementation, "unknown");
  EXPECT_EQ(v.claimed_implementation, "");
  EXPECT_EQ(v.claimed_text, "MyServer 0.1");
  EXPECT_FALSE(v.modified);
}

TEST(Judge, VersionRangeFromNegotiation) {
  auto facts = fulcrum_facts();
  facts.push_back({"version.profile", "result 1.5.3", "o3"});
  EXPECT_EQ(judge("t", facts, {}, ref()).version_range, "1.10 - 2.0");
}

// An honest ElectrumX: recognised, not modified, nothing contradicted, placed in `range`, and the
// method sent before server.version explained `by` a version or an option.
Verdict expect_honest_electrumx(const std::vector<Fact>& facts, const std::string& claim,
                                const std::string& range, const std::string& by) {
  auto v = judge("t", facts, {claim}, ref());
  EXPECT_EQ(v.implementation, "electrumx");
  EXPECT_FALSE(v.modified);
  EXPECT_TRUE(v.contradictions.empty());
  EXPECT_EQ(v.version_range, range);
  const auto* early = explained(v, "hostile_input.method_before_version");
  EXPECT_EQ(early ? early->by : "nothing", by);
  return v;
}

// The server of issue #15: a build of ElectrumX's master after the 1.16.0 tag, still reporting
// 1.16.0, negotiating 1.4.3 like 1.17, answering a method sent before server.version as every
// ElectrumX before 1.19 does by default.
TEST(Judge, ElectrumXBuildAfter1160IsNotModified) {
  auto v = expect_honest_electrumx(electrumx_facts("1.4.3", false), "ElectrumX 1.16.0",
                                   "1.16 - 1.18", "version < 1.19");
  EXPECT_EQ(v.claimed_implementation, "electrumx");
  const auto* build = explained(v, "version");
  ASSERT_NE(build, nullptr);
  EXPECT_NE(build->by.find("a build after the 1.16.0 release"), std::string::npos) << build->by;
  // Without the claim the behaviour alone names releases 1.17 - 1.18.
  EXPECT_EQ(judge("t", electrumx_facts("1.4.3", false), {}, ref()).version_range, "1.17 - 1.18");
}

TEST(Judge, DropClientUnknownIsConfigurationNotContradiction) {
  auto v = expect_honest_electrumx(electrumx_facts("1.4.3", true), "ElectrumX 1.16.0",
                                   "1.16 - 1.18", "configuration DROP_CLIENT_UNKNOWN (< 1.19)");
  // A configuration fact is no match either: the same server with the default scores one more.
  auto plain = judge("t", electrumx_facts("1.4.3", false), {"ElectrumX 1.16.0"}, ref());
  EXPECT_EQ(v.matched + 1, plain.matched);
}

// ElectrumX 1.16 with DROP_CLIENT_UNKNOWN sends its error code as a result, then hangs up.
TEST(Judge, DropClientUnknownIn116AnswersThenCloses) {
  auto facts = electrumx_facts("1.4.2", false);
  std::erase_if(facts, [](const Fact& f) { return f.name == "alive.method_before_version"; });
  facts.push_back({"alive.method_before_version", "no", "h"});
  expect_honest_electrumx(facts, "ElectrumX 1.16.0", "<= 1.16",
                          "configuration DROP_CLIENT_UNKNOWN (< 1.19)");
}

TEST(Judge, RefusalIsTheDefaultFrom119) {
  expect_honest_electrumx(electrumx_facts("1.6", true), "ElectrumX 1.20.0", ">= 1.19",
                          "version >= 1.19");
}

// A claim that the behaviour places elsewhere is one contradiction however many cases place it.
TEST(Judge, ClaimOutsideTheBehavioursVersionsIsOneContradiction) {
  auto v = judge("t", electrumx_facts("1.4.3", false), {"ElectrumX 1.20.0"}, ref());
  EXPECT_FALSE(v.modified);
  ASSERT_EQ(v.contradictions.size(), 1u);
  EXPECT_EQ(v.contradictions[0].fact, "version");
  EXPECT_EQ(v.contradictions[0].observed, "claims 1.20.0");
  EXPECT_NE(v.contradictions[0].expected.find("1.17 - 1.18"), std::string::npos);
}

// Real Fulcrum 2.1.1 answers a 400-request batch from loopback (exempt from per-IP limits).
TEST(Judge, FulcrumAnsweringABigBatchIsConfiguration) {
  auto facts = fulcrum_facts();
  facts.push_back({"error.batch_400", "result", "o2"});
  facts.push_back({"alive.batch_400", "yes", "o2"});
  facts.push_back({"version.profile", "result 1.6", "o3"});
  auto v = judge("t", facts, {"Fulcrum 2.1.1"}, ref());
  EXPECT_EQ(v.implementation, "fulcrum");
  EXPECT_FALSE(v.modified);
  EXPECT_TRUE(v.contradictions.empty());
  EXPECT_EQ(v.scores[0].contradicted, 0u);
  EXPECT_EQ(v.version_range, ">= 2.1");
  const auto* batch = explained(v, "hostile_input.batch_400");
  ASSERT_NE(batch, nullptr);
  EXPECT_NE(batch->by.find("subnets_to_exclude_from_per_ip_limits"), std::string::npos);
}

// Issue #15: the error and the survival of one hostile case were two contradictions of a 1.20.0
// claim. They are one case, and what they say (a release before 1.19) is one version question.
TEST(Judge, OneCaseIsOnePieceOfEvidence) {
  auto facts = electrumx_facts("1.4.3", false);
  std::erase_if(facts, [](const Fact& f) { return f.name == "version.profile"; });
  auto v = judge("t", facts, {"ElectrumX 1.20.0"}, ref());
  EXPECT_FALSE(v.modified);
  ASSERT_EQ(v.contradictions.size(), 1u);
  EXPECT_EQ(v.contradictions[0].fact, "version");
  EXPECT_EQ(v.contradictions[0].facts,
            std::vector<std::string>{"hostile_input.method_before_version"});
}

TEST(Judge, OneCaseSeenTwiceIsOneContradiction) {
  auto facts = electrumx_facts("1.6", true);
  for (const char* id : {"x1", "x2"}) {  // two vantages, error and survival each
    facts.push_back({"error.empty_batch", "-32600 Invalid request", id});
    facts.push_back({"alive.empty_batch", "no", id});
  }
  auto v = judge("t", facts, {"ElectrumX 1.20.0"}, ref());
  EXPECT_FALSE(v.modified);
  ASSERT_EQ(v.contradictions.size(), 1u);
  EXPECT_EQ(v.contradictions[0].fact, "hostile_input.empty_batch");
  EXPECT_EQ(v.contradictions[0].observation_ids, (std::vector<std::string>{"x1", "x2"}));
  EXPECT_EQ(v.contradictions[0].facts, std::vector<std::string>{"error.empty_batch"});
}

TEST(Judge, LimitsAndFailedSessionsExplainRatherThanContradict) {
  auto facts = electrumx_facts("1.6", true);
  facts.push_back({"error.invalid_scripthash", "-101 excessive resource usage", "h"});
  facts.push_back({"error.wrong_arguments", "failure timeout", "h"});
  auto v = judge("t", facts, {"ElectrumX 1.20.0"}, ref());
  EXPECT_FALSE(v.modified);
  EXPECT_TRUE(v.contradictions.empty());
  const auto* limit = explained(v, "hostile_input.invalid_scripthash");
  ASSERT_NE(limit, nullptr);
  EXPECT_EQ(limit->by, "configuration COST_HARD_LIMIT / COST_SOFT_LIMIT");
  const auto* failed = explained(v, "hostile_input.wrong_arguments");
  ASSERT_NE(failed, nullptr);
  EXPECT_NE(failed->by.find("failed session"), std::string::npos);
  EXPECT_EQ(failed->observed, "failure timeout");
}

// A server claiming ElectrumX with Fulcrum's framing, feature keys and error texts.
TEST(Judge, AnotherProgramClaimingElectrumXIsStillModified) {
  auto facts = fulcrum_facts();
  facts.push_back({"features.services", "absent", "o1"});
  facts.push_back({"error.empty_batch", "-32600 Invalid request", "o2"});
  facts.push_back({"alive.method_before_version", "yes", "o2"});
  facts.push_back({"version.profile", "result 1.6", "o3"});
  auto v = judge("t", facts, {"ElectrumX 1.20.0"}, ref());
  EXPECT_EQ(v.implementation, "fulcrum");
  EXPECT_TRUE(v.modified);
  std::vector<std::string> cases;
  for (const auto& c : v.contradictions) cases.push_back(c.fact);
  // Besides the cases: only a build between 1.18 and 1.19 would answer a method before
  // server.version and negotiate 1.6, not the 1.20.0 it claims.
  EXPECT_EQ(cases, (std::vector<std::string>{
                       "features", "hostile_input.empty_batch", "hostile_input.parse_error",
                       "hostile_input.unknown_method", "version", "version.profile"}));
}

TEST(SaveFingerprints, ContradictedCountsTheListedContradictions) {
  eo::test::TempDir dir;
  results::ResultsDb db(dir.path() + "/r.sqlite");
  auto facts = fulcrum_facts();
  facts.push_back({"error.batch_400", "result", "o2"});
  save_fingerprints(db.database(), {judge("honest", facts, {"Fulcrum 2.1.1"}, ref()),
                                    judge("fake", facts, {"ElectrumX 1.20.0"}, ref())});
  auto st = db.database().prepare(
      "SELECT target_id, contradicted, modified, evidence_json FROM fingerprints "
      "ORDER BY target_id");
  int rows = 0;
  while (st.step()) {
    ++rows;
    auto evidence = nlohmann::json::parse(st.text(3));
    EXPECT_EQ(st.i64(1), std::int64_t(evidence["contradictions"].size())) << st.text(0);
    EXPECT_EQ(st.i64(2), std::int64_t(st.text(0) == "fake")) << st.text(0);
    EXPECT_EQ(evidence["judged_against"], st.text(0) == "fake" ? "electrumx" : "fulcrum");
    if (st.text(0) == "honest") {
      ASSERT_EQ(evidence["explained"].size(), 1u) << evidence.dump();
      EXPECT_EQ(evidence["explained"][0]["case"], "hostile_input.batch_400");
    }
  }
  EXPECT_EQ(rows, 2);
}

}  // namespace
}  // namespace eo::aggregator::fingerprint
