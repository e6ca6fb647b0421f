// The report's server histories: the uptime table, the availability, reachability and version
// figures, the changes table (with the round of each change) and the findings opened and
// withdrawn, with a server's hostile version string inert in the figures; the exports carry the
// history tables.
#include "aggregator/history/history.h"
#include "aggregator/report/report.h"
#include "aggregator/results/results_db.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace eo::aggregator {
namespace {

constexpr std::int64_t kHour = 3'600'000'000;
constexpr std::int64_t kStart = 1'765'000'800'000'000;
const std::string kHostileVersion = "<script>alert(1)</script> 9.9";

results::ObservationRow row(const std::string& host, std::int64_t round, bool answered,
                            const std::string& version) {
  results::ObservationRow r;
  r.observation_id = host + "/r" + std::to_string(round);
  r.campaign_id = "c";
  r.round = round;
  r.target_host = host;
  r.target_id = "tcp://" + host + ":50001";
  r.vantage_id = "v1";
  r.probe_name = "metadata";
  r.started_us = kStart + round * kHour;
  r.outcome = answered ? "ok" : "timeout";
  if (answered) r.server_version = version;
  r.result_json = "{}";
  return r;
}

// a.example: up, claims 1.20.0 then (round 2 on) a hostile string; b.example down in round 1.
void make_history(results::ResultsDb& db) {
  for (std::int64_t round = 0; round < 4; ++round) {
    std::vector<results::ObservationRow> rows = {
        row("a.example", round, true, round >= 2 ? kHostileVersion : "ElectrumX 1.20.0"),
        row("b.example", round, round != 1, "Fulcrum 1.11.1")};
    db.write_batch(rows, {}, {});
    history::PassInput input;
    if (round < 2) input.findings.push_back({"f-1", "differential.latency", "b.example", "", "v1"});
    history::update(db.database(), input);
  }
}

TEST(ReportHistory, FiguresChangesAndFindingsOverTime) {
  test::TempDir dir;
  results::ResultsDb db(dir.file("r.sqlite"));
  make_history(db);
  std::string html = report::render_report(db);
  EXPECT_NE(html.find(">Server histories</h2>"), std::string::npos);
  for (const char* id :
       {"table-server-history", "figure-availability", "figure-reachability", "figure-versions",
        "table-changes", "figure-findings", "table-finding-history"}) {
    EXPECT_NE(html.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  }
  EXPECT_EQ(html.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt; 9.9"), std::string::npos);
  // The version change at round 2 and the outage at round 1, back at round 2.
  EXPECT_NE(html.find("<td>a.example</td><td>version</td><td>c</td><td data-sort=\"2\">2</td>"),
            std::string::npos);
  EXPECT_NE(
      html.find("<td>b.example</td><td>reachability</td><td>c</td><td data-sort=\"1\">1</td>"),
      std::string::npos);
  EXPECT_NE(
      html.find("<td>b.example</td><td>reachability</td><td>c</td><td data-sort=\"2\">2</td>"),
      std::string::npos);
  // f-1 opened at round 0 and withdrawn at round 2: one grey stretch in the figure.
  EXPECT_NE(html.find("<g class=\"withdrawn\">"), std::string::npos);
  EXPECT_EQ(html.find("<g class=\"open\">"), std::string::npos);
  EXPECT_NE(html.find("<td>c #0</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>c #2</td>"), std::string::npos);

  auto files = report::write_report(db, dir.file("out"));
  for (const char* table :
       {"server_history", "availability_hourly", "server_changes", "finding_history"}) {
    EXPECT_TRUE(std::filesystem::exists(files.csv_dir + "/" + table + ".csv")) << table;
  }
  std::stringstream json;
  json << std::ifstream(files.json).rdbuf();
  EXPECT_NE(json.str().find("\"server_changes\""), std::string::npos);
}

}  // namespace
}  // namespace eo::aggregator
