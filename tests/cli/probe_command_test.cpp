// `observatory probe` as a user runs it: the real binary against loopback servers, its JSON lines,
// its progress, its exit status, and its metrics checked by promtool.
#include "tests/support/line_server.h"
#include "tests/support/process.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace eo::cli {
namespace {

test::CommandResult run_observatory(const std::string& args) {
  return test::run_command(std::string(EO_OBSERVATORY_BINARY) + " " + args);
}

TEST(ProbeCommand, ProbesReachableAndUnreachableServers) {
  test::LineServer server(test::echo_electrum());
  test::ClosedPort closed_port;
  const int closed = closed_port.port();
  auto run = run_observatory("probe 127.0.0.1:" + std::to_string(server.port()) +
                             ":t 127.0.0.1:" + std::to_string(closed) + ":t --timeout 2");
  ASSERT_EQ(run.status, 0) << run.err;
  std::stringstream lines(run.out);
  std::string line;
  std::map<std::string, nlohmann::json> by_target;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line);
    by_target[j["target"]] = j;
  }
  ASSERT_EQ(by_target.size(), 2u) << run.out;
  auto ok = by_target["tcp://127.0.0.1:" + std::to_string(server.port())];
  EXPECT_EQ(ok["outcome"], "ok");
  EXPECT_EQ(ok["replies"][0]["method"], "server.version");
  EXPECT_EQ(ok["replies"][0]["result"], "server.version");
  EXPECT_EQ(ok["replies"].size(), 5u);
  auto refused = by_target["tcp://127.0.0.1:" + std::to_string(closed)];
  EXPECT_EQ(refused["outcome"], "refused");
  EXPECT_EQ(refused["failure"], "connect:connection_refused");
  EXPECT_NE(run.err.find("[2/2]"), std::string::npos) << run.err;
}

TEST(ProbeCommand, SaysSoWhenNothingIsReachable) {
  test::ClosedPort closed;
  auto run = run_observatory("probe " + closed.address() + ":t");
  EXPECT_EQ(run.status, 3);
  EXPECT_NE(run.err.find("nothing reachable"), std::string::npos) << run.err;
}

TEST(ProbeCommand, BadInputIsNamed) {
  auto run = run_observatory("probe localhost:50001");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("localhost:50001"), std::string::npos) << run.err;
}

TEST(ProbeCommand, HelpListsTheRoles) {
  auto run = run_observatory("--help");
  EXPECT_EQ(run.status, 0);
  EXPECT_NE(run.out.find("probe"), std::string::npos);
  EXPECT_NE(run.out.find("coordinator"), std::string::npos);
}

TEST(ProbeCommand, MetricsPassPromtool) {
  EO_SKIP_UNLESS_CI(test::find_program("promtool").empty(), "promtool not installed");
  test::LineServer server([](boost::asio::ip::tcp::socket socket) -> boost::asio::awaitable<void> {
    // Holds the session open long enough to scrape /metrics mid-run.
    co_await test::read_line(socket);
    boost::asio::steady_timer wait(socket.get_executor(), std::chrono::seconds(3));
    co_await wait.async_wait(boost::asio::use_awaitable);
  });
  test::TempDir dir;
  test::ChildProcess probe(
      {EO_OBSERVATORY_BINARY, "probe", "127.0.0.1:" + std::to_string(server.port()) + ":t",
       "--timeout", "5", "--metrics-listen", "127.0.0.1:0"},
      dir.file("probe.log"));
  auto listening = test::logged_json(probe, "metrics listening", std::chrono::seconds(5));
  const int metrics_port = listening.is_object() ? listening.value("port", 0) : 0;
  ASSERT_NE(metrics_port, 0) << probe.log();
  std::string scrape = "curl -sf http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics >" +
                       dir.file("metrics.txt");
  ASSERT_EQ(std::system(scrape.c_str()), 0);
  std::string check = "promtool check metrics <" + dir.file("metrics.txt") + " >" +
                      dir.file("promtool.txt") + " 2>&1";
  int status = std::system(check.c_str());
  std::stringstream metrics, promtool;
  metrics << std::ifstream(dir.file("metrics.txt")).rdbuf();
  promtool << std::ifstream(dir.file("promtool.txt")).rdbuf();
  EXPECT_EQ(status, 0) << promtool.str() << "\n" << metrics.str();
  EXPECT_NE(metrics.str().find("eo_build_info"), std::string::npos);
}

}  // namespace
}  // namespace eo::cli
