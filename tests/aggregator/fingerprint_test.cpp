// Fingerprint judgement on stated facts (the probes test runs it on real probe output): the best
// net score wins, ties and thin evidence stay unknown, a contradicted claim is "modified" with the
// observations that contradict it.
#include "aggregator/fingerprint/infer.h"

#include <gtest/gtest.h>

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

TEST(Judge, HonestClaimIsNotModified) {
  auto v = judge("t", fulcrum_facts(), {"Fulcrum 2.1.1"}, ref());
  EXPECT_EQ(v.implementation, "fulcrum");
  EXPECT_EQ(v.claimed_implementation, "fulcrum");
  EXPECT_EQ(v.claimed_version, "2.1.1");
  EXPECT_FALSE(v.modified);
  EXPECT_TRUE(v.contradictions.empty());
  EXPECT_EQ(v.scores[0], (Score{"fulcrum", 5, 0}));
}

TEST(Judge, ContradictedClaimIsModifiedWithItsEvidence) {
  auto v = judge("t", fulcrum_facts(), {"Fulcrum 2.1.1", "ElectrumX 1.20.0"}, ref());
  EXPECT_EQ(v.implementation, "fulcrum");
  EXPECT_EQ(v.claimed_implementation, "electrumx");  // the latest claim
  EXPECT_TRUE(v.modified);
  ASSERT_EQ(v.contradictions.size(), 5u);
  for (const auto& c : v.contradictions) {
    EXPECT_FALSE(c.observation_ids.empty()) << c.fact;
    EXPECT_FALSE(c.expected.empty()) << c.fact;
  }
  EXPECT_EQ(v.contradictions[0].fact, "error.parse_error");
  EXPECT_EQ(v.contradictions[0].observation_ids, std::vector<std::string>{"o2"});
}

TEST(Judge, OneOddFactIsNotEnoughForModified) {
  std::vector<Fact> facts = {{"framing.key_order", "jsonrpc,result,id", "o1"}};
  auto v = judge("t", facts, {"Fulcrum 2.1.1"}, ref());
  EXPECT_FALSE(v.modified);
  EXPECT_EQ(v.implementation, "unknown");  // one fact does not name anything
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

}  // namespace
}  // namespace eo::aggregator::fingerprint
