// The agents' side of CoordinatorService: one reader (the RPC thread) and one dispatcher thread
// per task stream. The dispatcher leases as much as the agent has credit for; the reader applies
// credits, completions and heartbeats; one completer thread stores completions in batches. Store
// outages end the stream with UNAVAILABLE: the agent reconnects.
#include "coordinator/service/service.h"

#include "common/bitcoin/hex.h"
#include "common/telemetry/log.h"
#include "coordinator/service/service_parts.h"

#include <openssl/rand.h>

#include <algorithm>
#include <span>
#include <thread>

namespace eo::coordinator {
namespace {

using service_detail::label_of;
using service_detail::refusal;
using telemetry::LogLevel;
// Credits and completions come back one per task: gathering them for a few milliseconds lets
// one store transaction serve many tasks (a transaction's commit costs more than its rows). The
// delay is nothing against a probe's seconds and a round's sync window.
constexpr std::size_t kLeaseBatch = 32;
constexpr auto kLeaseGather = std::chrono::milliseconds(10);
constexpr std::size_t kCompleteBatch = 64;
constexpr auto kCompleteGather = std::chrono::milliseconds(5);
// A lease batch is bounded by the agent's credit, which the agent chooses: split it so no
// message nears gRPC's 4 MiB receive limit (a lease is well under 4 KiB).
constexpr std::size_t kLeasesPerMessage = 256;

std::string random_token() {
  std::uint8_t bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  return bitcoin::to_hex(bytes);
}

bool valid_agent_id(const std::string& id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

void CoordinatorService::complete_loop() {
  std::vector<store::Completion> batch;
  for (;;) {
    {
      std::unique_lock lock(done_mutex_);
      done_cv_.wait(lock, [&] { return done_stop_ || !done_queue_.empty(); });
      // Let completions gather a moment: one store transaction for many is what makes them
      // cheap (a task's cap slot is freed at most kCompleteGather later).
      done_cv_.wait_for(lock, kCompleteGather,
                        [&] { return done_stop_ || done_queue_.size() >= kCompleteBatch; });
      if (done_queue_.empty()) return;  // stopping, and nothing left to apply
      batch.swap(done_queue_);
    }
    std::vector<bool> finished;
    try {
      finished = scheduler_.complete_batch(batch, now());
    } catch (const std::exception& e) {
      // The store is away: keep the completions and try again; leases still running out meanwhile
      // are re-run elsewhere, which complete() then reports as stale.
      telemetry::log(LogLevel::error, "completions not stored; retrying", {{"error", e.what()}});
      std::lock_guard lock(done_mutex_);
      done_queue_.insert(done_queue_.begin(), batch.begin(), batch.end());
      batch.clear();
      if (done_stop_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    bool any = false;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      any = any || finished[i];
      if (metrics_) {
        std::string result = !finished[i] ? "stale" : batch[i].ok ? "done" : "failed";
        metrics_->completions.Add({{"result", result}}).Increment();
      }
    }
    batch.clear();
    // A finished task frees a slot of its target's concurrency cap for every agent.
    if (any) wake_all();
  }
}

grpc::Status CoordinatorService::Register(grpc::ServerContext* context,
                                          const v1::RegisterRequest* request,
                                          v1::RegisterResponse* response) {
  if (!valid_agent_id(request->agent_id())) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "agent_id '" + request->agent_id() + "': use 1-128 of [A-Za-z0-9._-]"};
  }
  if (auto status = check_agent(*context, request->agent_id()); !status.ok()) {
    telemetry::log(LogLevel::warn, "agent refused",
                   {{"agent_id", request->agent_id()}, {"why", status.error_message()}});
    return status;
  }
  if (request->vantages().empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "an agent needs at least one vantage"};
  }
  auto session = std::make_shared<Session>();
  session->token = random_token();
  session->agent_id = request->agent_id();
  session->lease_batches = request->takes_lease_batches();
  std::string classes;
  for (const auto& vantage : request->vantages()) {
    if (vantage.id().empty() || vantage.network() == v1::NETWORK_UNSPECIFIED) {
      return {grpc::StatusCode::INVALID_ARGUMENT,
              "vantage '" + vantage.id() + "': needs an id and a network"};
    }
    session->vantages.push_back(vantage);
    classes += (classes.empty() ? "" : ",") + label_of(vantage);
  }
  nlohmann::json info = {{"software_version", request->software_version()},
                         {"max_concurrent_tasks", request->max_concurrent_tasks()},
                         {"peer", context->peer()}};
  auto stored =
      scheduler_.store().register_agent({request->agent_id(), classes, info.dump()}, now());
  if (!stored.ok()) return {grpc::StatusCode::UNAVAILABLE, "state store: " + stored.detail};
  {
    std::lock_guard lock(mutex_);
    // One session per agent: a new registration (a restarted agent) replaces the old one.
    std::erase_if(sessions_,
                  [&](const auto& entry) { return entry.second->agent_id == request->agent_id(); });
    sessions_[session->token] = session;
  }
  response->set_session_token(session->token);
  response->set_heartbeat_interval_ms(options_.heartbeat_interval_ms);
  response->set_lease_duration_ms(static_cast<std::uint32_t>(scheduler_.options().lease_ms));
  response->set_takes_done_batches(true);
  telemetry::log(LogLevel::info, "agent registered",
                 {{"agent_id", request->agent_id()}, {"vantages", classes}});
  return grpc::Status::OK;
}

void CoordinatorService::dispatch(
    Session& session, Stream& stream,
    grpc::ServerReaderWriter<v1::CoordinatorMessage, v1::AgentMessage>& writer) {
  std::size_t rotate = 0;
  for (;;) {
    std::size_t want = 0;
    {
      std::unique_lock lock(stream.mutex);
      stream.cv.wait_for(lock, options_.dispatch_poll,
                         [&] { return stream.stop || (stream.credit > 0 && stream.wake); });
      if (stream.stop) return;
      if (stream.credit == 0) continue;
      // Credits come back one per completion: let them gather a moment so one store lease call
      // serves many tasks.
      if (stream.credit < kLeaseBatch) {
        stream.cv.wait_for(lock, kLeaseGather,
                           [&] { return stream.stop || stream.credit >= kLeaseBatch; });
        if (stream.stop) return;
      }
      stream.wake = false;
      want = stream.credit;
    }
    {
      std::lock_guard lock(session.mutex);
      const std::size_t room = options_.max_leases_per_agent -
                               std::min(options_.max_leases_per_agent, session.outstanding.size());
      if (want > room && !session.capped) {
        telemetry::log(LogLevel::warn, "agent credit above --max-leases-per-agent; the rest waits",
                       {{"agent", session.agent_id},
                        {"credit", want},
                        {"held", session.outstanding.size()},
                        {"max_leases_per_agent", options_.max_leases_per_agent}});
      }
      session.capped = session.capped || want > room;
      want = std::min(want, room);
    }
    // At the cap: completions and heartbeats (expired leases) make room; until then, poll.
    if (want == 0) continue;
    std::vector<v1::TaskLease> leases;
    store::TimeMs t = now();
    try {
      auto bindings = scheduler_.bindings(session.vantages);
      if (bindings.empty()) continue;
      leases = scheduler_.lease(bindings, session.agent_id, t, want, rotate++);
    } catch (const std::exception& e) {
      telemetry::log(LogLevel::error, "lease failed", {{"error", e.what()}});
      continue;
    }
    if (leases.empty()) continue;
    {
      std::lock_guard lock(session.mutex);
      for (const auto& lease : leases) session.outstanding.insert(lease.lease_id());
    }
    {
      std::lock_guard lock(stream.mutex);
      stream.credit -= std::min(stream.credit, leases.size());
      stream.wake = true;  // more may be ready: look again without waiting
    }
    v1::CoordinatorMessage message;
    for (std::size_t i = 0; i < leases.size(); ++i) {
      auto& lease = leases[i];
      if (metrics_) {
        metrics_->dispatched.Increment();
        double lag_s = double(t - lease.task().not_before_unix_us() / 1000) / 1000.0;
        metrics_->lag.Observe(std::max(0.0, lag_s));
        if (lease.task().deadline_unix_us() != 0 && t * 1000 > lease.task().deadline_unix_us()) {
          metrics_->late.Increment();
        }
      }
      const bool last = i + 1 == leases.size();
      if (session.lease_batches) {
        *message.mutable_leases()->add_leases() = std::move(lease);
        if (!last && message.leases().leases_size() < int(kLeasesPerMessage)) continue;
      } else {
        *message.mutable_lease() = std::move(lease);
      }
      // Buffered until the batch's last message: one transport write for the batch. A lease lost
      // with a broken stream comes back when it expires.
      grpc::WriteOptions options;
      if (!last) options.set_buffer_hint();
      if (!writer.Write(message, options)) return;
      message.Clear();
    }
  }
}

void CoordinatorService::add_credit(Stream& stream, std::size_t credit) {
  if (credit == 0) return;
  std::lock_guard lock(stream.mutex);
  const std::size_t before = stream.credit;
  stream.credit += credit;
  stream.wake = true;
  // Wake the dispatcher only when that changes what it waits for (credit at all, or a full
  // batch while it gathers): a wake-up per returned credit costs more than the lease.
  if (before == 0 || (before < kLeaseBatch && stream.credit >= kLeaseBatch)) {
    stream.cv.notify_one();
  }
}

void CoordinatorService::take_dones(Session& session, Stream& stream,
                                    std::span<const v1::TaskDone* const> dones) {
  std::size_t credit = 0;
  std::vector<bool> mine(dones.size());
  {
    std::lock_guard lock(session.mutex);
    for (std::size_t i = 0; i < dones.size(); ++i) {
      credit += dones[i]->credit();
      mine[i] = session.outstanding.erase(dones[i]->lease_id()) > 0;
    }
  }
  add_credit(stream, credit);  // the slots are free whether or not the leases are ours
  for (std::size_t i = 0; i < dones.size(); ++i) {
    if (mine[i]) continue;
    // A lease from before a coordinator restart: accept it only from its holder.
    std::string task_id;
    std::uint32_t attempt = 0;
    if (!store::parse_lease_id(dones[i]->lease_id(), task_id, attempt)) continue;
    auto task = scheduler_.store().get_task(task_id);
    mine[i] = task.ok() && task.value.agent_id == session.agent_id;
  }
  bool notify;
  {
    std::lock_guard lock(done_mutex_);
    const std::size_t before = done_queue_.size();
    for (std::size_t i = 0; i < dones.size(); ++i) {
      if (mine[i])
        done_queue_.push_back({dones[i]->lease_id(), !dones[i]->failed(), dones[i]->failure()});
    }
    // The completer waits for a first completion, then for a batch: wake it for those only.
    const std::size_t after = done_queue_.size();
    notify = (before == 0 && after > 0) || (before < kCompleteBatch && after >= kCompleteBatch);
  }
  if (notify) done_cv_.notify_one();
}

void CoordinatorService::handle(Session& session, Stream& stream, const v1::AgentMessage& message) {
  switch (message.body_case()) {
    case v1::AgentMessage::kCredit:
      add_credit(stream, message.credit());
      break;
    case v1::AgentMessage::kAck:
      break;
    case v1::AgentMessage::kDone: {
      const v1::TaskDone* done = &message.done();
      take_dones(session, stream, {&done, 1});
      break;
    }
    case v1::AgentMessage::kDones: {
      const auto& dones = message.dones().dones();
      take_dones(session, stream, {dones.data(), std::size_t(dones.size())});
      break;
    }
    case v1::AgentMessage::kHeartbeat: {
      store::TimeMs t = now();
      scheduler_.store().heartbeat(session.agent_id, t);
      std::vector<std::string> held;
      {
        std::lock_guard lock(session.mutex);
        held.assign(session.outstanding.begin(), session.outstanding.end());
      }
      for (const auto& lease_id : held) {
        if (!scheduler_.renew(lease_id, t)) {
          std::lock_guard lock(session.mutex);
          session.outstanding.erase(lease_id);  // expired and taken back meanwhile
        }
      }
      break;
    }
    case v1::AgentMessage::BODY_NOT_SET:
      break;
  }
}

grpc::Status CoordinatorService::TaskStream(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::CoordinatorMessage, v1::AgentMessage>* writer) {
  v1::AgentMessage message;
  if (!writer->Read(&message)) return grpc::Status::OK;
  auto session = find_session(message.session_token());
  if (!session) {
    return {grpc::StatusCode::UNAUTHENTICATED,
            "unknown session token (the coordinator may have restarted): register again"};
  }
  if (auto status = check_agent(*context, session->agent_id); !status.ok()) return status;
  Stream stream;
  stream.session = session.get();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return {grpc::StatusCode::UNAVAILABLE, "coordinator shutting down"};
    streams_.insert(&stream);
  }
  std::thread dispatcher([&] { dispatch(*session, stream, *writer); });
  grpc::Status result = grpc::Status::OK;
  try {
    do {
      if (message.session_token() != session->token) {
        result = {grpc::StatusCode::UNAUTHENTICATED, "session token changed within a stream"};
        break;
      }
      handle(*session, stream, message);
    } while (!context->IsCancelled() && writer->Read(&message));
  } catch (const std::exception& e) {
    result = refusal(e);
  }
  {
    std::lock_guard lock(stream.mutex);
    stream.stop = true;
    stream.cv.notify_one();
  }
  dispatcher.join();
  std::lock_guard lock(mutex_);
  streams_.erase(&stream);
  return result;
}

}  // namespace eo::coordinator
