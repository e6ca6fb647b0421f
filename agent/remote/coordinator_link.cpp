// CoordinatorLink: probes run on the engine's io_context thread; a gRPC thread registers, holds
// the stream and reads leases. Writes from both go through one mutex (gRPC allows one writer).
#include "agent/remote/coordinator_link.h"

#include "agent/tasks/task_message.h"
#include "common/async/supervise.h"
#include "common/telemetry/log.h"

#include "eo/v1/coordinator.grpc.pb.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <grpcpp/create_channel.h>

#include <thread>

namespace eo::agent {

namespace asio = boost::asio;
using telemetry::LogLevel;

namespace {
constexpr std::size_t kDonesPerMessage = 256;
}  // namespace

struct CoordinatorLink::Connection {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReaderWriter<v1::AgentMessage, v1::CoordinatorMessage>> stream;
  std::string token;
};

CoordinatorLink::CoordinatorLink(Engine& engine, std::string agent_id,
                                 std::vector<Vantage> vantages, LinkOptions options)
    : engine_(engine),
      agent_id_(std::move(agent_id)),
      vantages_(std::move(vantages)),
      options_(std::move(options)),
      credentials_(rpc::channel_credentials(options_.tls, options_.coordinator, options_.insecure)),
      io_(std::make_unique<asio::io_context>()) {
  if (options_.max_tasks == 0) throw std::invalid_argument("max tasks must be at least 1");
}

CoordinatorLink::~CoordinatorLink() = default;

void CoordinatorLink::stop() {
  stopping_ = true;
  {
    std::lock_guard lock(mutex_);
    if (connection_) connection_->context.TryCancel();
  }
  io_->stop();
}

LinkExit CoordinatorLink::run() {
  auto work = asio::make_work_guard(*io_);
  std::thread grpc_thread([this] { session_loop(); });
  // Without heartbeats the coordinator takes every lease back: a failed loop is restarted.
  async::spawn_restarting(
      io_->get_executor(), "agent heartbeat", [this] { return heartbeat_loop(); },
      options_.reconnect_min, [this] { return !stopping_.load(); });
  io_->run();
  stop();
  grpc_thread.join();
  return refused_ ? LinkExit::refused : LinkExit::stopped;
}

void CoordinatorLink::session_loop() {
  auto backoff = options_.reconnect_min;
  while (!stopping_) {
    std::string refusal;
    bool served = serve_once(refusal);
    if (refused_) {
      telemetry::log(LogLevel::error, "coordinator refused this agent", {{"why", refusal}});
      io_->stop();
      return;
    }
    if (stopping_) break;
    backoff = served ? options_.reconnect_min : std::min(backoff * 2, options_.reconnect_max);
    for (auto slept = std::chrono::milliseconds(0); slept < backoff && !stopping_;
         slept += std::chrono::milliseconds(50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

bool CoordinatorLink::serve_once(std::string& refusal) {
  auto channel = grpc::CreateChannel(options_.coordinator, credentials_);
  auto stub = v1::Coordinator::NewStub(channel);
  v1::RegisterRequest request;
  request.set_agent_id(agent_id_);
  for (const auto& vantage : vantages_) *request.add_vantages() = to_proto(vantage);
  request.set_software_version(options_.software_version);
  request.set_max_concurrent_tasks(options_.max_tasks);
  request.set_takes_lease_batches(true);
  v1::RegisterResponse response;
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status status = stub->Register(&context, request, &response);
    if (!status.ok()) {
      if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED ||
          status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
        refusal = status.error_message();
        refused_ = true;
      } else {
        telemetry::log(LogLevel::warn, "coordinator unreachable; retrying",
                       {{"coordinator", options_.coordinator}, {"error", status.error_message()}});
      }
      return false;
    }
  }
  if (response.heartbeat_interval_ms() > 0) heartbeat_ms_ = response.heartbeat_interval_ms();
  auto connection = std::make_shared<Connection>();
  connection->token = response.session_token();
  connection->stream = stub->TaskStream(&connection->context);
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    connection_ = connection;
    done_batches_ = response.takes_done_batches();
    // Credit for what is free now; tasks still running from an earlier stream return their
    // slot with their completion. Completions already held freed theirs before this credit.
    v1::AgentMessage hello;
    hello.set_credit(options_.max_tasks - std::min(options_.max_tasks, running_.load()));
    write_locked(hello);
    for (auto& held : outbox_) held.set_credit(0);
    unacked_.clear();  // leases of the old stream: the coordinator takes them back by expiry
    flush_locked();
  }
  telemetry::log(LogLevel::info, "connected to the coordinator",
                 {{"coordinator", options_.coordinator}, {"agent_id", agent_id_}});
  v1::CoordinatorMessage message;
  while (connection->stream->Read(&message)) {
    v1::TaskLeases batch;
    if (message.has_lease()) {
      *batch.add_leases() = std::move(*message.mutable_lease());
    } else if (message.has_leases()) {
      batch.Swap(message.mutable_leases());
    } else {
      continue;
    }
    take_leases(std::move(batch));
  }
  {
    std::lock_guard lock(mutex_);
    connection_.reset();
  }
  grpc::Status status = connection->stream->Finish();
  if (!stopping_) {
    telemetry::log(LogLevel::warn, "task stream ended; reconnecting",
                   {{"code", int(status.error_code())}, {"error", status.error_message()}});
  }
  return true;
}

void CoordinatorLink::take_leases(v1::TaskLeases batch) {
  {
    std::lock_guard lock(mutex_);
    // The ack leaves when the task thread gets to it, for every lease read by then (one message
    // instead of one per lease).
    if (unacked_.empty()) asio::post(*io_, [this] { send_acks(); });
    for (const auto& lease : batch.leases()) unacked_.push_back(lease.lease_id());
    running_ += unsigned(batch.leases_size());
  }
  asio::post(*io_, [this, batch = std::move(batch)]() mutable {
    for (auto& lease : *batch.mutable_leases()) {
      std::string lease_id = lease.lease_id();
      asio::co_spawn(*io_, run_task(std::move(lease)),
                     [this, lease_id](std::exception_ptr error, v1::TaskDone done) {
                       if (error) {
                         // Still a completion: the slot comes back and the coordinator knows.
                         done.Clear();
                         done.set_lease_id(lease_id);
                         done.set_failed(true);
                         done.set_failure("agent: task ended by " + async::describe(error));
                         telemetry::log(LogLevel::error, "task failed inside the agent",
                                        {{"lease_id", lease_id}, {"error", done.failure()}});
                       }
                       finish(std::move(done));
                     });
    }
  });
}

void CoordinatorLink::send_acks() {
  std::lock_guard lock(mutex_);
  if (unacked_.empty()) return;
  v1::AgentMessage ack;
  for (auto& lease_id : unacked_) ack.mutable_ack()->add_lease_ids(std::move(lease_id));
  unacked_.clear();
  write_locked(ack);
}

bool CoordinatorLink::write_locked(v1::AgentMessage& message) {
  if (!connection_) return false;
  message.set_session_token(connection_->token);
  return connection_->stream->Write(message);
}

void CoordinatorLink::flush_locked() {
  v1::AgentMessage message;
  while (!outbox_.empty()) {
    // Bounded so a long outage's backlog never nears gRPC's message size limit.
    const std::size_t n = done_batches_ ? std::min(outbox_.size(), kDonesPerMessage) : 1;
    message.Clear();
    if (done_batches_) {
      for (std::size_t i = 0; i < n; ++i) *message.mutable_dones()->add_dones() = outbox_[i];
    } else {
      *message.mutable_done() = outbox_.front();
    }
    if (!write_locked(message)) return;
    outbox_.erase(outbox_.begin(), outbox_.begin() + std::ptrdiff_t(n));
  }
}

asio::awaitable<v1::TaskDone> CoordinatorLink::run_task(v1::TaskLease lease) {
  v1::TaskDone done;
  done.set_lease_id(lease.lease_id());
  try {
    auto probes = probes_from_task(lease.task(), options_.probe_timeout, options_.probe_deadline);
    for (const auto& planned : probes) {
      auto observation = co_await engine_.execute(planned);
      if (!observation) {
        done.set_failed(true);
        done.set_failure("the target is on this agent's opt-out list");
        break;
      }
      done.add_observation_ids(observation->observation_id());
    }
  } catch (const std::exception& e) {
    done.set_failed(true);
    done.set_failure(e.what());
  }
  co_return done;
}

void CoordinatorLink::finish(v1::TaskDone done) {
  done.set_credit(1);
  std::lock_guard lock(mutex_);
  --running_;
  ++tasks_done_;
  // Kept until a stream takes it: a completion outlives a reconnect. Completions that finish
  // before the task thread gets to the flush leave together.
  if (outbox_.empty())
    asio::post(*io_, [this] {
      std::lock_guard lock(mutex_);
      flush_locked();
    });
  outbox_.push_back(std::move(done));
}

asio::awaitable<void> CoordinatorLink::heartbeat_loop() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!stopping_) {
    timer.expires_after(std::chrono::milliseconds(heartbeat_ms_.load()));
    co_await timer.async_wait(asio::use_awaitable);
    std::lock_guard lock(mutex_);
    v1::AgentMessage beat;
    auto* heartbeat = beat.mutable_heartbeat();
    heartbeat->set_time_unix_us(options_.clock->now() * 1000);
    heartbeat->set_tasks_running(running_);
    write_locked(beat);
  }
}

}  // namespace eo::agent
