// `observatory local` as a user runs it: the real binary, in its own process, against emulated
// servers in this process (loopback only: tests send nothing beyond this machine).
#include "tests/honeypot/server/server_fixture.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

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
  auto run = run_observatory(
      "local --targets 127.0.0.1:" + std::to_string(electrumx.tcp_port()) + ":t,127.0.0.2:" +
      std::to_string(fulcrum.tcp_port()) +
      ":t --sync-window-s 2 --no-tor --timeout-s 120 --data-dir " + dir.file("data") +
      " --out " + out);
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.err.find("politeness"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("done"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find(out + "/report.md"), std::string::npos) << run.out;
  EXPECT_TRUE(std::filesystem::exists(out + "/results.sqlite"));

  auto report = nlohmann::json::parse(std::ifstream(out + "/report.json"));
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
  auto run = run_observatory("local --targets 127.0.0.1:" + std::to_string(test::free_tcp_port()) +
                             ":t,127.0.0.1:" + std::to_string(test::free_tcp_port()) +
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
  auto run = run_observatory("local --targets 127.0.0.1:" + std::to_string(test::free_tcp_port()) +
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
  auto run = run_observatory("local --campaign " + campaign + " --tor-socks 127.0.0.1:" +
                             std::to_string(test::free_tcp_port()) + " --data-dir " +
                             dir.file("data") + " --out " + dir.file("report"));
  EXPECT_EQ(run.status, 2) << run.err;
  EXPECT_NE(run.err.find("network=tor"), std::string::npos) << run.err;
}

TEST(LocalCommand, HelpTeachesTheFlags) {
  auto run = run_observatory("local --help");
  EXPECT_EQ(run.status, 0);
  for (const char* flag : {"--data-dir", "--out", "--campaign", "--targets", "--probes",
                           "--tor-socks", "--no-tor", "--concurrency", "--metrics-listen",
                           "--log-format", "--timeout-s", "--sync-window-s", "nothing reachable"}) {
    EXPECT_NE(run.out.find(flag), std::string::npos) << flag;
  }
  auto top = run_observatory("--help");
  EXPECT_NE(top.out.find("local"), std::string::npos);
}

}  // namespace
}  // namespace eo::cli
