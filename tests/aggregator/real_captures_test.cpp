// The aggregator's verdicts on replies captured from genuine ElectrumX releases
// (agent/probes/<probe>/testdata/electrumx-<version>-<configuration>.jsonl, written by
// tests/realserver/electrumx_test.py --capture): electrumx, a range that holds the true version,
// not modified, nothing contradicted. The same verdict `ctest -L realserver` asks of the running
// servers, here in every build and without them.
#include "aggregator/fingerprint/infer.h"
#include "aggregator/reference/reference.h"
#include "tests/aggregator/support.h"

#include <gtest/gtest.h>

#include <regex>

namespace eo::aggregator {
namespace {

TEST(RealCaptures, GenuineElectrumXIsElectrumXNotModifiedInItsRange) {
  const reference::Reference& ref = reference::builtin_reference();
  const reference::Implementation& electrumx = *ref.find("electrumx");
  const std::regex name(R"(electrumx-([0-9.]+)-([a-z]+))");
  std::size_t judged = 0;
  for (const auto& server : test::captured_servers("metadata")) {
    std::smatch m;
    if (!std::regex_match(server, m, name)) continue;
    const std::string version = m[1].str();
    const auto rows = test::captured_rows({"metadata", "version_matrix", "hostile_input"}, server);
    const auto verdicts = fingerprint::infer(rows, ref);
    ASSERT_FALSE(verdicts.empty()) << server;
    ++judged;
    for (const auto& v : verdicts) {
      SCOPED_TRACE(server + " " + v.target_id);
      EXPECT_EQ(v.implementation, "electrumx");
      EXPECT_EQ(v.claimed_implementation, "electrumx");
      EXPECT_EQ(v.claimed_version, version);
      EXPECT_FALSE(v.modified);
      EXPECT_TRUE(v.contradictions.empty());
      const auto range = electrumx.line.range(v.version_range);
      ASSERT_TRUE(range) << v.version_range;
      EXPECT_TRUE(range->intersects(electrumx.line.claimed(version)))
          << v.version_range << " does not hold " << version;
    }
  }
  EXPECT_GE(judged, 8u) << "captures of four releases in two configurations are committed";
}

}  // namespace
}  // namespace eo::aggregator
