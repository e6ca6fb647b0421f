// The reference file: the built-in one parses, and mistakes are start-up errors naming the key.
#include "aggregator/reference/reference.h"

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
}

}  // namespace
}  // namespace eo::aggregator::reference
