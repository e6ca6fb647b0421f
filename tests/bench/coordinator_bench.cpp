// The coordinator's benchmarks, printed in one run (no timed asserts):
//  1. dispatch: task leases/s through the real gRPC task stream (plaintext loopback) to local
//     agents that ack and complete each lease at once, over a real store; on a ManualClock moved
//     past the sync window, so every task is ready at once and nothing but dispatch is measured;
//  2. campaign: a small campaign run by real agents (engine + coordinator link) against an
//     emulated ElectrumX, its wall time against its politeness bound (target <= 1.1 x). The
//     bound leaves out how long the last task of a round runs after its slot, so the window is
//     kept long against a probe's duration, as in real campaigns (60 s windows, seconds-long
//     probes).
// Usage: coordinator_bench [--tasks N] [--agents K] [--store URL] [--skip-campaign]
#include "agent/engine.h"
#include "cli/known_probes.h"
#include "agent/remote/coordinator_link.h"
#include "common/store/factory.h"
#include "common/time/clock.h"
#include "coordinator/service/server.h"
#include "eo/v1/coordinator.grpc.pb.h"
#include "tests/honeypot/server/server_fixture.h"
#include "tests/support/process.h"

#include <grpcpp/create_channel.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace {

using namespace std::chrono_literals;
using eo::store::TimeMs;
using Clock = std::chrono::steady_clock;

std::string self_path() {
  char buffer[4096];
  ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, std::size_t(n)) : "coordinator_bench";
}

TimeMs now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// User + system CPU seconds of another process (/proc/<pid>/stat); 0 when pid <= 0.
double process_cpu_seconds(int pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  auto close = line.rfind(')');
  if (close == std::string::npos) throw std::runtime_error("cannot read /proc/<pid>/stat");
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // utime is field 14, stime 15
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

// The store's own server, whose CPU counts with the coordinator's: redis-server's pid (its
// INFO's process_id) for a redis:// URL, 0 for SQLite (in this process).
int store_server_pid(const std::string& url) {
  if (url.rfind("redis://", 0) != 0) return 0;
  std::string address = url.substr(8);
  address = address.substr(0, address.find('/'));
  const auto colon = address.rfind(':');
  auto info = eo::test::run_command("redis-cli -h " + address.substr(0, colon) + " -p " +
                                    address.substr(colon + 1) + " info server");
  const auto at = info.out.find("process_id:");
  if (info.status != 0 || at == std::string::npos) {
    throw std::runtime_error("cannot ask " + url + " for its process_id: " + info.err);
  }
  return std::stoi(info.out.substr(at + 11));
}

// An agent that completes every lease as soon as it arrives, returning the credit with it, until
// its context is cancelled. It takes leases in batches and sends completions in batches, as the
// real agent does with a coordinator that reads them.
std::uint64_t instant_agent(const std::string& target, const std::string& id,
                            grpc::ClientContext& context) {
  auto stub =
      eo::v1::Coordinator::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  eo::v1::RegisterRequest request;
  request.set_agent_id(id);
  request.set_takes_lease_batches(true);
  auto* vantage = request.add_vantages();
  vantage->set_id(id);
  vantage->set_region("eu");
  vantage->set_network(eo::v1::NETWORK_CLEARNET);
  eo::v1::RegisterResponse response;
  {
    grpc::ClientContext register_context;
    if (!stub->Register(&register_context, request, &response).ok()) return 0;
  }
  auto stream = stub->TaskStream(&context);
  eo::v1::AgentMessage out;
  out.set_session_token(response.session_token());
  out.set_credit(256);
  stream->Write(out);
  eo::v1::CoordinatorMessage in;
  eo::v1::AgentMessage ack, done;
  ack.set_session_token(response.session_token());
  done.set_session_token(response.session_token());
  std::uint64_t mine = 0;
  while (stream->Read(&in)) {
    if (!in.has_leases()) continue;
    // As the real agent: one ack for what arrived together, and the completions that are ready
    // together (here all of them, with their credit) in one message, in one transport write.
    ack.mutable_ack()->clear_lease_ids();
    done.mutable_dones()->clear_dones();
    for (const auto& lease : in.leases().leases()) {
      ack.mutable_ack()->add_lease_ids(lease.lease_id());
      auto* one = done.mutable_dones()->add_dones();
      one->set_lease_id(lease.lease_id());
      one->set_credit(1);
      ++mine;
    }
    stream->Write(ack, grpc::WriteOptions().set_buffer_hint());
    stream->Write(done);
  }
  return mine;
}

// One vantage class that every bench agent matches, four probes per target, no cap in the way.
std::string bench_campaign(const std::string& name, int targets) {
  std::string yaml = "name: " + name + "\ntargets:\n  list:\n";
  for (int i = 0; i < targets; ++i) {
    yaml += "    - \"h" + std::to_string(i) + ".example:50001:t\"\n";
  }
  yaml +=
      "probes: [metadata, latency, address_formats, xpub_gap_scan]\n"
      "vantages: [{region: eu}]\nsync_window_s: 1\n"
      "politeness: {max_concurrency_per_target: 8}\n";
  return yaml;
}

void dispatch_bench(const std::string& url, int tasks, int agents) {
  auto store = eo::store::make_store(url);
  eo::coordinator::SchedulerOptions options;
  options.known_probes = eo::cli::known_probes();
  eo::coordinator::Scheduler scheduler(*store, options);
  eo::time::ManualClock clock(now_ms());
  eo::coordinator::ServerOptions server_options;
  server_options.listen = "127.0.0.1:0";
  server_options.insecure = true;
  server_options.service.clock = &clock;
  eo::coordinator::CoordinatorServer server(scheduler, server_options);
  auto t0 = Clock::now();
  std::string yaml = bench_campaign("dispatch", std::max(1, tasks / 4));
  scheduler.submit(yaml, "bench", "", clock.now());
  double submit_s = std::chrono::duration<double>(Clock::now() - t0).count();
  // Past the 1 s sync window at once: every task is ready, so this measures dispatch, not the
  // plan's spread. The clock stays there, so no lease expires under a slow run either.
  clock.advance(1s);
  std::uint64_t total = scheduler.status("dispatch").tasks_total();
  // The agents run in a child process, so this process's CPU is the coordinator's alone.
  std::string target = "127.0.0.1:" + std::to_string(server.port());
  const int store_pid = store_server_pid(url);
  double store_cpu0 = process_cpu_seconds(store_pid);
  double cpu0 = cpu_seconds();
  auto start = Clock::now();
  eo::test::ChildProcess agent_process(
      {self_path(), "--agents-for", target, "--agents", std::to_string(agents)}, "/dev/null");
  // Done when the store has counted every completion (a count costs a scan: not too often).
  eo::test::wait_until([&] { return scheduler.status("dispatch").tasks_done() >= total; }, 300s,
                       100ms);
  double wall = std::chrono::duration<double>(Clock::now() - start).count();
  double coordinator_cpu = cpu_seconds() - cpu0;
  double store_cpu = process_cpu_seconds(store_pid) - store_cpu0;
  // With Redis the store's work runs in redis-server: counted too, so both stores compare.
  double cpu = coordinator_cpu + store_cpu;
  agent_process.stop();
  auto status = scheduler.status("dispatch");
  double done = double(status.tasks_done());
  // The target holds on a noisy machine when judged by CPU: dispatches one core of the
  // coordinator sustains.
  double per_core = done / cpu;
  std::printf(
      "dispatch (%s): %llu tasks planned and stored in %.2f s; %llu leased, acked and "
      "completed through the gRPC stream by %d agents (another process) in %.2f s: "
      "%.0f dispatches/s wall on this shared machine; CPU %.1f us per dispatch "
      "(coordinator %.1f + redis-server %.1f) = %.0f dispatches per CPU-second "
      "(target >= 20000: %s)\n",
      url.c_str(), (unsigned long long)total, submit_s, (unsigned long long)status.tasks_done(),
      agents, wall, done / wall, cpu * 1e6 / done, coordinator_cpu * 1e6 / done,
      store_cpu * 1e6 / done, per_core, per_core >= 20000 ? "PASS" : "FAIL");
  server.shutdown();
}

void campaign_bench() {
  using eo::honeypot::server::test::ServerFixture;
  eo::test::TempDir dir;
  auto store = eo::store::make_store("sqlite:" + dir.file("state.sqlite"));
  eo::coordinator::SchedulerOptions options;
  options.known_probes = eo::cli::known_probes();
  eo::coordinator::Scheduler scheduler(*store, options);
  eo::coordinator::ServerOptions server_options;
  server_options.listen = "127.0.0.1:0";
  server_options.insecure = true;
  server_options.tick = 100ms;
  eo::coordinator::CoordinatorServer server(scheduler, server_options);
  std::vector<std::unique_ptr<ServerFixture>> targets;
  std::string list;
  for (int i = 0; i < 3; ++i) {
    targets.push_back(std::make_unique<ServerFixture>(
        eo::honeypot::server::default_profile(eo::honeypot::server::Base::electrumx)));
    list += std::string(i ? ", " : "") +
            "\"127.0.0.1:" + std::to_string(targets.back()->tcp_port()) + ":t\"";
  }
  std::string yaml = "name: walltime\ntargets: {list: [" + list +
                     "]}\nprobes: [metadata, latency, address_formats]\n"
                     "vantages: [{region: eu}, {region: us}]\nrounds: 2\nround_spacing_s: 12\n"
                     "sync_window_s: 10\n"
                     "politeness: {max_concurrency_per_target: 2, "
                     "max_requests_per_second_per_target: 20}\n";
  struct RunningAgent {
    std::unique_ptr<eo::agent::Engine> engine;
    std::unique_ptr<eo::agent::CoordinatorLink> link;
    std::thread thread;
  };
  struct NullSink : eo::agent::ObservationSink {
    void publish(const eo::v1::Observation&) override {}
  } sink;
  std::vector<RunningAgent> agents;
  for (const char* region : {"eu", "us"}) {
    eo::agent::AgentPlan plan;
    plan.agent_id = std::string("agent-") + region;
    eo::agent::Vantage vantage;
    vantage.id = region;
    vantage.region = region;
    plan.vantages = {vantage};
    plan.politeness.max_requests_per_second_per_target = 20;
    RunningAgent agent;
    agent.engine = std::make_unique<eo::agent::Engine>(plan, sink, eo::agent::EngineOptions{});
    eo::agent::LinkOptions link;
    link.coordinator = "127.0.0.1:" + std::to_string(server.port());
    link.insecure = true;
    agent.link = std::make_unique<eo::agent::CoordinatorLink>(*agent.engine, plan.agent_id,
                                                              plan.vantages, link);
    agents.push_back(std::move(agent));
  }
  for (auto& agent : agents) agent.thread = std::thread([&agent] { agent.link->run(); });
  auto start = Clock::now();
  scheduler.submit(yaml, "walltime", "", now_ms());
  eo::test::wait_until([&] { return scheduler.status("walltime").state() == "done"; }, 120s, 20ms);
  double wall = std::chrono::duration<double>(Clock::now() - start).count();
  double bound = double(scheduler.politeness_bound_ms("walltime")) / 1000.0;
  auto status = scheduler.status("walltime");
  std::printf(
      "campaign: %llu tasks (3 targets x 3 probes x 2 vantages x 2 rounds) %s in "
      "%.2f s; politeness bound %.2f s: %.3f x bound (target <= 1.1: %s)\n",
      (unsigned long long)status.tasks_total(), status.state().c_str(), wall, bound, wall / bound,
      wall / bound <= 1.1 ? "PASS" : "FAIL");
  for (auto& agent : agents) agent.link->stop();
  for (auto& agent : agents) agent.thread.join();
  server.shutdown();
}

}  // namespace

int main(int argc, char** argv) {
  int tasks = 40000, agents = 4;
  bool campaign = true;
  std::string url, agents_for;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::printf(
          "usage: coordinator_bench [--tasks N] [--agents K] [--store URL] [--skip-campaign]\n"
          "  --tasks N        tasks to dispatch (N/4 targets x 4 probes; default 40000)\n"
          "  --agents K       instant agents in a child process (default 4)\n"
          "  --store URL      sqlite:PATH or redis://HOST:PORT[/PREFIX] (default: a temporary\n"
          "                   SQLite file)\n"
          "  --skip-campaign  only the dispatch benchmark, not the wall-time campaign\n"
          "Prints the coordinator's CPU per dispatch and dispatches per CPU-second (target\n"
          ">= 20000), then the campaign's wall time against its politeness bound.\n");
      return 0;
    }
    if (arg == "--skip-campaign") campaign = false;
    if (i + 1 >= argc) continue;
    if (arg == "--tasks") tasks = std::atoi(argv[i + 1]);
    if (arg == "--agents") agents = std::atoi(argv[i + 1]);
    if (arg == "--store") url = argv[i + 1];
    if (arg == "--agents-for") agents_for = argv[i + 1];
  }
  if (!agents_for.empty()) {  // the child: agents until the coordinator goes away
    std::vector<std::thread> threads;
    std::vector<grpc::ClientContext> contexts(static_cast<std::size_t>(agents));
    for (int i = 0; i < agents; ++i) {
      threads.emplace_back([&, i] {
        instant_agent(agents_for, "bench-" + std::to_string(i), contexts[std::size_t(i)]);
      });
    }
    for (auto& t : threads) t.join();
    return 0;
  }
  eo::test::TempDir dir;
  dispatch_bench(url.empty() ? "sqlite:" + dir.file("dispatch.sqlite") : url, tasks, agents);
  if (campaign) campaign_bench();
  return 0;
}
