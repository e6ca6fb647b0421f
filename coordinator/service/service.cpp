// CoordinatorService: identity checks, sessions and the streams' bookkeeping. The agents' side
// (Register, TaskStream) is in agent_stream.cpp, the operators' RPCs in operator_rpcs.cpp.
#include "coordinator/service/service.h"

#include "common/rpc/credentials.h"
#include "coordinator/service/service_parts.h"

namespace eo::coordinator {
namespace {

constexpr std::string_view kOperatorPrefix = "operator";

}  // namespace

namespace service_detail {

grpc::Status refusal(const std::exception& e) {
  if (dynamic_cast<const std::invalid_argument*>(&e) != nullptr) {
    return {grpc::StatusCode::INVALID_ARGUMENT, e.what()};
  }
  return {grpc::StatusCode::UNAVAILABLE, e.what()};
}

std::string label_of(const v1::Vantage& vantage) {
  return (vantage.region().empty() ? "-" : vantage.region()) + "/" +
         (vantage.network() == v1::NETWORK_TOR ? "tor" : "clearnet");
}

}  // namespace service_detail

CoordinatorService::CoordinatorService(Scheduler& scheduler, ServiceOptions options,
                                       prometheus::Registry* metrics)
    : scheduler_(scheduler),
      options_(std::move(options)),
      metrics_(metrics ? std::make_unique<Metrics>(*metrics) : nullptr),
      completer_([this] { complete_loop(); }) {}

CoordinatorService::~CoordinatorService() {
  {
    std::lock_guard lock(done_mutex_);
    done_stop_ = true;
  }
  done_cv_.notify_one();
  completer_.join();
}

store::TimeMs CoordinatorService::now() const { return options_.clock->now(); }

grpc::Status CoordinatorService::check_agent(const grpc::ServerContext& context,
                                             const std::string& agent_id) {
  if (!options_.require_identity) return grpc::Status::OK;
  std::string name = rpc::peer_common_name(context);
  if (name != agent_id || name.rfind(kOperatorPrefix, 0) == 0) {
    return {grpc::StatusCode::PERMISSION_DENIED,
            "certificate CN '" + name + "' may not act as agent '" + agent_id + "'"};
  }
  return grpc::Status::OK;
}

grpc::Status CoordinatorService::check_operator(const grpc::ServerContext& context) {
  if (!options_.require_identity) return grpc::Status::OK;
  std::string name = rpc::peer_common_name(context);
  if (name.rfind(kOperatorPrefix, 0) != 0) {
    return {grpc::StatusCode::PERMISSION_DENIED,
            "certificate CN '" + name + "' is not an operator's (CN operator...)"};
  }
  return grpc::Status::OK;
}

std::shared_ptr<CoordinatorService::Session> CoordinatorService::find_session(
    const std::string& token) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(token);
  return it == sessions_.end() ? nullptr : it->second;
}

void CoordinatorService::wake_all() {
  std::lock_guard lock(mutex_);
  for (Stream* stream : streams_) {
    std::lock_guard stream_lock(stream->mutex);
    stream->wake = true;
    stream->cv.notify_one();
  }
}

void CoordinatorService::stop_streams() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  for (Stream* stream : streams_) {
    std::lock_guard stream_lock(stream->mutex);
    stream->stop = true;
    stream->cv.notify_one();
  }
}

std::map<std::string, std::size_t> CoordinatorService::connected_agents() {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::set<std::string>> agents;
  for (Stream* stream : streams_) {
    for (const auto& vantage : stream->session->vantages) {
      agents[service_detail::label_of(vantage)].insert(stream->session->agent_id);
    }
  }
  std::map<std::string, std::size_t> out;
  for (const auto& [label, ids] : agents) out[label] = ids.size();
  return out;
}

CoordinatorService::DispatchState CoordinatorService::dispatch_state(const std::string& agent_id) {
  std::lock_guard lock(mutex_);
  DispatchState state;
  std::set<Session*> sessions;  // more than one while a re-registered agent's old stream ends
  for (Stream* stream : streams_) {
    if (stream->session->agent_id != agent_id) continue;
    sessions.insert(stream->session);
    std::lock_guard stream_lock(stream->mutex);
    state.credit += stream->credit;
  }
  for (Session* session : sessions) {
    std::lock_guard session_lock(session->mutex);
    state.leases_held += session->outstanding.size();
  }
  return state;
}

}  // namespace eo::coordinator
