// Lag in seconds is the age of the newest record in the last batch (0 when a poll found nothing):
// what an operator asks about. Lag in records per partition comes from Kafka's own measure
// (librdkafka's consumer_lag: end of the partition minus the group's commit), for alerts that
// must not depend on record timestamps.
#include "aggregator/app/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <string>

namespace eo::aggregator::app {

AggregatorMetrics::AggregatorMetrics(prometheus::Registry& registry) {
  auto counter = [&](const char* name, const char* help) {
    return &prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
  };
  auto gauge = [&](const char* name, const char* help) {
    return &prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
  };
  consumed_ =
      counter("eo_aggregator_records_consumed_total", "Bus records polled (redeliveries included)");
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
  for (const char* kind :
       {findings::kModifiedImplementation, findings::kOperatorCluster, findings::kHoneypotSuspicion,
        findings::kPhishingBroadcast, findings::kQueryLeak}) {
    findings_[kind] = nullptr;
  }
  for (auto& [kind, g] : findings_) g = &findings_family_->Add({{"kind", kind}});
  published_ = counter("eo_aggregator_findings_published_total",
                       "Findings published on findings.v1 (new or changed)");
  withdrawn_ =
      counter("eo_aggregator_findings_withdrawn_total",
              "Withdrawals published on findings.v1 (a published finding no longer holds)");
  offsets_family_ = &prometheus::BuildGauge()
                         .Name("eo_aggregator_committed_offset")
                         .Help("Next offset to read per topic and partition, as last committed")
                         .Register(registry);
  lag_records_family_ = &prometheus::BuildGauge()
                             .Name("eo_aggregator_consumer_lag_records")
                             .Help(
                                 "Records behind the committed offset per held topic and "
                                 "partition, as Kafka last measured (absent on the embedded log)")
                             .Register(registry);
  honeypot_sessions_ = gauge("eo_aggregator_honeypot_sessions",
                             "Honeypot sessions in the results database (last analysis pass)");
  honeypot_wallets_ = gauge("eo_aggregator_honeypot_wallets",
                            "Wallets the honeypot sessions link into by shared script hashes "
                            "(last analysis pass)");
  suspicion_family_ = &prometheus::BuildGauge()
                           .Name("eo_aggregator_suspicion_score")
                           .Help(
                               "Honeypot suspicion score of the highest-scored servers "
                               "(at most 20, by server; last analysis pass)")
                           .Register(registry);
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
  for (const auto& [where, next] : s.committed) {
    auto [it, fresh] = offsets_.try_emplace(where, nullptr);
    if (fresh) {
      it->second = &offsets_family_->Add(
          {{"topic", where.first}, {"partition", std::to_string(where.second)}});
    }
    it->second->Set(double(next));
  }
  for (auto& [where, g] : lag_records_) g->Set(0);  // a partition no longer held reads 0
  for (const auto& [where, behind] : s.lag_records) {
    auto [it, fresh] = lag_records_.try_emplace(where, nullptr);
    if (fresh) {
      it->second = &lag_records_family_->Add(
          {{"topic", where.first}, {"partition", std::to_string(where.second)}});
    }
    it->second->Set(double(behind));
  }
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
  honeypot_sessions_->Set(double(summary.honeypot_sessions));
  honeypot_wallets_->Set(double(summary.honeypot_wallets));
  // Only the top of the list, so the series stay few however many servers there are; a server
  // that left the top loses its series.
  constexpr std::size_t kTop = 20;
  std::map<std::string, double> top;
  for (const auto& [server, score] : summary.suspicion) {
    if (top.size() == kTop) break;
    top.emplace(server, score);
  }
  for (auto it = suspicion_.begin(); it != suspicion_.end();) {
    if (top.count(it->first) == 0) {
      suspicion_family_->Remove(it->second);
      it = suspicion_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [server, score] : top) {
    auto [it, fresh] = suspicion_.try_emplace(server, nullptr);
    if (fresh) it->second = &suspicion_family_->Add({{"server", server}});
    it->second->Set(score);
  }
}

void AggregatorMetrics::update(const findings::PublishResult& published) {
  published_->Increment(double(published.published));
  withdrawn_->Increment(double(published.withdrawn));
}

}  // namespace eo::aggregator::app
