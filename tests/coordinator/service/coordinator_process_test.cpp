// The coordinator and three agents as processes, with mTLS from a CA made here, state in a real
// redis-server and an emulated ElectrumX as the target: a campaign completes; an agent SIGKILLed
// holding leases loses them to another agent of its class and the campaign still finishes with
// every task done once; a coordinator SIGKILLed mid-campaign and restarted resumes from Redis;
// agents without a valid certificate (or acting as someone else) are refused.
#include "common/bus/factory.h"
#include "common/bus/topics.h"
#include "common/pki/pki.h"
#include "common/rpc/credentials.h"
#include "common/store/factory.h"
#include "eo/v1/coordinator.grpc.pb.h"
#include "eo/v1/observation.pb.h"
#include "tests/honeypot/server/server_fixture.h"
#include "tests/support/process.h"

#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace eo::coordinator {
namespace {

using namespace std::chrono_literals;
using honeypot::server::test::ServerFixture;

const std::string kCampaign = "it";

class CoordinatorProcesses : public ::testing::Test {
 protected:
  void SetUp() override {
    EO_SKIP_UNLESS_CI(test::find_program("redis-server").empty(), "no redis-server");
    auto redis = test::start_redis(dir_.path(), 10s);
    redis_ = std::move(redis.process);
    redis_port_ = redis.port;
    ASSERT_NE(redis_port_, 0) << redis_->log();
    store_url_ = "redis://127.0.0.1:" + std::to_string(redis_port_) + "/it";
    make_pki();
    target_ = std::make_unique<ServerFixture>(
        honeypot::server::default_profile(honeypot::server::Base::electrumx));
  }

  void TearDown() override {
    agents_.clear();
    coordinator_.reset();
    redis_.reset();
  }

  void make_pki() {
    pki::CertSpec ca_spec;
    ca_spec.common_name = "test CA";
    ca_spec.ca = true;
    ca_ = pki::issue(ca_spec);
    pki::write_files(ca_, dir_.file("ca.pem"), dir_.file("ca.key"));
    auto leaf = [&](const std::string& cn, const std::string& name, bool server) {
      pki::CertSpec spec;
      spec.common_name = cn;
      if (server) spec.ip_addresses = {"127.0.0.1"};
      pki::write_files(pki::issue(spec, &ca_), dir_.file(name + ".pem"), dir_.file(name + ".key"));
    };
    leaf("coordinator", "coordinator", true);
    leaf("operator", "operator", false);
    for (const char* agent : {"a1", "a2", "a3"}) leaf(agent, agent, false);
    pki::CertSpec rogue;
    rogue.common_name = "a1";  // the right name, but not signed by the CA
    pki::write_files(pki::issue(rogue), dir_.file("rogue.pem"), dir_.file("rogue.key"));
  }

  std::vector<std::string> tls_args(const std::string& name) {
    return {"--tls-ca",  dir_.file("ca.pem"),     "--tls-cert", dir_.file(name + ".pem"),
            "--tls-key", dir_.file(name + ".key")};
  }

  // The first start takes a port from the kernel (port 0) and reads it back from the startup
  // line; a restart binds the same port again, since the agents know that address.
  void start_coordinator() {
    std::vector<std::string> argv = {EO_OBSERVATORY_BINARY,
                                     "coordinator",
                                     "--listen",
                                     "127.0.0.1:" + std::to_string(coordinator_port_),
                                     "--store",
                                     store_url_,
                                     "--lease-ms",
                                     "2000",
                                     "--metrics-listen",
                                     "127.0.0.1:0"};
    for (auto& a : tls_args("coordinator")) argv.push_back(a);
    std::filesystem::remove(dir_.file("coordinator.log"));
    coordinator_ = std::make_unique<test::ChildProcess>(argv, dir_.file("coordinator.log"));
    auto listening = test::logged_json(*coordinator_, "coordinator listening", 15s);
    ASSERT_TRUE(listening.is_object()) << coordinator_->log();
    const int port = listening.value("port", 0);
    ASSERT_NE(port, 0) << coordinator_->log();
    if (coordinator_port_ != 0) ASSERT_EQ(port, coordinator_port_) << coordinator_->log();
    coordinator_port_ = port;
    auto metrics = test::logged_json(*coordinator_, "metrics listening", 15s);
    ASSERT_TRUE(metrics.is_object()) << coordinator_->log();
    metrics_port_ = metrics.value("port", 0);
    ASSERT_NE(metrics_port_, 0) << coordinator_->log();
  }

  void start_agent(const std::string& id, const std::string& region) {
    std::string config = dir_.file(id + ".yaml");
    std::ofstream(config) << "agent_id: " << id << "\n"
                          << "vantages: [{id: " << id << "-v, region: " << region << "}]\n"
                          << "politeness: {max_requests_per_second_per_target: 40}\n";
    std::vector<std::string> argv = {EO_OBSERVATORY_BINARY,
                                     "agent",
                                     "--coordinator",
                                     "127.0.0.1:" + std::to_string(coordinator_port_),
                                     "--config",
                                     config,
                                     "--data-dir",
                                     dir_.file(id + "-data"),
                                     "--concurrency",
                                     "4"};
    for (auto& a : tls_args(id)) argv.push_back(a);
    agents_[id] = std::make_unique<test::ChildProcess>(argv, dir_.file(id + ".log"));
  }

  void submit(int rounds) {
    std::string file = dir_.file("campaign.yaml");
    std::ofstream(file) << "name: " << kCampaign << "\n"
                        << "targets: {list: [\"127.0.0.1:" << target_->tcp_port() << ":t\"]}\n"
                        << "probes: [metadata, latency, address_formats, version_matrix]\n"
                        << "params: {latency: {pings: 6, connects: 1}}\n"
                        << "vantages: [{region: eu}, {region: us}]\n"
                        << "rounds: " << rounds << "\n"
                        << "round_spacing_s: 3\nsync_window_s: 2\n"
                        << "politeness: {max_concurrency_per_target: 2, "
                           "max_requests_per_second_per_target: 40}\n";
    std::vector<std::string> argv = {EO_OBSERVATORY_BINARY,
                                     "campaign",
                                     "submit",
                                     file,
                                     "--coordinator",
                                     "127.0.0.1:" + std::to_string(coordinator_port_)};
    for (auto& a : tls_args("operator")) argv.push_back(a);
    test::ChildProcess cli(argv, dir_.file("submit.log"));
    ASSERT_TRUE(test::wait_until([&] { return !cli.running(); }, 10s)) << cli.log();
    ASSERT_NE(cli.log().find("campaign it: running"), std::string::npos) << cli.log();
  }

  store::TaskCounts counts() {
    auto store = store::make_store(store_url_);
    return store->counts(kCampaign).value;
  }
  std::string state() {
    auto store = store::make_store(store_url_);
    auto campaign = store->get_campaign(kCampaign);
    return campaign.ok() ? std::string(store::to_string(campaign.value.state)) : "";
  }
  bool wait_for(const std::function<bool()>& condition, std::chrono::seconds timeout) {
    return test::wait_until(condition, timeout, 50ms);
  }
  std::string logs() {
    std::string out = "--- coordinator\n" + (coordinator_ ? coordinator_->log() : "");
    for (auto& [id, agent] : agents_) out += "--- " + id + "\n" + agent->log();
    return out;
  }

  // Observation counts by task id, over every agent's embedded log.
  std::map<std::string, int> observations_by_task() {
    std::map<std::string, int> out;
    for (const char* id : {"a1", "a2", "a3"}) {
      bus::BusConfig config;
      config.log_dir = dir_.file(std::string(id) + "-data/bus");
      if (!std::filesystem::exists(config.log_dir)) continue;
      auto consumer =
          bus::make_consumer(config, "checker", {std::string(bus::topics::kObservations)});
      for (;;) {
        auto polled = consumer->poll(1000, 200ms);
        if (polled.messages.empty()) break;
        for (const auto& message : polled.messages) {
          v1::Observation o;
          if (o.ParseFromString(message.value)) ++out[o.task_id()];
        }
      }
    }
    return out;
  }

  grpc::Status register_as(const std::string& agent_id, const std::string& cert) {
    rpc::TlsFiles tls{dir_.file("ca.pem"), dir_.file(cert + ".pem"), dir_.file(cert + ".key")};
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(coordinator_port_),
                                       rpc::channel_credentials(tls, "127.0.0.1", false));
    auto stub = v1::Coordinator::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 5s);
    v1::RegisterRequest request;
    request.set_agent_id(agent_id);
    auto* vantage = request.add_vantages();
    vantage->set_id("v");
    vantage->set_network(v1::NETWORK_CLEARNET);
    v1::RegisterResponse response;
    return stub->Register(&context, request, &response);
  }

  test::TempDir dir_;
  int redis_port_ = 0;
  int coordinator_port_ = 0;
  int metrics_port_ = 0;
  std::string store_url_;
  pki::KeyPair ca_;
  std::unique_ptr<test::ChildProcess> redis_;
  std::unique_ptr<ServerFixture> target_;
  std::unique_ptr<test::ChildProcess> coordinator_;
  std::map<std::string, std::unique_ptr<test::ChildProcess>> agents_;
};

TEST_F(CoordinatorProcesses, SurvivesAKilledAgentAndARestartedCoordinator) {
  start_coordinator();
  start_agent("a1", "eu");
  start_agent("a3", "us");
  submit(2);
  // a1 is the only eu agent: once eu tasks are leased, a1 holds them. Kill it there.
  ASSERT_TRUE(wait_for([&] { return counts().leased >= 2; }, 30s)) << logs();
  ::kill(agents_.at("a1")->pid(), SIGKILL);
  start_agent("a2", "eu");
  // Its leases run out (2 s) and a2 takes them over.
  ASSERT_TRUE(wait_for([&] { return counts().lease_expiries >= 1; }, 30s)) << logs();
  ASSERT_TRUE(wait_for([&] { return counts().done >= 6; }, 60s)) << logs();
  ASSERT_EQ(state(), "running");
  // The coordinator dies mid-campaign; a new one on the same Redis resumes it.
  ::kill(coordinator_->pid(), SIGKILL);
  coordinator_.reset();  // reaped: its port is free again for the restart
  start_coordinator();
  ASSERT_TRUE(wait_for([&] { return state() == "done"; }, 90s)) << logs();

  auto c = counts();
  EXPECT_EQ(c.queued, 0u);
  EXPECT_EQ(c.leased, 0u);
  EXPECT_EQ(c.failed, 0u) << logs();
  // 1 target x 4 probes x 2 classes x 2 rounds, each completed exactly once (the store counts a
  // completion only for the current lease).
  EXPECT_EQ(c.done, 16u);
  EXPECT_GE(c.lease_expiries, 1u);
  auto observed = observations_by_task();
  EXPECT_EQ(observed.size(), 16u);
  int total = 0;
  for (const auto& [task, n] : observed) total += n;
  // Only a task whose agent died after publishing and before reporting runs twice.
  EXPECT_LE(total, 16 + int(c.lease_expiries));
  EXPECT_NE(coordinator_->log().find("coordinator listening"), std::string::npos);

  // The restarted coordinator's metrics, as Prometheus would scrape them.
  EO_SKIP_UNLESS_CI(test::find_program("promtool").empty(), "promtool not installed");
  std::string metrics = dir_.file("metrics.txt");
  std::string scrape =
      "curl -sf http://127.0.0.1:" + std::to_string(metrics_port_) + "/metrics >" + metrics;
  ASSERT_EQ(std::system(scrape.c_str()), 0);
  std::string check =
      "promtool check metrics <" + metrics + " >" + dir_.file("promtool.txt") + " 2>&1";
  std::stringstream text, verdict;
  int status = std::system(check.c_str());
  text << std::ifstream(metrics).rdbuf();
  verdict << std::ifstream(dir_.file("promtool.txt")).rdbuf();
  EXPECT_EQ(status, 0) << verdict.str();
  for (const char* name : {"eo_coordinator_agents_connected", "eo_coordinator_leases_total",
                           "eo_coordinator_completions_total", "eo_coordinator_scheduling_lag",
                           "eo_coordinator_lease_expiries_total"}) {
    EXPECT_NE(text.str().find(name), std::string::npos) << name << "\n" << text.str();
  }
}

// SIGTERM with an agent's task stream open: the coordinator ends its streams, waits for gRPC to
// shut down and exits 0 (it used to return from main while the signal's thread was still inside
// gRPC's Shutdown, and abort in gRPC's thread manager).
// The operator's view of gone targets over the RPC and the CLI: what the store holds is what
// `campaign status --gone` prints (deciding it is scheduler_test's part).
TEST_F(CoordinatorProcesses, CampaignStatusListsTheGoneTargets) {
  start_coordinator();
  submit(1);
  const std::string target = "tcp://127.0.0.1:" + std::to_string(target_->tcp_port());
  {
    auto store = store::make_store(store_url_);
    const std::vector<std::string> gone{target};
    ASSERT_TRUE(store->record_plan(kCampaign, 2, {}, gone).ok());
  }
  std::vector<std::string> argv = {EO_OBSERVATORY_BINARY,
                                   "campaign",
                                   "status",
                                   kCampaign,
                                   "--gone",
                                   "--coordinator",
                                   "127.0.0.1:" + std::to_string(coordinator_port_)};
  for (auto& a : tls_args("operator")) argv.push_back(a);
  test::ChildProcess cli(argv, dir_.file("status.log"));
  ASSERT_TRUE(test::wait_until([&] { return !cli.running(); }, 10s)) << cli.log();
  EXPECT_EQ(cli.exit_code(), 0) << cli.log();
  EXPECT_NE(cli.log().find("targets 0 active (0 new this round), 1 gone"), std::string::npos)
      << cli.log();
  EXPECT_NE(cli.log().find("gone " + target + " since round 3\n"), std::string::npos) << cli.log();
}

TEST_F(CoordinatorProcesses, StopsCleanlyWithAnAgentConnected) {
  start_coordinator();
  start_agent("a1", "eu");
  ASSERT_TRUE(wait_for(
      [&] {
        return agents_.at("a1")->log().find("connected to the coordinator") != std::string::npos;
      },
      20s))
      << logs();
  ::kill(coordinator_->pid(), SIGTERM);
  ASSERT_TRUE(wait_for([&] { return !coordinator_->running(); }, 20s)) << logs();
  EXPECT_EQ(coordinator_->exit_code(), 0) << coordinator_->log();
  EXPECT_NE(coordinator_->log().find("coordinator stopped"), std::string::npos)
      << coordinator_->log();
}

TEST_F(CoordinatorProcesses, RefusesAgentsWithoutAValidCertificate) {
  start_coordinator();
  EXPECT_TRUE(register_as("a1", "a1").ok());
  // A certificate the CA did not sign never gets past the TLS handshake.
  auto rogue = register_as("a1", "rogue");
  EXPECT_EQ(rogue.error_code(), grpc::StatusCode::UNAVAILABLE) << rogue.error_message();
  // A valid certificate cannot act as another agent, or as the operator.
  auto impostor = register_as("a1", "a2");
  EXPECT_EQ(impostor.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(register_as("operator", "operator").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Without any client certificate.
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(coordinator_port_),
                          grpc::SslCredentials(grpc::SslCredentialsOptions{ca_.cert_pem, "", ""}));
  auto stub = v1::Coordinator::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 5s);
  v1::RegisterRequest request;
  request.set_agent_id("a1");
  v1::RegisterResponse response;
  EXPECT_FALSE(stub->Register(&context, request, &response).ok());
  // The agent process with the impostor's certificate exits with status 2, naming why.
  std::string config = dir_.file("impostor.yaml");
  std::ofstream(config) << "agent_id: a1\nvantages: [{id: v, region: eu}]\n";
  std::vector<std::string> argv = {EO_OBSERVATORY_BINARY,
                                   "agent",
                                   "--coordinator",
                                   "127.0.0.1:" + std::to_string(coordinator_port_),
                                   "--config",
                                   config,
                                   "--data-dir",
                                   dir_.file("impostor-data")};
  for (auto& a : tls_args("a2")) argv.push_back(a);
  test::ChildProcess impostor_agent(argv, dir_.file("impostor.log"));
  ASSERT_TRUE(wait_for([&] { return !impostor_agent.running(); }, 20s));
  EXPECT_NE(impostor_agent.log().find("may not act as agent 'a1'"), std::string::npos)
      << impostor_agent.log();
}

}  // namespace
}  // namespace eo::coordinator
