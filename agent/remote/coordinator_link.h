// The agent's side of the coordinator's task stream: registers the agent's vantages, takes
// leases as far as it has room, runs each through the engine, reports completion with the
// observation ids, heartbeats (which keeps its leases alive), and reconnects after any failure
// (a coordinator restart included) without dropping finished work.
#pragma once

#include "agent/engine.h"
#include "common/rpc/credentials.h"
#include "common/time/clock.h"

#include "eo/v1/coordinator.pb.h"

#include <grpcpp/security/credentials.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

namespace eo::agent {

struct LinkOptions {
  std::string coordinator;  // host:port
  rpc::TlsFiles tls;        // the agent's certificate: its CN must be the agent id
  bool insecure = false;    // plaintext, loopback only
  unsigned max_tasks = 64;  // leases held at once
  std::chrono::milliseconds probe_timeout{10'000};
  std::chrono::milliseconds probe_deadline{120'000};
  std::chrono::milliseconds reconnect_min{250};
  std::chrono::milliseconds reconnect_max{10'000};
  std::string software_version = "observatory";
  // The heartbeat's timestamps (tests inject one); outlives the link.
  const time::Clock* clock = &time::system_clock();
};

// Why run() returned.
enum class LinkExit { stopped, refused };

class CoordinatorLink {
 public:
  // `agent_id` and `vantages` are what the agent registers; the engine runs the tasks.
  CoordinatorLink(Engine& engine, std::string agent_id, std::vector<Vantage> vantages,
                  LinkOptions options);
  ~CoordinatorLink();

  // Serves until stop(). Returns `refused` when the coordinator rejects this agent's identity
  // (a certificate for another agent, an invalid id): retrying would not help.
  LinkExit run();
  // Thread-safe; also from a signal-watching thread.
  void stop();

  std::uint64_t tasks_done() const { return tasks_done_; }

 private:
  struct Connection;
  void session_loop();
  bool serve_once(std::string& refusal);
  // Both need mutex_ held.
  bool write_locked(v1::AgentMessage& message);
  void flush_locked();
  // Starts the leases that arrived in one message.
  void take_leases(v1::TaskLeases batch);
  // Writes one TaskAck for every lease read since the last one.
  void send_acks();
  boost::asio::awaitable<v1::TaskDone> run_task(v1::TaskLease lease);
  // Queues a task's completion for the stream and frees its slot.
  void finish(v1::TaskDone done);
  boost::asio::awaitable<void> heartbeat_loop();

  Engine& engine_;
  std::string agent_id_;
  std::vector<Vantage> vantages_;
  LinkOptions options_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> refused_{false};
  std::atomic<unsigned> running_{0};
  std::atomic<std::uint64_t> tasks_done_{0};
  std::atomic<std::uint32_t> heartbeat_ms_{5000};
  std::mutex mutex_;  // guards connection_ and outbox_, and serializes writes
  std::shared_ptr<Connection> connection_;
  std::deque<v1::TaskDone> outbox_;   // completions not yet written to a stream
  bool done_batches_ = false;         // the stream's coordinator reads TaskDones
  std::vector<std::string> unacked_;  // leases read, their TaskAck not yet written
};

}  // namespace eo::agent
