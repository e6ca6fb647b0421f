#include "agent/tasks/task_message.h"

#include <stdexcept>

namespace eo::agent {

std::vector<PlannedProbe> probes_from_task(const v1::Task& task, std::chrono::milliseconds timeout,
                                           std::chrono::milliseconds deadline) {
  const std::string name = "task " + task.task_id();
  if (task.probes().empty()) throw std::invalid_argument(name + ": no probes");
  const auto& target = task.target();
  if (target.host().empty() || target.port() == 0 || target.port() > 65535) {
    throw std::invalid_argument(name + ": target needs a host and a port");
  }
  if (target.transport() != v1::TRANSPORT_TCP && target.transport() != v1::TRANSPORT_TLS) {
    throw std::invalid_argument(name + ": target transport must be TCP or TLS");
  }
  ProbeRequest base;
  base.campaign_id = task.campaign_id();
  base.round = task.round();
  base.task_id = task.task_id();
  base.target = {target.host(), static_cast<std::uint16_t>(target.port()),
                 target.transport() == v1::TRANSPORT_TLS};
  const auto& profile = task.client_profile();
  if (!profile.name().empty()) base.profile.name = profile.name();
  if (!profile.client_name().empty()) base.profile.client_name = profile.client_name();
  if (!profile.protocol_min().empty()) base.profile.protocol_min = profile.protocol_min();
  base.profile.protocol_max = profile.protocol_max();
  base.profile.tls_min_version = profile.tls_min_version();
  base.profile.tls_send_sni = profile.tls_send_sni();
  base.profile.request_spacing_ms = profile.request_spacing_ms();
  base.max_requests_per_second = task.politeness().max_requests_per_second_per_target();
  base.timeout = timeout;
  base.deadline = deadline;
  std::vector<PlannedProbe> out;
  for (const auto& spec : task.probes()) {
    PlannedProbe planned{task.vantage_id(), base};
    planned.request.probe_name = spec.name();
    planned.request.params = {spec.params().begin(), spec.params().end()};
    out.push_back(std::move(planned));
  }
  return out;
}

}  // namespace eo::agent
