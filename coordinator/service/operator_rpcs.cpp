// The operators' RPCs of CoordinatorService: submit, watch and cancel campaigns, list targets.
#include "coordinator/service/service.h"

#include "common/telemetry/log.h"
#include "coordinator/service/service_parts.h"

#include <thread>

namespace eo::coordinator {
namespace {

using service_detail::refusal;
using telemetry::LogLevel;

}  // namespace

v1::CampaignStatus CoordinatorService::with_agents(v1::CampaignStatus status) {
  std::lock_guard lock(mutex_);
  std::set<std::string> ids;
  for (Stream* stream : streams_) ids.insert(stream->session->agent_id);
  status.set_agents_connected(static_cast<std::uint32_t>(ids.size()));
  return status;
}

grpc::Status CoordinatorService::SubmitCampaign(grpc::ServerContext* context,
                                                const v1::CampaignSpec* request,
                                                v1::CampaignStatus* response) {
  if (auto status = check_operator(*context); !status.ok()) return status;
  try {
    auto campaign = scheduler_.submit(request->yaml(), "campaign", "", now());
    *response = with_agents(scheduler_.status(campaign.id));
    telemetry::log(LogLevel::info, "campaign submitted",
                   {{"campaign", campaign.id}, {"tasks", response->tasks_total()}});
  } catch (const std::exception& e) {
    return refusal(e);
  }
  wake_all();
  return grpc::Status::OK;
}

grpc::Status CoordinatorService::WatchCampaign(grpc::ServerContext* context,
                                               const v1::CampaignRef* request,
                                               grpc::ServerWriter<v1::CampaignStatus>* writer) {
  if (auto status = check_operator(*context); !status.ok()) return status;
  try {
    for (;;) {
      auto status = with_agents(scheduler_.status(request->campaign_id()));
      if (!writer->Write(status)) return grpc::Status::OK;
      if (status.state() == "done" || status.state() == "cancelled") return grpc::Status::OK;
      for (auto waited = std::chrono::milliseconds(0); waited < options_.watch_interval;
           waited += std::chrono::milliseconds(50)) {
        if (context->IsCancelled()) return grpc::Status::CANCELLED;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  } catch (const std::exception& e) {
    return refusal(e);
  }
}

grpc::Status CoordinatorService::CancelCampaign(grpc::ServerContext* context,
                                                const v1::CampaignRef* request,
                                                v1::CampaignStatus* response) {
  if (auto status = check_operator(*context); !status.ok()) return status;
  try {
    *response = with_agents(scheduler_.cancel(request->campaign_id(), now()));
  } catch (const std::exception& e) {
    return refusal(e);
  }
  telemetry::log(LogLevel::info, "campaign cancelled", {{"campaign", request->campaign_id()}});
  return grpc::Status::OK;
}

grpc::Status CoordinatorService::ListTargets(grpc::ServerContext* context,
                                             const v1::ListTargetsRequest* request,
                                             v1::ListTargetsResponse* response) {
  if (auto status = check_operator(*context); !status.ok()) return status;
  try {
    for (const auto& target : scheduler_.targets(request->campaign_id())) {
      auto* out = response->add_targets();
      out->set_id(target.id);
      out->set_host(target.host);
      out->set_port(target.port);
      out->set_transport(target.transport == "tls" ? v1::TRANSPORT_TLS : v1::TRANSPORT_TCP);
      out->set_onion(target.onion);
      std::string provenance;
      for (const auto& p : target.provenance) provenance += (provenance.empty() ? "" : ",") + p;
      out->set_provenance(provenance);
    }
    for (const auto& standing : scheduler_.standings(request->campaign_id())) {
      if (standing.gone_round)
        (*response->mutable_gone_round())[standing.target_id] = *standing.gone_round;
    }
  } catch (const std::exception& e) {
    return refusal(e);
  }
  return grpc::Status::OK;
}

}  // namespace eo::coordinator
