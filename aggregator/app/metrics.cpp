// Lag is the age of the newest record in the last batch (0 when a poll found nothing): the bus
// seam does not expose broker offsets, and age is what an operator asks about anyway.
#include "aggregator/app/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace eo::aggregator::app {

AggregatorMetrics::AggregatorMetrics(prometheus::Registry& registry) {
  auto counter = [&](const char* name, const char* help) {
    return &prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
  };
  auto gauge = [&](const char* name, const char* help) {
    return &prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
  };
  consumed_ = counter("eo_aggregator_records_consumed_total",
                      "Bus records polled (redeliveries included)");
  observations_ = counter("eo_aggregator_observations_ingested_total",
                          "Observations newly written to the results database");
  events_ = counter("eo_aggregator_honeypot_events_ingested_total",
                    "Honeypot events newly written to the results database");
  auto& duplicates = prometheus::BuildCounter()
                         .Name("eo_aggregator_duplicates_total")
                         .Help("Records whose id was already stored (redelivery, replay)")
                         .Register(registry);
  observation_duplicates_ = &duplicates.Add({{"kind", "observation"}});
  event_duplicates_ = &duplicates.Add({{"kind", "honeypot_event"}});
  malformed_ = counter("eo_aggregator_malformed_records_total",
                       "Records that are not a decodable message of their topic");
  commit_failures_ = counter("eo_aggregator_offset_commit_failures_total",
                             "Offset commits refused (the records come again)");
  lag_ = gauge("eo_aggregator_consumer_lag_seconds",
               "Age of the newest record in the last batch; 0 when caught up");
  servers_ = gauge("eo_aggregator_servers_known", "Servers in the inventory");
  modified_ = gauge("eo_aggregator_modified_implementations",
                    "Targets whose claimed software their behaviour contradicts");
  findings_family_ = &prometheus::BuildGauge()
                          .Name("eo_aggregator_findings")
                          .Help("Findings of the last analysis pass, by kind")
                          .Register(registry);
  // The kinds known today read 0 before the first pass, so dashboards need no special case.
  for (const char* dimension : {"reachability", "content", "error", "rate_limit", "latency"}) {
    findings_[std::string(findings::kDifferentialPrefix) + dimension] = nullptr;
  }
  for (const char* kind : {findings::kModifiedImplementation, findings::kOperatorCluster,
                           findings::kHoneypotSuspicion, findings::kPhishingBroadcast,
                           findings::kQueryLeak}) {
    findings_[kind] = nullptr;
  }
  for (auto& [kind, g] : findings_) g = &findings_family_->Add({{"kind", kind}});
  published_ = counter("eo_aggregator_findings_published_total",
                       "Findings published on findings.v1 (new or changed)");
  withdrawn_ = counter("eo_aggregator_findings_withdrawn_total",
                       "Withdrawals published on findings.v1 (a published finding no longer holds)");
}

void AggregatorMetrics::update(const ingest::IngestStats& s) {
  consumed_->Increment(double(s.consumed - last_.consumed));
  observations_->Increment(double(s.observations - last_.observations));
  events_->Increment(double(s.events - last_.events));
  observation_duplicates_->Increment(
      double(s.observation_duplicates - last_.observation_duplicates));
  event_duplicates_->Increment(double(s.event_duplicates - last_.event_duplicates));
  malformed_->Increment(double(s.malformed - last_.malformed));
  commit_failures_->Increment(double(s.commit_failures - last_.commit_failures));
  lag_->Set(s.lag_seconds);
  last_ = s;
}

void AggregatorMetrics::update(const AnalysisSummary& summary) {
  servers_->Set(double(summary.servers));
  modified_->Set(double(summary.modified));
  for (auto& [kind, g] : findings_) g->Set(0);
  for (const auto& [kind, n] : summary.findings_by_kind) {
    auto [it, fresh] = findings_.try_emplace(kind, nullptr);
    if (fresh) it->second = &findings_family_->Add({{"kind", kind}});
    it->second->Set(double(n));
  }
}

void AggregatorMetrics::update(const findings::PublishResult& published) {
  published_->Increment(double(published.published));
  withdrawn_->Increment(double(published.withdrawn));
}

}  // namespace eo::aggregator::app
