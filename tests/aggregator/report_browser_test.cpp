// The report as a reader gets it: a known observation set goes through the real `observatory
// aggregator` and `observatory report`; pandas reads the exports
// (tests/aggregator/report_exports_check.py) and headless Debian Chromium (playwright-core, npm)
// opens report.html and checks the sections, the map, a table sort and that hostile server text
// stayed text (tests/aggregator/report_browser.mjs); the screenshot is kept as a CI artifact.
#include "aggregator/results/results_db.h"
#include "common/bus/factory.h"
#include "common/bus/topics.h"
#include "tests/aggregator/support.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace eo::aggregator {
namespace {

namespace fs = std::filesystem;

// Public addresses libloc places in different countries and networks: the map has colours.
const char* const kAddresses[] = {"8.8.8.8",         "193.0.6.139", "212.27.48.10",
                                  "203.178.141.194", "8.8.4.4",     "129.250.35.250"};
constexpr std::uint64_t kServers = 6, kVantages = 3, kProbes = 8, kRounds = 4;

// 6 servers x 3 vantages x 8 probes x 4 rounds; vantage-2 is refused by server 1 in every round
// (a differential finding to show).
void publish(const std::string& data_dir) {
  bus::BusConfig config;
  config.log_dir = data_dir + "/bus";
  config.client_id = "report-browser-test";
  auto producer = bus::make_producer(config);
  for (std::uint64_t i = 0; i < kServers * kVantages * kProbes * kRounds; ++i) {
    auto o = test::synthetic_observation(i, kServers, kVantages);
    std::uint64_t server = (i / (kProbes * kVantages)) % kServers;
    std::string ip = kAddresses[server];
    o.mutable_target()->clear_resolved_ips();
    o.mutable_target()->add_resolved_ips(ip);
    o.set_peer_address(ip + ":" + std::to_string(o.target().port()));
    if (server == 1 && o.vantage().id() == "vantage-2") {
      o.set_outcome(v1::OUTCOME_REFUSED);
      o.set_failure("connection_refused");
      o.set_result_json("{}");
      o.clear_tls();
    }
    ASSERT_TRUE(
        producer->publish(bus::topics::kObservations, o.target().id(), o.SerializeAsString()).ok());
  }
  ASSERT_TRUE(producer->flush(std::chrono::seconds(10)).ok());
}

// Server-chosen text with markup, a quoted comma and a line break (banner-like, into as_name).
const char* const kHostile = "</script><img src=x onerror=\"window.pwned=1\">, \"AS\"\nname";

// Publishes the set `publishes` times (more than once: a replay) to DIR's embedded log, runs
// `observatory aggregator --once` into DIR/r.sqlite, gives every server the hostile AS name and
// runs `observatory report --out DIR/report`.
void aggregate_and_report(const eo::test::TempDir& dir, int publishes,
                          eo::test::CommandResult& report) {
  for (int i = 0; i < publishes; ++i) publish(dir.path());
  std::string observatory = EO_OBSERVATORY_BINARY;
  auto aggregate = eo::test::run_command(observatory + " aggregator --data-dir " + dir.path() +
                                         " --db " + dir.file("r.sqlite") + " --once --idle-ms 500");
  ASSERT_EQ(aggregate.status, 0) << aggregate.err;
  {
    results::ResultsDb db(dir.file("r.sqlite"));
    auto st = db.database().prepare("UPDATE servers SET as_name = ?");
    st.bind(1, std::string(kHostile));
    st.run();
  }
  report = eo::test::run_command(observatory + " report --db " + dir.file("r.sqlite") + " --out " +
                                 dir.file("report"));
}

std::string read(const fs::path& path) {
  std::stringstream s;
  s << std::ifstream(path, std::ios::binary).rdbuf();
  return s.str();
}

// The database and report every test reads: built once through the real commands.
class ReportFromCommands : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new eo::test::TempDir();
    report_ = new eo::test::CommandResult();
    aggregate_and_report(*dir_, 1, *report_);
  }
  static void TearDownTestSuite() {
    delete report_;
    delete dir_;
  }
  static std::string out() { return dir_->file("report"); }

  static eo::test::TempDir* dir_;
  static eo::test::CommandResult* report_;
};

eo::test::TempDir* ReportFromCommands::dir_ = nullptr;
eo::test::CommandResult* ReportFromCommands::report_ = nullptr;

TEST_F(ReportFromCommands, CommandWritesThePageAndTheExports) {
  ASSERT_NE(report_, nullptr);
  ASSERT_EQ(report_->status, 0) << report_->err;
  EXPECT_NE(report_->err.find("6 servers"), std::string::npos) << report_->err;
  EXPECT_TRUE(fs::exists(out() + "/report.html"));
  EXPECT_TRUE(fs::exists(out() + "/report.json"));
  EXPECT_TRUE(fs::exists(out() + "/csv/servers.csv"));
  // A replay (everything published twice) gives the same report, byte for byte.
  eo::test::TempDir replay;
  eo::test::CommandResult again;
  aggregate_and_report(replay, 2, again);
  ASSERT_EQ(again.status, 0) << again.err;
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(out())) {
    if (!entry.is_regular_file()) continue;
    ++files;
    auto twin = fs::path(replay.file("report")) / fs::relative(entry.path(), out());
    EXPECT_EQ(read(entry.path()), read(twin)) << entry.path();
  }
  EXPECT_GT(files, 10u);
  auto help = eo::test::run_command(std::string(EO_OBSERVATORY_BINARY) + " report --help");
  EXPECT_EQ(help.status, 0);
  for (const char* text : {"--db", "--out", "report.html", "report.json", "byte-identical"}) {
    EXPECT_NE(help.out.find(text), std::string::npos) << text << "\n" << help.out;
  }
}

TEST_F(ReportFromCommands, PandasReadsEveryExport) {
  ASSERT_NE(report_, nullptr);
  ASSERT_EQ(report_->status, 0) << report_->err;
  EO_SKIP_UNLESS_CI(eo::test::run_command("/usr/bin/python3 -c 'import pandas'").status != 0,
                    "no pandas for /usr/bin/python3 (apt-get install python3-pandas)");
  std::string hostile_arg = "'";
  for (char c : std::string(kHostile)) {
    hostile_arg += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  hostile_arg += "'";
  auto check = eo::test::run_command("/usr/bin/python3 " + std::string(EO_SOURCE_DIR) +
                                     "/tests/aggregator/report_exports_check.py " + out() + " 6 " +
                                     hostile_arg);
  EXPECT_EQ(check.status, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("pandas read every export"), std::string::npos) << check.out;
}

TEST_F(ReportFromCommands, SectionsMapAndSortInHeadlessChromium) {
  ASSERT_NE(report_, nullptr);
  ASSERT_EQ(report_->status, 0) << report_->err;
  const std::string chromium = "/usr/bin/chromium";
  const std::string web = std::string(EO_SOURCE_DIR) + "/aggregator/report/web";
  EO_SKIP_UNLESS_CI(!fs::exists(chromium), "no " << chromium << " (apt-get install chromium)");
  EO_SKIP_UNLESS_CI(eo::test::find_program("node").empty(), "no node");
  EO_SKIP_UNLESS_CI(!fs::exists(web + "/node_modules/playwright-core"),
                    "no playwright-core: run scripts/install-deps.sh (npm ci in " << web << ")");
  fs::create_directories(EO_TEST_ARTIFACTS_DIR);
  std::string screenshot = std::string(EO_TEST_ARTIFACTS_DIR) + "/report.png";
  fs::remove(screenshot);
  auto browser = eo::test::run_command("timeout -k 5 120 node " + std::string(EO_SOURCE_DIR) +
                                       "/tests/aggregator/report_browser.mjs " + out() +
                                       "/report.html " + screenshot + " " + web);
  EXPECT_EQ(browser.status, 0) << browser.out << browser.err;
  EXPECT_EQ(browser.out.find("FAIL"), std::string::npos) << browser.out;
  for (const char* check :
       {"ok   map has a coloured country", "ok   rows moved", "ok   hostile text stayed text"}) {
    EXPECT_NE(browser.out.find(check), std::string::npos) << check << "\n" << browser.out;
  }
  EXPECT_GT(fs::exists(screenshot) ? fs::file_size(screenshot) : 0u, 10'000u);
}

}  // namespace
}  // namespace eo::aggregator
