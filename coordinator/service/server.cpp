#include "coordinator/service/server.h"

#include "common/telemetry/log.h"

#include <grpcpp/server_builder.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace eo::coordinator {

using telemetry::LogLevel;

struct CoordinatorServer::Metrics {
  explicit Metrics(prometheus::Registry& registry)
      : agents(prometheus::BuildGauge()
                   .Name("eo_coordinator_agents_connected")
                   .Help("Agents with an open task stream, by region and network")
                   .Register(registry)),
        tasks(prometheus::BuildGauge()
                  .Name("eo_coordinator_tasks")
                  .Help("Tasks of running campaigns by state")
                  .Register(registry)),
        progress(prometheus::BuildGauge()
                     .Name("eo_coordinator_campaign_progress_ratio")
                     .Help("Finished (done or failed) tasks over tasks created so far")
                     .Register(registry)),
        expiries(prometheus::BuildCounter()
                     .Name("eo_coordinator_lease_expiries_total")
                     .Help("Leases that ran out (agent gone) and were queued again")
                     .Register(registry)
                     .Add({})),
        rounds(prometheus::BuildCounter()
                   .Name("eo_coordinator_rounds_started_total")
                   .Help("Campaign rounds whose tasks were created")
                   .Register(registry)
                   .Add({})) {}
  prometheus::Family<prometheus::Gauge>& agents;
  prometheus::Family<prometheus::Gauge>& tasks;
  prometheus::Family<prometheus::Gauge>& progress;
  prometheus::Counter& expiries;
  prometheus::Counter& rounds;
};

CoordinatorServer::CoordinatorServer(Scheduler& scheduler, ServerOptions options,
                                     prometheus::Registry* metrics)
    : scheduler_(scheduler),
      options_(std::move(options)),
      metrics_(metrics ? std::make_unique<Metrics>(*metrics) : nullptr) {
  options_.service.require_identity = !options_.insecure;
  auto credentials = rpc::server_credentials(options_.tls, options_.listen, options_.insecure);
  service_ = std::make_unique<CoordinatorService>(scheduler_, options_.service, metrics);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.listen, credentials, &port_);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) {
    throw std::runtime_error("cannot listen on " + options_.listen + " (in use, or not an "
                             "address of this host?)");
  }
  ticker_ = std::thread([this] { tick_loop(); });
}

CoordinatorServer::~CoordinatorServer() {
  shutdown();
  if (ticker_.joinable()) ticker_.join();
}

void CoordinatorServer::tick_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      store::TimeMs now = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      if (options_.service.clock) now = options_.service.clock();
      TickReport report = scheduler_.tick(now);
      if (report.tasks_created > 0 || report.leases_expired > 0) service_->wake_all();
      if (report.leases_expired > 0) {
        telemetry::log(LogLevel::info, "leases expired; tasks queued again",
                       {{"count", report.leases_expired}});
      }
      for (const auto& id : report.campaigns_done) {
        telemetry::log(LogLevel::info, "campaign done", {{"campaign", id}});
      }
      refresh_metrics(report);
    } catch (const std::exception& e) {
      telemetry::log(LogLevel::error, "scheduling tick failed", {{"error", e.what()}});
    }
    lock.lock();
    cv_.wait_for(lock, options_.tick, [this] { return stopping_; });
  }
}

void CoordinatorServer::refresh_metrics(const TickReport& report) {
  if (!metrics_) return;
  metrics_->expiries.Increment(double(report.leases_expired));
  metrics_->rounds.Increment(double(report.rounds_started));
  for (const auto& [label, count] : service_->connected_agents()) {
    auto slash = label.find('/');
    metrics_->agents.Add({{"region", label.substr(0, slash)}, {"network", label.substr(slash + 1)}})
        .Set(double(count));
  }
  auto campaigns = scheduler_.store().list_campaigns(store::CampaignState::running);
  if (!campaigns.ok()) return;
  for (const auto& campaign : campaigns.value) {
    auto counts = scheduler_.store().counts(campaign.id);
    if (!counts.ok()) continue;
    const auto& c = counts.value;
    const std::pair<const char*, std::uint64_t> states[] = {
        {"queued", c.queued}, {"leased", c.leased}, {"done", c.done}, {"failed", c.failed}};
    for (const auto& [state, n] : states) {
      metrics_->tasks.Add({{"campaign", campaign.id}, {"state", state}}).Set(double(n));
    }
    std::uint64_t total = c.queued + c.leased + c.done + c.failed;
    metrics_->progress.Add({{"campaign", campaign.id}})
        .Set(total == 0 ? 0.0 : double(c.done + c.failed) / double(total));
  }
}

void CoordinatorServer::wait() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [this] { return stopping_; });
}

void CoordinatorServer::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  service_->stop_streams();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

}  // namespace eo::coordinator
