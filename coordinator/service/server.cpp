#include "coordinator/service/server.h"

#include "common/bus/topics.h"
#include "common/telemetry/log.h"

#include <grpcpp/server_builder.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <set>
#include <string>

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
                   .Add({})),
        discovered(prometheus::BuildCounter()
                       .Name("eo_coordinator_targets_discovered_total")
                       .Help("Targets added to campaigns from what servers advertised")
                       .Register(registry)
                       .Add({})) {}
  prometheus::Family<prometheus::Gauge>& agents;
  prometheus::Family<prometheus::Gauge>& tasks;
  prometheus::Family<prometheus::Gauge>& progress;
  prometheus::Counter& expiries;
  prometheus::Counter& rounds;
  prometheus::Counter& discovered;
  std::set<std::string> agent_labels;  // every "region/network" seen so far
  std::set<std::string> campaigns;     // running at the last refresh
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
    throw std::runtime_error("cannot listen on " + options_.listen +
                             " (in use, or not an "
                             "address of this host?)");
  }
  ticker_ = std::thread([this] { tick_loop(); });
  if (options_.discovery) discovery_ = std::thread([this] { discovery_loop(); });
}

CoordinatorServer::~CoordinatorServer() {
  shutdown();
  if (ticker_.joinable()) ticker_.join();
  if (discovery_.joinable()) discovery_.join();
}

void CoordinatorServer::tick_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      TickReport report = scheduler_.tick(options_.service.clock->now());
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

void CoordinatorServer::discovery_loop() {
  std::unique_ptr<bus::Consumer> consumer;
  try {
    consumer = bus::make_consumer(*options_.discovery, "coordinator",
                                  {std::string(bus::topics::kDiscoveredTargets)});
  } catch (const std::exception& e) {
    telemetry::log(LogLevel::error, "discovery off: cannot read the bus", {{"error", e.what()}});
    return;
  }
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    auto polled = consumer->poll(256, std::chrono::milliseconds(250));
    if (!polled.status.ok()) {
      telemetry::log(LogLevel::error, "discovery: bus read failed; retrying",
                     {{"error", polled.status.detail}});
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (polled.messages.empty()) continue;
    try {
      for (const auto& message : polled.messages) {
        v1::DiscoveredTargets found;
        if (!found.ParseFromString(message.value)) continue;  // not ours to crash on
        if (std::size_t added = scheduler_.discover(found); added > 0) {
          if (metrics_) metrics_->discovered.Increment(double(added));
          telemetry::log(LogLevel::info, "targets discovered",
                         {{"campaign", found.campaign_id()},
                          {"from", found.source_target_id()},
                          {"added", added}});
        }
      }
    } catch (const std::exception& e) {
      // The store is away: leave the batch uncommitted, it is delivered again.
      telemetry::log(LogLevel::error, "discovery failed; retrying", {{"error", e.what()}});
      continue;
    }
    consumer->commit(polled.messages);
  }
}

void CoordinatorServer::refresh_metrics(const TickReport& report) {
  if (!metrics_) return;
  metrics_->expiries.Increment(double(report.leases_expired));
  metrics_->rounds.Increment(double(report.rounds_started));
  // A region and network whose last agent left reads 0, not its last count.
  auto connected = service_->connected_agents();
  for (const auto& label : metrics_->agent_labels) connected.try_emplace(label, 0);
  for (const auto& [label, count] : connected) {
    auto slash = label.find('/');
    metrics_->agents.Add({{"region", label.substr(0, slash)}, {"network", label.substr(slash + 1)}})
        .Set(double(count));
    metrics_->agent_labels.insert(label);
  }
  auto campaigns = scheduler_.store().list_campaigns(store::CampaignState::running);
  if (!campaigns.ok()) return;
  // A campaign that ended (done, cancelled) loses its series: its last counts would otherwise
  // read as queued tasks forever.
  std::set<std::string> running;
  for (const auto& campaign : campaigns.value) running.insert(campaign.id);
  for (const auto& id : metrics_->campaigns) {
    if (running.count(id) != 0) continue;
    for (const char* state : {"queued", "leased", "done", "failed"}) {
      metrics_->tasks.Remove(&metrics_->tasks.Add({{"campaign", id}, {"state", state}}));
    }
    metrics_->progress.Remove(&metrics_->progress.Add({{"campaign", id}}));
  }
  metrics_->campaigns = running;
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
  cv_.wait(lock, [this] { return stopped_; });
}

void CoordinatorServer::shutdown() {
  {
    std::unique_lock lock(mutex_);
    if (stopping_) {
      // Another thread (a signal's) is shutting down: the server must not be destroyed under it.
      cv_.wait(lock, [this] { return stopped_; });
      return;
    }
    stopping_ = true;
  }
  cv_.notify_all();  // the tick and discovery loops end
  service_->stop_streams();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  cv_.notify_all();
}

}  // namespace eo::coordinator
