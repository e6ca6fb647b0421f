// The reference file: the built-in one parses, and mistakes are start-up errors naming the key;
// version lines: ranges over releases hold the builds between releases, claims land on them.
#include "aggregator/reference/reference.h"
#include "aggregator/reference/versions.h"

#include <gtest/gtest.h>

namespace eo::aggregator::reference {
namespace {

TEST(Reference, BuiltInNamesTheImplementationsAndStyles) {
  const auto& ref = builtin_reference();
  for (const char* name : {"electrumx", "fulcrum", "electrs", "esplora", "eps"}) {
    const auto* impl = ref.find(name);
    ASSERT_NE(impl, nullptr) << name;
    EXPECT_GE(impl->facts.size(), 5u) << name;
  }
  EXPECT_TRUE(ref.find("electrumx")->claim.matches("ElectrumX 1.20.0"));
  EXPECT_FALSE(ref.find("electrs")->claim.matches("electrs-esplora 0.4.1"));
  EXPECT_TRUE(ref.find("esplora")->claim.matches("electrs-esplora 0.4.1"));
  EXPECT_FALSE(ref.rate_limit_styles.empty());
}

void expect_error(const std::string& yaml, const std::string& names) {
  try {
    parse_reference(yaml, "test.yaml");
    ADD_FAILURE() << "accepted: " << yaml;
  } catch (const ReferenceError& e) {
    EXPECT_NE(std::string(e.what()).find(names), std::string::npos) << e.what();
  }
}

TEST(Reference, MistakesNameTheKey) {
  expect_error("implementations: {x: {display: X, claim: 'X (.*)', facts: {a: '('}}}",
               "implementations.x.facts.a: bad regex");
  expect_error("implementations: {x: {display: X, claim: 'X .*', facts: {a: b}}}",
               "implementations.x.claim: needs a (version) group");
  expect_error("implementations: {x: {display: X, claim: 'X (.*)'}}", "implementations.x.facts");
  expect_error(
      "implementations: {x: {display: X, claim: 'X (.*)', facts: {a: b}}}\n"
      "rate_limit_styles: [{style: s, kind: sometimes}]",
      "rate_limit_styles[0].kind");
  expect_error("[1, 2]", "test.yaml");
  expect_error(
      "implementations: {x: {display: X, claim: 'X (.*)', facts: {a: [{value: b, "
      "versions: '>= 1.0'}]}}}",
      "implementations.x.facts.a[0].versions: not a range of listed releases");
  expect_error(
      "implementations: {x: {display: X, claim: 'X (.*)', releases: ['1.2', '1.1'], "
      "facts: {a: b}}}",
      "implementations.x.releases: release \"1.1\" is not after");
  expect_error("implementations: {x: {display: X, claim: 'X (.*)', facts: {a: [{option: o}]}}}",
               "implementations.x.facts.a[0].value: must be a string");
}

TEST(Reference, FactsCarryVersionsAndOptions) {
  auto ref = parse_reference(R"(
implementations:
  x:
    display: X
    claim: 'X (.*)'
    releases: ['1.0', '1.1', '2.0']
    facts:
      plain: 'a'
      early:
        - {value: answered, versions: '< 2.0'}
        - {value: refused, versions: '< 2.0', option: STRICT}
        - {value: refused, versions: '>= 2.0'}
    any_fact:
      - {value: 'busy', option: LIMITS}
    version_facts:
      negotiated: [{value: '1\.4', versions: '1.1'}]
)",
                             "test.yaml");
  const auto& x = *ref.find("x");
  ASSERT_EQ(x.fact("early")->variants.size(), 3u);
  const auto& strict = x.fact("early")->variants[1];
  EXPECT_EQ(strict.option, "STRICT");
  EXPECT_EQ(strict.versions_text, "< 2.0");
  EXPECT_TRUE(x.fact("plain")->variants[0].is_default());
  EXPECT_EQ(x.fact("plain")->variants[0].versions, x.line.all());
  EXPECT_EQ(x.any_fact.at(0).option, "LIMITS");
  EXPECT_NE(x.version_fact("negotiated"), nullptr);
  EXPECT_EQ(x.fact("negotiated"), nullptr);
}

VersionLine electrumx_line() {
  std::string error;
  auto line = VersionLine::make({"1.15", "1.16", "1.17", "1.18", "1.19", "2.0"}, error);
  EXPECT_TRUE(line) << error;
  return *line;
}

TEST(VersionLine, RangesHoldTheBuildsBetweenReleases) {
  auto line = electrumx_line();
  auto r = [&](const char* text) { return *line.range(text); };
  // A build after the 1.16.0 tag reports 1.16.0 and may behave like 1.17.
  EXPECT_TRUE(r("1.17 - 1.18").intersects(line.claimed("1.16.0")));
  EXPECT_FALSE(r("1.17 - 1.18").intersects(line.claimed("1.15.0")));
  EXPECT_FALSE(r("1.17 - 1.18").intersects(line.claimed("1.19.0")));
  // Before and from a change, the builds around it can be either.
  EXPECT_TRUE(r("< 1.19").intersects(r(">= 1.19")));
  EXPECT_EQ(r("< 1.19"), r("<= 1.18"));
  EXPECT_EQ(r("> 1.18") | r("1.18"), r(">= 1.18"));
  EXPECT_EQ(r(""), line.all());
  EXPECT_FALSE(line.range("1.99"));
  EXPECT_FALSE(line.range("1.18 - 1.17"));
  EXPECT_FALSE(line.range("sometimes"));
}

TEST(VersionLine, ClaimsOfUnlistedVersionsFallInTheirGap) {
  auto line = electrumx_line();
  EXPECT_TRUE(line.claimed("1.19.5-dirty").intersects(*line.range("1.19")));
  EXPECT_TRUE(line.claimed("1.17.0").intersects(*line.range("1.17")));
  EXPECT_TRUE(line.claimed("3.0").intersects(*line.range(">= 2.0")));   // newer than listed
  EXPECT_TRUE(line.claimed("1.3").intersects(*line.range("<= 1.15")));  // older than listed
  EXPECT_TRUE(line.claimed("master").empty());
}

TEST(VersionLine, DescribesRanges) {
  auto line = electrumx_line();
  auto d = [&](const char* text) { return line.describe(*line.range(text)); };
  EXPECT_EQ(d("1.17 - 1.18"), "1.17 - 1.18");
  EXPECT_EQ(d(">= 1.19"), ">= 1.19");
  EXPECT_EQ(d("< 1.19"), "<= 1.18");
  EXPECT_EQ(d("1.16"), "1.16");
  EXPECT_EQ(d(""), "");
  EXPECT_EQ(line.describe({}), "");
  // Only a build between two releases: both named.
  EXPECT_EQ(line.describe(*line.range("<= 1.16") & *line.range(">= 1.17")), "1.16 - 1.17");
  EXPECT_EQ(line.describe(*line.range("1.17 - 1.18") | line.claimed("1.16.0")), "1.16 - 1.18");
}

}  // namespace
}  // namespace eo::aggregator::reference
