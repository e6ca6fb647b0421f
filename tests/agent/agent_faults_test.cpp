// The agent as a process against librdkafka's mock cluster: every observation reaches the
// consumer when all brokers go down mid-run, and when the agent is SIGKILLed while spooling.
#include "tests/common/bus/bus_backends.h"
#include "tests/support/line_server.h"
#include "tests/support/process.h"

#include "common/bus/topics.h"
#include "eo/v1/observation.pb.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <signal.h>
#include <sys/wait.h>

namespace eo::agent {
namespace {

using namespace std::chrono_literals;

std::string write_tasks(const eo::test::TempDir& dir, const std::string& name, int port,
                        const std::string& campaign, int rounds) {
  std::string path = dir.file(name);
  std::ofstream(path) << "agent_id: faults\ncampaign_id: " << campaign << "\n"
                      << "politeness: {max_requests_per_second_per_target: 20}\n"
                      << "tasks:\n  - target: \"127.0.0.1:" << port << ":t\"\n"
                      << "    probes: [latency]\n    rounds: " << rounds << "\n"
                      << "    params: {latency: {pings: 2, connects: 0}}\n";
  return path;
}

std::vector<std::string> agent_args(const std::string& tasks, const std::string& brokers,
                                    const std::string& data_dir) {
  return {
      EO_OBSERVATORY_BINARY, "agent",  "--tasks",       tasks, "--kafka",          brokers,
      "--data-dir",          data_dir, "--concurrency", "4",   "--metrics-listen", "127.0.0.1:0"};
}

bool wait_exit(eo::test::ChildProcess& child, std::chrono::seconds timeout) {
  return eo::test::wait_until([&] { return !child.running(); }, timeout, 50ms);
}

// eo_agent_observations{state="..."} scraped from the agent's /metrics; -1 when unreadable.
long agent_observations(int metrics_port, const std::string& state) {
  auto scrape = eo::test::run_command(
      "curl -sf --max-time 2 http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics");
  const std::string key = "eo_agent_observations{state=\"" + state + "\"} ";
  auto at = scrape.out.find(key);
  if (scrape.status != 0 || at == std::string::npos) return -1;
  return std::atol(scrape.out.c_str() + at + key.size());
}

int progress_lines(const std::string& log) {
  std::istringstream in(log);
  std::string line;
  int count = 0;
  while (std::getline(in, line)) count += !line.empty() && line.front() == '[';
  return count;
}

// Distinct observation ids per campaign, read until `expected` says enough (or 60 s).
std::map<std::string, std::set<std::string>> consume(
    bus::test::MockKafkaBackend& kafka,
    const std::function<bool(const std::map<std::string, std::set<std::string>>&)>& enough) {
  auto consumer = bus::make_consumer(kafka.config("checker"), "checker",
                                     {std::string(bus::topics::kObservations)});
  std::map<std::string, std::set<std::string>> ids;
  auto until = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < until && !enough(ids)) {
    auto polled = consumer->poll(500, 500ms);
    for (const auto& message : polled.messages) {
      v1::Observation o;
      if (o.ParseFromString(message.value)) ids[o.campaign_id()].insert(o.observation_id());
    }
  }
  return ids;
}

TEST(AgentFaults, AllBrokersDownMidRunEveryObservationArrivesOnce) {
  bus::test::MockKafkaBackend kafka;
  kafka.create_topic(std::string(bus::topics::kObservations), 3);
  eo::test::LineServer target(eo::test::echo_electrum());
  eo::test::TempDir dir;
  const int planned = 40;
  auto tasks = write_tasks(dir, "tasks.yaml", target.port(), "outage", planned);
  eo::test::ChildProcess agent(agent_args(tasks, kafka.config("x").kafka_brokers, dir.file("data")),
                               dir.file("agent.log"));
  auto listening = eo::test::logged_json(agent, "metrics listening", 20s);
  const int metrics = listening.is_object() ? listening.value("port", 0) : 0;
  ASSERT_NE(metrics, 0) << agent.log();
  // The run has started, brokers up ...
  ASSERT_TRUE(eo::test::wait_until([&] { return progress_lines(agent.log()) >= 3; }, 60s))
      << agent.log();
  kafka.set_all_brokers_down();
  const int before_outage = progress_lines(agent.log());
  // ... and goes on while they are down: what it publishes then stays in the spool, unacknowledged
  // (asserted from the agent's own gauge, not assumed from a sleep), and the run is not over.
  const long kDuringOutage = 8;
  ASSERT_LT(before_outage + kDuringOutage, planned) << "the run ended before the outage began";
  ASSERT_TRUE(eo::test::wait_until(
      [&] { return agent_observations(metrics, "spool_depth") >= kDuringOutage; }, 60s, 50ms))
      << "spool_depth " << agent_observations(metrics, "spool_depth") << "\n"
      << agent.log();
  ASSERT_TRUE(agent.running()) << "the outage did not overlap the run\n" << agent.log();
  kafka.set_all_brokers_up();
  ASSERT_TRUE(wait_exit(agent, 120s)) << agent.log();
  ASSERT_EQ(progress_lines(agent.log()), planned) << agent.log();
  // Everything spooled during the outage was delivered before the agent exited.
  auto delivered = eo::test::logged_json(agent, "observations delivered", 1s);
  ASSERT_TRUE(delivered.is_object()) << agent.log();
  EXPECT_EQ(delivered.value("spool_depth", -1), 0) << agent.log();
  EXPECT_GE(delivered.value("delivered", 0), delivered.value("published", 1)) << agent.log();
  auto ids = consume(kafka, [&](const auto& seen) {
    auto it = seen.find("outage");
    return it != seen.end() && it->second.size() >= planned;
  });
  EXPECT_EQ(ids["outage"].size(), std::size_t(planned)) << agent.log();
}

TEST(AgentFaults, SigkilledWhileSpoolingThenRestartedLosesNothing) {
  bus::test::MockKafkaBackend kafka;
  kafka.create_topic(std::string(bus::topics::kObservations), 3);
  kafka.set_all_brokers_down();
  eo::test::LineServer target(eo::test::echo_electrum());
  eo::test::TempDir dir;
  auto brokers = kafka.config("x").kafka_brokers;
  auto first = write_tasks(dir, "first.yaml", target.port(), "killed", 40);
  int acknowledged = 0;
  {
    eo::test::ChildProcess agent(agent_args(first, brokers, dir.file("data")),
                                 dir.file("first.log"));
    eo::test::wait_until([&] { return progress_lines(agent.log()) >= 10; }, 60s, 50ms);
    kill(agent.pid(), SIGKILL);
    agent.stop();
    acknowledged = progress_lines(agent.log());
  }
  ASSERT_GE(acknowledged, 10);
  kafka.set_all_brokers_up();
  // The restarted agent (same agent_id and data dir, hence the same spool) replays what the
  // killed one had accepted, then runs its own tasks.
  auto second = write_tasks(dir, "second.yaml", target.port(), "restarted", 5);
  eo::test::ChildProcess agent(agent_args(second, brokers, dir.file("data")),
                               dir.file("second.log"));
  ASSERT_TRUE(wait_exit(agent, 120s)) << agent.log();
  auto ids = consume(kafka, [&](const auto& seen) {
    auto killed = seen.find("killed");
    auto restarted = seen.find("restarted");
    return killed != seen.end() && restarted != seen.end() &&
           killed->second.size() >= std::size_t(acknowledged) && restarted->second.size() >= 5;
  });
  EXPECT_GE(ids["killed"].size(), std::size_t(acknowledged));
  EXPECT_EQ(ids["restarted"].size(), 5u);
}

}  // namespace
}  // namespace eo::agent
