// Engine: a fixed pool of worker coroutines over the plan, on one thread.
#include "agent/engine.h"

#include "agent/probes/registry.h"
#include "common/geo/geo.h"
#include "common/async/supervise.h"
#include "common/telemetry/log.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace eo::agent {

namespace asio = boost::asio;

struct Engine::Metrics {
  explicit Metrics(prometheus::Registry& registry)
      : probes(prometheus::BuildCounter()
                   .Name("eo_agent_probes_total")
                   .Help("Probes run, by probe name and outcome")
                   .Register(registry)),
        latency(prometheus::BuildHistogram()
                    .Name("eo_agent_probe_duration_seconds")
                    .Help("Wall time of one probe, by probe name")
                    .Register(registry)),
        sessions(prometheus::BuildGauge()
                     .Name("eo_agent_probes_in_flight")
                     .Help("Probes running now")
                     .Register(registry)
                     .Add({})) {}
  prometheus::Family<prometheus::Counter>& probes;
  prometheus::Family<prometheus::Histogram>& latency;
  prometheus::Gauge& sessions;
};

Engine::Engine(AgentPlan plan, ObservationSink& sink, EngineOptions options,
               prometheus::Registry* metrics)
    : plan_(std::move(plan)),
      sink_(sink),
      options_(options),
      metrics_(metrics ? std::make_unique<Metrics>(*metrics) : nullptr),
      politeness_(plan_.politeness, *options_.clock) {
  for (const auto& vantage : plan_.vantages) {
    runners_[vantage.id] = std::make_unique<Runner>(plan_.agent_id, vantage, options_.limits);
  }
  report_.planned = plan_.probes.size();
}

Engine::~Engine() = default;

// The egress address of a clearnet vantage is its configured one or, failing that, the local
// address its connections used (right when the host is not behind NAT); Tor vantages have none.
void Engine::annotate_vantage(v1::Observation& observation) {
  auto* vantage = observation.mutable_vantage();
  if (vantage->network() != v1::NETWORK_CLEARNET) return;
  if (vantage->egress_ip().empty() && !observation.local_address().empty()) {
    const std::string& local = observation.local_address();
    auto colon = local.rfind(':');
    std::string ip = local.substr(0, colon);
    if (ip.size() > 2 && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
    vantage->set_egress_ip(ip);
  }
  if (options_.geo == nullptr || vantage->egress_ip().empty() || vantage->asn() != 0) return;
  if (auto info = options_.geo->lookup(vantage->egress_ip())) {
    vantage->set_asn(info->asn);
    vantage->set_country(info->country);
  }
}

void Engine::record(v1::Observation& observation) {
  annotate_vantage(observation);
  sink_.publish(observation);
  ++report_.run;
  std::string outcome = v1::Outcome_Name(observation.outcome());
  ++report_.by_outcome[outcome];
  if (metrics_) {
    metrics_->probes.Add({{"probe", observation.probe_name()}, {"outcome", outcome}}).Increment();
    static const prometheus::Histogram::BucketBoundaries buckets = {0.01, 0.05, 0.1, 0.25, 0.5,
                                                                    1,    2.5,  5,   10,   30};
    metrics_->latency.Add({{"probe", observation.probe_name()}}, buckets)
        .Observe(double(observation.timings().total_us()) / 1e6);
  }
  if (progress_) progress_(report_.run + report_.skipped_opt_out, report_.planned, observation);
}

asio::awaitable<std::optional<v1::Observation>> Engine::execute(const PlannedProbe& planned) {
  const ProbeRequest& request = planned.request;
  if (politeness_.opted_out(request.target.host)) {
    ++report_.skipped_opt_out;
    co_return std::nullopt;
  }
  auto runner = runners_.find(planned.vantage_id);
  if (runner == runners_.end()) {
    throw std::invalid_argument("this agent has no vantage '" + planned.vantage_id + "'");
  }
  std::string target = request.target.id();
  co_await politeness_.enter(target);
  if (metrics_) metrics_->sessions.Increment();
  double rate_cap = request.max_requests_per_second;
  auto pace = [this, target, rate_cap]() -> asio::awaitable<void> {
    co_await politeness_.pace(target, rate_cap);
  };
  std::optional<v1::Observation> observation;
  try {
    observation = co_await runner->second->run(request, pace);
  } catch (...) {
    if (metrics_) metrics_->sessions.Decrement();
    politeness_.leave(target);
    throw;
  }
  if (metrics_) metrics_->sessions.Decrement();
  politeness_.leave(target);
  if (observation->outcome() != v1::OUTCOME_OK && observation->outcome() != v1::OUTCOME_RPC_ERROR) {
    politeness_.penalize(target);
  }
  record(*observation);
  co_return observation;
}

asio::awaitable<void> Engine::worker() {
  while (next_ < plan_.probes.size()) {
    co_await execute(plan_.probes[next_++]);
  }
}

EngineReport Engine::run(ProgressFn progress) {
  progress_ = std::move(progress);
  asio::io_context io;
  for (unsigned i = 0; i < std::max(1u, options_.concurrency); ++i) {
    asio::co_spawn(io, worker(), async::log_exit("agent worker"));
  }
  io.run();
  return report_;
}

}  // namespace eo::agent
