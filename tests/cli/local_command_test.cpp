// `observatory local` as a user runs it: the real binary, in its own process, against emulated
// servers in this process (loopback only: tests send nothing beyond this machine).
#include "tests/honeypot/server/server_fixture.h"
#include "tests/support/process.h"
#include "tests/support/tornet.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace eo::cli {
namespace {

using honeypot::server::Base;
using honeypot::server::default_profile;
using honeypot::server::test::FixtureOptions;
using honeypot::server::test::ServerFixture;

struct Run : test::CommandResult {
  double seconds = 0;
};

// Bounded by `timeout` itself: a hang fails the test instead of stalling the suite.
Run run_observatory(const std::string& args) {
  auto start = std::chrono::steady_clock::now();
  Run run;
  static_cast<test::CommandResult&>(run) =
      test::run_command("timeout -k 5 150 " + std::string(EO_OBSERVATORY_BINARY) + " " + args);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

// A second loopback address, so the two servers are two hosts (the inventory's unit).
FixtureOptions on_host(const std::string& host) {
  FixtureOptions options;
  honeypot::server::ListenerConfig listener;
  listener.host = host;
  options.config.listeners.push_back(listener);
  return options;
}

// The default probe suite, as the main job runs it, over two emulated implementations.
TEST(LocalCommand, RunsACampaignAgainstTwoServersAndReports) {
  ServerFixture electrumx(default_profile(Base::electrumx), on_host("127.0.0.1"));
  ServerFixture fulcrum(default_profile(Base::fulcrum), on_host("127.0.0.2"));
  test::TempDir dir;
  std::string out = dir.file("report");
  auto run = run_observatory("local --targets 127.0.0.1:" + std::to_string(electrumx.tcp_port()) +
                             ":t,127.0.0.2:" + std::to_string(fulcrum.tcp_port()) +
                             ":t --sync-window-s 2 --no-tor --timeout-s 120 --data-dir " +
                             dir.file("data") + " --out " + out);
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.err.find("politeness"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("done"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find(out + "/report.md"), std::string::npos) << run.out;
  EXPECT_TRUE(std::filesystem::exists(out + "/results.sqlite"));

  EXPECT_NE(run.out.find(out + "/report.html"), std::string::npos) << run.out;
  EXPECT_TRUE(std::filesystem::exists(out + "/csv/servers.csv"));
  auto tables = nlohmann::json::parse(std::ifstream(out + "/report.json"));
  EXPECT_EQ(tables["servers"].size(), 2u) << tables.dump(2);
  auto report = nlohmann::json::parse(std::ifstream(out + "/summary.json"));
  std::map<std::string, nlohmann::json> servers;
  for (const auto& s : report["servers"]) servers[s["server"]] = s;
  ASSERT_EQ(servers.size(), 2u) << report.dump(2);
  EXPECT_EQ(report["servers_reachable"], 2);
  EXPECT_EQ(servers["127.0.0.1"]["implementation"], "electrumx") << report.dump(2);
  EXPECT_EQ(servers["127.0.0.2"]["implementation"], "fulcrum") << report.dump(2);
  EXPECT_EQ(servers["127.0.0.1"]["modified"], false);
  std::stringstream md;
  md << std::ifstream(out + "/report.md").rdbuf();
  EXPECT_NE(md.str().find("| 127.0.0.2 | yes | fulcrum"), std::string::npos) << md.str();
}

TEST(LocalCommand, SaysSoWithinAMinuteWhenNothingIsReachable) {
  test::TempDir dir;
  test::ClosedPort tcp, tls;
  auto run = run_observatory("local --targets " + tcp.address() + ":t," + tls.address() +
                             ":s --no-tor --data-dir " + dir.file("data") + " --out " +
                             dir.file("report"));
  EXPECT_EQ(run.status, 3) << run.err;
  EXPECT_LT(run.seconds, 60.0);
  EXPECT_NE(run.err.find("nothing reachable from this machine: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("connect:connection_refused"), std::string::npos) << run.err;
}

// A campaign short enough to finish before the early verdict gets the same verdict at its end.
TEST(LocalCommand, SaysSoWhenAShortCampaignReachedNothing) {
  test::TempDir dir;
  test::ClosedPort closed;
  auto run = run_observatory("local --targets " + closed.address() +
                             ":t --sync-window-s 1 --no-tor --data-dir " + dir.file("data") +
                             " --out " + dir.file("report"));
  EXPECT_EQ(run.status, 3) << run.err;
  EXPECT_NE(run.err.find("nothing reachable from this machine: "), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("report") + "/report.md"));
}

TEST(LocalCommand, RefusesACampaignWhoseVantagesAreNotHere) {
  test::TempDir dir;
  std::string campaign = dir.file("tor.yaml");
  std::ofstream(campaign) << "name: tor-only\ntargets: {list: [\"127.0.0.1:1:t\"]}\n"
                             "vantages: [{network: tor}]\n";
  test::ClosedPort no_tor;
  auto run = run_observatory("local --campaign " + campaign + " --tor-socks " + no_tor.address() +
                             " --data-dir " + dir.file("data") + " --out " + dir.file("report"));
  EXPECT_EQ(run.status, 2) << run.err;
  EXPECT_NE(run.err.find("network=tor"), std::string::npos) << run.err;
}

// (target host, vantage id, outcome, tor exit) of every observation in a results database.
std::vector<std::tuple<std::string, std::string, std::string, std::string>> observation_rows(
    const std::string& db_path) {
  std::vector<std::tuple<std::string, std::string, std::string, std::string>> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return rows;
  }
  sqlite3_stmt* statement = nullptr;
  const char* sql =
      "SELECT target_host, vantage_id, outcome, COALESCE(tor_exit, '') FROM observations";
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK) {
    auto text = [&](int column) {
      auto* value = sqlite3_column_text(statement, column);
      return value ? std::string(reinterpret_cast<const char*>(value)) : std::string();
    };
    while (sqlite3_step(statement) == SQLITE_ROW) {
      rows.emplace_back(text(0), text(1), text(2), text(3));
    }
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return rows;
}

// --tor-control against real tor (a private network on loopback): the Tor vantage's observations
// through an exit name one of the network's exits; the onion's name none; clearnet's none.
TEST(LocalCommand, TorVantageRecordsExitsFromTheControlPort) {
  ServerFixture electrumx(default_profile(Base::electrumx), on_host("127.0.0.1"));
  test::TempDir dir;
  test::TorNetwork tor(dir.file("tornet"), electrumx.tcp_port());
  ASSERT_TRUE(tor.ready()) << tor.error();
  std::string port = std::to_string(electrumx.tcp_port());
  std::string out = dir.file("report");
  // No --tor-cookie: the cookie file is the one tor names in PROTOCOLINFO.
  auto run = run_observatory("local --targets 127.0.0.1:" + port + ":t," + tor["ONION"] + ":" +
                             port + ":t --probes latency --sync-window-s 2 --tor-socks 127.0.0.1:" +
                             tor["SOCKS_PORT"] + " --tor-control 127.0.0.1:" + tor["CONTROL_PORT"] +
                             " --data-dir " + dir.file("data") + " --out " + out);
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.err.find("exit of each stream from the control port"), std::string::npos)
      << run.err;
  std::set<std::string> exits = {tor["EXIT0_FINGERPRINT"], tor["EXIT1_FINGERPRINT"],
                                 tor["EXIT2_FINGERPRINT"]};
  int through_exit = 0, through_onion = 0;
  for (const auto& [host, vantage, outcome, exit] : observation_rows(out + "/results.sqlite")) {
    SCOPED_TRACE(host + " from " + vantage + ": " + outcome + ", exit " + exit);
    EXPECT_EQ(outcome, "ok");
    if (vantage != "tor") {
      EXPECT_EQ(exit, "");
    } else if (host == tor["ONION"]) {
      ++through_onion;
      EXPECT_EQ(exit, "");
    } else {
      ++through_exit;
      EXPECT_EQ(exits.count(exit), 1u) << "not one of the network's exits";
    }
  }
  EXPECT_GE(through_exit, 1);
  EXPECT_GE(through_onion, 1);
}

TEST(LocalCommand, HelpTeachesTheFlags) {
  auto run = run_observatory("local --help");
  EXPECT_EQ(run.status, 0);
  for (const char* flag :
       {"--data-dir", "--out", "--campaign", "--targets", "--probes", "--tor-socks",
        "--tor-control", "--tor-cookie", "--no-tor", "--concurrency", "--metrics-listen",
        "--log-format", "--timeout-s", "--sync-window-s", "nothing reachable"}) {
    EXPECT_NE(run.out.find(flag), std::string::npos) << flag;
  }
  auto top = run_observatory("--help");
  EXPECT_NE(top.out.find("local"), std::string::npos);
}

}  // namespace
}  // namespace eo::cli
