// The task stream's credit accounting, spoken by a raw gRPC client: a completion returns the
// credit it carries (the agent's one message per task), a completion carrying none returns
// nothing, and the coordinator never leases beyond what the agent granted, whether leases and
// completions travel one per message or in batches; nor beyond its cap of held leases. Time is a
// ManualClock the coordinator reads (ServiceOptions::clock): the test moves it through the sync
// window, and leases and rounds follow it to the millisecond. That no more leases can come is read
// from the dispatcher's state (credit left, leases held), not waited for.
#include "cli/known_probes.h"
#include "common/store/factory.h"
#include "common/time/clock.h"
#include "coordinator/service/scheduler.h"
#include "coordinator/service/server.h"
#include "eo/v1/coordinator.grpc.pb.h"
#include "tests/support/process.h"

#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace eo::coordinator {
namespace {

using namespace std::chrono_literals;

// Weeks away from the wall clock: a lease or round decided on wall time would not happen.
constexpr time::TimeMs kT0 = 1'800'000'000'000;

// A registered agent's task stream; leases are read on a thread of their own. With `batches` it
// declares that it reads TaskLeases, as the real agent does.
class RawAgent {
 public:
  explicit RawAgent(int port, bool batches = false) {
    stub_ = v1::Coordinator::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                                         grpc::InsecureChannelCredentials()));
    v1::RegisterRequest request;
    request.set_agent_id("raw");
    request.set_takes_lease_batches(batches);
    auto* vantage = request.add_vantages();
    vantage->set_id("raw");
    vantage->set_region("eu");
    vantage->set_network(v1::NETWORK_CLEARNET);
    v1::RegisterResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    status_ = stub_->Register(&context, request, &response);
    token_ = response.session_token();
    takes_done_batches_ = response.takes_done_batches();
    context_.set_deadline(std::chrono::system_clock::now() + 60s);
    stream_ = stub_->TaskStream(&context_);
    reader_ = std::thread([this] {
      v1::CoordinatorMessage in;
      while (stream_->Read(&in)) {
        std::lock_guard lock(mutex_);
        if (in.has_lease()) {
          take(in.lease());
          ++single_messages_;
        } else if (in.has_leases()) {
          for (const auto& lease : in.leases().leases()) take(lease);
          ++batch_messages_;
        }
        cv_.notify_all();
      }
    });
  }
  ~RawAgent() {
    context_.TryCancel();
    reader_.join();
  }

  bool registered() const { return status_.ok(); }
  void credit(std::uint32_t n) {
    v1::AgentMessage out;
    out.set_session_token(token_);
    out.set_credit(n);
    stream_->Write(out);
  }
  void ack_and_complete(const std::string& lease_id, std::uint32_t credit) {
    v1::AgentMessage out;
    out.set_session_token(token_);
    out.mutable_ack()->add_lease_ids(lease_id);
    stream_->Write(out);
    auto* done = out.mutable_done();
    done->set_lease_id(lease_id);
    done->set_credit(credit);
    stream_->Write(out);
  }
  // One TaskAck and one TaskDones for all of `lease_ids`, each completion carrying `credit`.
  void ack_and_complete_together(const std::vector<std::string>& lease_ids, std::uint32_t credit) {
    v1::AgentMessage ack, dones;
    ack.set_session_token(token_);
    dones.set_session_token(token_);
    for (const auto& id : lease_ids) {
      ack.mutable_ack()->add_lease_ids(id);
      auto* done = dones.mutable_dones()->add_dones();
      done->set_lease_id(id);
      done->set_credit(credit);
    }
    stream_->Write(ack);
    stream_->Write(dones);
  }
  // Waits until `n` leases are waiting (or `timeout` passed) and takes them all.
  std::vector<std::string> take_leases(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return leases_.size() >= n; });
    std::vector<std::string> out(leases_.begin(), leases_.end());
    leases_.clear();
    return out;
  }
  // Lease messages read so far: one lease each, or a batch each.
  std::pair<int, int> messages() {
    std::lock_guard lock(mutex_);
    return {single_messages_, batch_messages_};
  }
  bool takes_done_batches() const { return takes_done_batches_; }
  // The next lease not taken yet, or "" after `timeout`.
  std::string next_lease(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, timeout, [&] { return !leases_.empty(); })) return "";
    std::string id = leases_.front();
    leases_.pop_front();
    return id;
  }
  std::size_t waiting() {
    std::lock_guard lock(mutex_);
    return leases_.size();
  }
  // When a lease handed out on this stream expires, in ms since the epoch.
  std::int64_t expires_ms(const std::string& lease_id) {
    std::lock_guard lock(mutex_);
    return expires_us_.at(lease_id) / 1000;
  }

 private:
  void take(const v1::TaskLease& lease) {
    leases_.push_back(lease.lease_id());
    expires_us_[lease.lease_id()] = std::int64_t(lease.lease_expires_unix_us());
  }

  std::unique_ptr<v1::Coordinator::Stub> stub_;
  grpc::Status status_;
  std::string token_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::AgentMessage, v1::CoordinatorMessage>> stream_;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> leases_;
  std::map<std::string, std::int64_t> expires_us_;
  int single_messages_ = 0;
  int batch_messages_ = 0;
  bool takes_done_batches_ = false;
};

class TaskStream : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::make_store("sqlite:" + dir_.file("state.sqlite"));
    SchedulerOptions options;
    options.known_probes = cli::known_probes();
    scheduler_ = std::make_unique<Scheduler>(*store_, options);
    scheduler_->submit(
        "name: credit\n"
        "targets: {list: [\"a.example:50001:t\", \"b.example:50001:t\", \"c.example:50001:t\"]}\n"
        "probes: [metadata, latency]\n"
        "vantages: [{region: eu}]\nsync_window_s: 1\n"
        "politeness: {max_concurrency_per_target: 8}\n",
        "test", "", clock_.now());
    total_ = scheduler_->status("credit").tasks_total();
    clock_.advance(1s);  // the 1 s sync window has passed: every task's slot has come
  }

  // The coordinator's port, started with `service` on first use.
  int port(ServiceOptions service = {}) {
    if (!server_) {
      ServerOptions server_options;
      server_options.listen = "127.0.0.1:0";
      server_options.insecure = true;
      server_options.service = service;
      server_options.service.clock = &clock_;
      server_ = std::make_unique<CoordinatorServer>(*scheduler_, server_options);
    }
    return server_->port();
  }

  CoordinatorService::DispatchState dispatch() { return server_->service().dispatch_state("raw"); }

  time::ManualClock clock_{kT0};
  test::TempDir dir_;
  std::unique_ptr<store::StateStore> store_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<CoordinatorServer> server_;
  std::uint64_t total_ = 0;
};

TEST_F(TaskStream, CompletionsReturnTheirCreditAndNoMore) {
  ASSERT_EQ(total_, 6u);
  RawAgent agent(port());
  ASSERT_TRUE(agent.registered());
  agent.credit(1);  // one slot for the whole campaign: each completion must hand it back
  for (std::uint64_t i = 0; i < total_; ++i) {
    std::string lease = agent.next_lease(10s);
    ASSERT_FALSE(lease.empty()) << "lease " << i << " never came";
    EXPECT_EQ(agent.waiting(), 0u) << "leased beyond the credit";
    agent.ack_and_complete(lease, 1);
  }
  test::wait_until([&] { return scheduler_->status("credit").tasks_done() >= total_; }, 10s);
  EXPECT_EQ(scheduler_->status("credit").tasks_done(), total_);
  EXPECT_EQ(agent.messages().second, 0) << "an agent that did not ask for batches got one";
}

TEST_F(TaskStream, ACompletionWithoutCreditFreesNoSlot) {
  RawAgent agent(port());
  ASSERT_TRUE(agent.registered());
  agent.credit(1);
  std::string first = agent.next_lease(10s);
  ASSERT_FALSE(first.empty());
  agent.ack_and_complete(first, 0);  // as after a reconnect: the stream's credit counted it
  // A completion's credit is applied before it is stored: once it is stored, the dispatcher has
  // nothing to lease with and holds nothing.
  test::wait_until([&] { return scheduler_->status("credit").tasks_done() >= 1; }, 10s);
  ASSERT_EQ(scheduler_->status("credit").tasks_done(), 1u);
  const auto state = dispatch();
  EXPECT_EQ(state.credit, 0u) << "a completion without credit returned credit";
  EXPECT_EQ(state.leases_held, 0u) << "a completion without credit bought a lease";
  EXPECT_EQ(agent.waiting(), 0u);
  agent.credit(1);
  EXPECT_NE(agent.next_lease(10s), "");
}

TEST_F(TaskStream, BatchesStayWithinCreditAndEachCompletionInThemCountsOnce) {
  ASSERT_EQ(total_, 6u);
  RawAgent agent(port(), /*batches=*/true);
  ASSERT_TRUE(agent.registered());
  EXPECT_TRUE(agent.takes_done_batches());
  agent.credit(4);
  auto first = agent.take_leases(4, 10s);
  ASSERT_EQ(first.size(), 4u);
  const auto state = dispatch();
  EXPECT_EQ(state.credit, 0u) << "credit left after four leases";
  EXPECT_EQ(state.leases_held, 4u) << "leased beyond the credit";
  EXPECT_EQ(agent.messages(), std::make_pair(0, 1)) << "one lease call, one message";
  // Then a repeat and a lease never handed out, in a batch of their own: neither counts.
  agent.ack_and_complete_together(first, 1);
  agent.ack_and_complete_together({first.front(), "not-a-lease"}, 0);
  auto rest = agent.take_leases(2, 10s);
  ASSERT_EQ(rest.size(), 2u);
  agent.ack_and_complete_together(rest, 1);
  test::wait_until([&] { return scheduler_->status("credit").tasks_done() >= total_; }, 10s);
  auto status = scheduler_->status("credit");
  EXPECT_EQ(status.tasks_done(), total_);
  EXPECT_EQ(status.tasks_failed(), 0u);
  EXPECT_EQ(agent.messages().first, 0) << "a batch-reading agent got single-lease messages";
}

TEST_F(TaskStream, AnAgentHoldsNoMoreLeasesThanTheCapWhateverCreditItGrants) {
  ASSERT_EQ(total_, 6u);
  ServiceOptions service;
  service.max_leases_per_agent = 4;
  RawAgent agent(port(service), /*batches=*/true);
  ASSERT_TRUE(agent.registered());
  agent.credit(1'000'000);
  auto held = agent.take_leases(4, 10s);
  ASSERT_EQ(held.size(), 4u);
  EXPECT_EQ(dispatch().leases_held, 4u) << "leased beyond the cap";
  // Two completions make room for two more, though they return no credit: the grant was ample.
  agent.ack_and_complete_together({held[0], held[1]}, 0);
  auto rest = agent.take_leases(2, 10s);
  EXPECT_EQ(rest.size(), 2u);
}

TEST_F(TaskStream, ALeaseExpiresExactlyAtGrantPlusItsDurationAndIsLeasedAgain) {
  RawAgent agent(port());
  ASSERT_TRUE(agent.registered());
  agent.credit(1);
  std::string first = agent.next_lease(10s);
  ASSERT_FALSE(first.empty());
  const time::TimeMs granted = clock_.now();
  const time::TimeMs expires = granted + scheduler_->options().lease_ms;
  EXPECT_EQ(agent.expires_ms(first), expires);
  // The agent goes silent (no heartbeat renews it). The server's tick thread expires leases
  // too; either way the store counts each expiry once.
  clock_.set(expires - 1);
  scheduler_->tick(clock_.now());
  EXPECT_EQ(scheduler_->status("credit").lease_expiries(), 0u) << "expired 1 ms early";
  clock_.set(expires);
  scheduler_->tick(clock_.now());
  EXPECT_EQ(scheduler_->status("credit").lease_expiries(), 1u);
  agent.credit(1);
  std::string again = agent.next_lease(10s);
  ASSERT_FALSE(again.empty()) << "the expired task was not leased again";
  EXPECT_NE(again, first);
  EXPECT_EQ(agent.expires_ms(again), expires + scheduler_->options().lease_ms);
}

TEST_F(TaskStream, TheTickLoopStartsARoundAtItsPlannedInstantNotAMillisecondBefore) {
  port();  // the server's tick thread runs on clock_
  auto campaign = scheduler_->submit(
      "name: rounds\n"
      "targets: {list: [\"d.example:50001:t\"]}\n"
      "probes: [metadata]\n"
      "vantages: [{region: us}]\nrounds: 2\nround_spacing_s: 5\nsync_window_s: 1\n",
      "test", "", clock_.now());
  const time::TimeMs planned = scheduler_->next_round_start(campaign, clock_.now());
  EXPECT_EQ(planned, campaign.round_started_ms + 5000);
  clock_.set(planned - 1);
  scheduler_->tick(clock_.now());
  EXPECT_EQ(scheduler_->status("rounds").round(), 0u) << "round 1 started 1 ms early";
  clock_.set(planned);
  EXPECT_TRUE(test::wait_until([&] { return scheduler_->status("rounds").round() == 1u; }, 10s))
      << "the tick loop did not start round 1 at " << planned;
  EXPECT_EQ(scheduler_->status("rounds").tasks_total(), 2u);
}

}  // namespace
}  // namespace eo::coordinator
