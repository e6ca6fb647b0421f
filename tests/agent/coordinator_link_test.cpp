// The agent's side of the task stream against a scripted coordinator: what the agent registers
// with, how it acknowledges a batch of leases, and how its completions travel: together in one
// TaskDones when the coordinator reads them, one TaskDone per message when it does not (an older
// coordinator, which also sends one lease per message). The tasks target an opted-out host, so
// they finish without any network I/O and all in the same turn of the agent's task thread.
#include "agent/engine.h"
#include "agent/remote/coordinator_link.h"

#include "eo/v1/coordinator.grpc.pb.h"

#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace eo::agent {
namespace {

using namespace std::chrono_literals;

constexpr int kLeases = 6;

struct Seen {
  bool takes_lease_batches = false;
  std::uint32_t first_credit = 0;
  std::vector<int> acks;  // lease ids per TaskAck
  int done_messages = 0;
  int dones_messages = 0;
  std::vector<v1::TaskDone> completions;
};

class ScriptedCoordinator final : public v1::Coordinator::Service {
 public:
  explicit ScriptedCoordinator(bool takes_done_batches) : takes_done_batches_(takes_done_batches) {}

  grpc::Status Register(grpc::ServerContext*, const v1::RegisterRequest* request,
                        v1::RegisterResponse* response) override {
    std::lock_guard lock(mutex_);
    seen_.takes_lease_batches = request->takes_lease_batches();
    response->set_session_token("token");
    response->set_heartbeat_interval_ms(60'000);
    response->set_lease_duration_ms(60'000);
    response->set_takes_done_batches(takes_done_batches_);
    return grpc::Status::OK;
  }

  grpc::Status TaskStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::CoordinatorMessage, v1::AgentMessage>* stream) override {
    v1::AgentMessage in;
    if (!stream->Read(&in) || !in.has_credit()) return grpc::Status::OK;
    bool batches;
    {
      std::lock_guard lock(mutex_);
      if (served_) return grpc::Status::OK;  // the agent reconnecting after the script ended
      served_ = true;
      seen_.first_credit = in.credit();
      batches = seen_.takes_lease_batches && takes_done_batches_;
    }
    v1::CoordinatorMessage out;
    for (int i = 0; i < kLeases; ++i) {
      v1::TaskLease lease;
      lease.set_lease_id("lease-" + std::to_string(i));
      auto* task = lease.mutable_task();
      task->set_task_id("task-" + std::to_string(i));
      task->set_vantage_id("eu");
      task->mutable_target()->set_host("optout.example");
      task->mutable_target()->set_port(50001);
      task->mutable_target()->set_transport(v1::TRANSPORT_TCP);
      task->add_probes()->set_name("metadata");
      if (batches) {
        *out.mutable_leases()->add_leases() = std::move(lease);
      } else {
        *out.mutable_lease() = std::move(lease);
        stream->Write(out);
      }
    }
    if (batches) stream->Write(out);
    while (!context->IsCancelled() && stream->Read(&in)) {
      std::lock_guard lock(mutex_);
      if (in.has_ack()) seen_.acks.push_back(in.ack().lease_ids_size());
      if (in.has_done()) {
        ++seen_.done_messages;
        seen_.completions.push_back(in.done());
      }
      if (in.has_dones()) {
        ++seen_.dones_messages;
        for (const auto& done : in.dones().dones()) seen_.completions.push_back(done);
      }
      if (seen_.completions.size() >= std::size_t(kLeases)) {
        cv_.notify_all();
        break;
      }
    }
    return grpc::Status::OK;
  }

  Seen wait_for_completions(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return seen_.completions.size() >= std::size_t(kLeases); });
    return seen_;
  }

 private:
  const bool takes_done_batches_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool served_ = false;
  Seen seen_;
};

struct NullSink : ObservationSink {
  void publish(const v1::Observation&) override {}
};

// A scripted coordinator on a loopback port of its own.
struct Served {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

Served serve(grpc::Service& coordinator) {
  Served served;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &served.port);
  builder.RegisterService(&coordinator);
  served.server = builder.BuildAndStart();
  EXPECT_NE(served.port, 0);
  return served;
}

Seen run_agent_against(bool takes_done_batches) {
  ScriptedCoordinator coordinator(takes_done_batches);
  auto [server, port] = serve(coordinator);

  AgentPlan plan;
  plan.agent_id = "link-test";
  Vantage vantage;
  vantage.id = "eu";
  vantage.region = "eu";
  plan.vantages = {vantage};
  plan.politeness.opt_out_hosts = {"optout.example"};
  NullSink sink;
  Engine engine(plan, sink, EngineOptions{});
  LinkOptions options;
  options.coordinator = "127.0.0.1:" + std::to_string(port);
  options.insecure = true;
  options.max_tasks = 8;
  CoordinatorLink link(engine, plan.agent_id, plan.vantages, options);
  std::thread agent([&] { link.run(); });
  Seen seen = coordinator.wait_for_completions(20s);
  link.stop();
  agent.join();
  server->Shutdown(std::chrono::system_clock::now() + 2s);
  return seen;
}

void expect_every_lease_completed_once(const Seen& seen) {
  ASSERT_EQ(seen.completions.size(), std::size_t(kLeases));
  std::set<std::string> ids;
  for (const auto& done : seen.completions) {
    ids.insert(done.lease_id());
    EXPECT_EQ(done.credit(), 1u) << done.lease_id() << ": a completion returns its slot";
    EXPECT_TRUE(done.failed()) << done.lease_id();
    EXPECT_NE(done.failure().find("opt-out"), std::string::npos) << done.failure();
  }
  EXPECT_EQ(ids.size(), std::size_t(kLeases));
}

TEST(CoordinatorLink, TakesABatchAcksItOnceAndSendsCompletionsReadyTogetherInOneMessage) {
  Seen seen = run_agent_against(/*takes_done_batches=*/true);
  EXPECT_TRUE(seen.takes_lease_batches);
  EXPECT_EQ(seen.first_credit, 8u);
  expect_every_lease_completed_once(seen);
  EXPECT_EQ(seen.acks, std::vector<int>{kLeases}) << "one TaskAck for the batch";
  EXPECT_EQ(seen.done_messages, 0);
  EXPECT_EQ(seen.dones_messages, 1) << "completions of one turn in one message";
}

TEST(CoordinatorLink, SpeaksOneLeaseAndOneCompletionPerMessageToACoordinatorWithoutBatches) {
  Seen seen = run_agent_against(/*takes_done_batches=*/false);
  expect_every_lease_completed_once(seen);
  int acked = 0;
  for (int n : seen.acks) acked += n;
  EXPECT_EQ(acked, kLeases);
  EXPECT_EQ(seen.dones_messages, 0) << "TaskDones sent to a coordinator that did not ask";
  EXPECT_EQ(seen.done_messages, kLeases);
}

// Counts heartbeats on one stream; leases nothing.
class HeartbeatCounter final : public v1::Coordinator::Service {
 public:
  grpc::Status Register(grpc::ServerContext*, const v1::RegisterRequest*,
                        v1::RegisterResponse* response) override {
    response->set_session_token("token");
    response->set_heartbeat_interval_ms(20);
    response->set_lease_duration_ms(60'000);
    return grpc::Status::OK;
  }

  grpc::Status TaskStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::CoordinatorMessage, v1::AgentMessage>* stream) override {
    v1::AgentMessage in;
    while (!context->IsCancelled() && stream->Read(&in)) {
      if (!in.has_heartbeat()) continue;
      std::lock_guard lock(mutex_);
      ++heartbeats_;
      cv_.notify_all();
    }
    return grpc::Status::OK;
  }

  int wait_for_heartbeats(int count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return heartbeats_ >= count; });
    return heartbeats_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int heartbeats_ = 0;
};

// The heartbeat loop dies (its clock throws once); the agent logs it, starts the loop again, and
// heartbeats go on, so the coordinator keeps the agent's leases.
TEST(CoordinatorLink, AHeartbeatLoopThatFailsIsRestarted) {
  HeartbeatCounter coordinator;
  auto [server, port] = serve(coordinator);

  AgentPlan plan;
  plan.agent_id = "heartbeat-test";
  NullSink sink;
  Engine engine(plan, sink, EngineOptions{});
  LinkOptions options;
  options.coordinator = "127.0.0.1:" + std::to_string(port);
  options.insecure = true;
  options.reconnect_min = 50ms;
  // The system clock, except that its second reading throws.
  struct FaultyClock final : time::Clock {
    time::TimeMs now() const override {
      if (++ticks == 2) throw std::runtime_error("clock fault injected by the test");
      return time::system_clock().now();
    }
    std::chrono::microseconds elapsed() const override { return time::system_clock().elapsed(); }
    mutable std::atomic<int> ticks{0};
  } clock;
  options.clock = &clock;
  CoordinatorLink link(engine, plan.agent_id, plan.vantages, options);
  std::thread agent([&] { link.run(); });
  const int seen = coordinator.wait_for_heartbeats(5, 20s);
  link.stop();
  agent.join();
  server->Shutdown(std::chrono::system_clock::now() + 2s);
  EXPECT_GE(seen, 5) << "heartbeats stopped after the loop failed";
  EXPECT_GT(clock.ticks.load(), 2) << "the loop was not started again";
}

}  // namespace
}  // namespace eo::agent
