// The Coordinator gRPC service (proto/eo/v1/coordinator.proto): agents register and hold a task
// stream; operators submit, watch and cancel campaigns. Identity comes from the mTLS client
// certificate: an agent's CN is its agent id, an operator's CN starts with "operator".
#pragma once

#include "common/time/clock.h"
#include "coordinator/service/scheduler.h"

#include "eo/v1/coordinator.grpc.pb.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace prometheus {
class Registry;
}

namespace eo::coordinator {

struct ServiceOptions {
  // mTLS: check the certificate CN against the agent id and the operator role. Off only for
  // plaintext on loopback, where there is no certificate to check.
  bool require_identity = true;
  std::uint32_t heartbeat_interval_ms = 5000;
  std::chrono::milliseconds dispatch_poll{100};   // an idle stream looks for work this often
  std::chrono::milliseconds watch_interval{500};  // WatchCampaign's update period
  // Leases one agent may hold at once, whatever credit it grants: each held lease is a task
  // others cannot run and a renewal per heartbeat.
  std::size_t max_leases_per_agent = 4096;
  // What leases are granted, renewed and expired on, and rounds started on; outlives the service.
  const time::Clock* clock = &time::system_clock();
};

class CoordinatorService final : public v1::Coordinator::Service {
 public:
  CoordinatorService(Scheduler& scheduler, ServiceOptions options,
                     prometheus::Registry* metrics = nullptr);
  ~CoordinatorService() override;

  grpc::Status Register(grpc::ServerContext* context, const v1::RegisterRequest* request,
                        v1::RegisterResponse* response) override;
  grpc::Status TaskStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::CoordinatorMessage, v1::AgentMessage>* stream) override;
  grpc::Status SubmitCampaign(grpc::ServerContext* context, const v1::CampaignSpec* request,
                              v1::CampaignStatus* response) override;
  grpc::Status WatchCampaign(grpc::ServerContext* context, const v1::CampaignRef* request,
                             grpc::ServerWriter<v1::CampaignStatus>* writer) override;
  grpc::Status CancelCampaign(grpc::ServerContext* context, const v1::CampaignRef* request,
                              v1::CampaignStatus* response) override;
  grpc::Status ListTargets(grpc::ServerContext* context, const v1::ListTargetsRequest* request,
                           v1::ListTargetsResponse* response) override;

  // New work may be ready (a round started, leases expired): idle streams look at once.
  void wake_all();
  // Agents with an open task stream, by "region/network".
  std::map<std::string, std::size_t> connected_agents();
  // What the dispatcher may still lease to an agent, and what it holds. The credit is read
  // first: a lease is counted held before its credit is spent, so a lease being made shows in
  // one or the other. Lets a test prove that nothing more can be leased without waiting.
  struct DispatchState {
    std::size_t credit = 0;       // granted by the agent's open streams, not yet spent
    std::size_t leases_held = 0;  // handed out and not completed or expired
  };
  DispatchState dispatch_state(const std::string& agent_id);
  // Ends every open stream (their agents reconnect); the server's shutdown calls it.
  void stop_streams();

 private:
  struct Session;
  struct Stream;
  struct Metrics;

  std::shared_ptr<Session> find_session(const std::string& token);
  grpc::Status check_agent(const grpc::ServerContext& context, const std::string& agent_id);
  grpc::Status check_operator(const grpc::ServerContext& context);
  void complete_loop();
  void dispatch(Session& session, Stream& stream,
                grpc::ServerReaderWriter<v1::CoordinatorMessage, v1::AgentMessage>& writer);
  void handle(Session& session, Stream& stream, const v1::AgentMessage& message);
  // Completions that arrived in one message: their credit, then the ones this agent holds.
  void take_dones(Session& session, Stream& stream, std::span<const v1::TaskDone* const> dones);
  // Credit returned by the agent (its own message, or folded into a completion).
  void add_credit(Stream& stream, std::size_t credit);
  v1::CampaignStatus with_agents(v1::CampaignStatus status);
  store::TimeMs now() const;

  Scheduler& scheduler_;
  ServiceOptions options_;
  std::unique_ptr<Metrics> metrics_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;  // by token
  std::set<Stream*> streams_;
  bool stopping_ = false;
  // Completions are applied by one thread in batches: one store transaction for many tasks.
  std::mutex done_mutex_;
  std::condition_variable done_cv_;
  std::vector<store::Completion> done_queue_;
  bool done_stop_ = false;
  std::thread completer_;
};

}  // namespace eo::coordinator
