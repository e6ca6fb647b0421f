// The aggregator's Prometheus metrics (eo_aggregator_*), fed from the ingest totals after each
// batch and from each analysis pass.
#pragma once

#include "aggregator/app/analyze.h"
#include "aggregator/findings/publish.h"
#include "aggregator/ingest/ingestor.h"

#include <prometheus/family.h>

#include <map>
#include <utility>
#include <string>

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace eo::aggregator::app {

class AggregatorMetrics {
 public:
  explicit AggregatorMetrics(prometheus::Registry& registry);

  // Counters move by what changed since the previous call.
  void update(const ingest::IngestStats& stats);
  void update(const AnalysisSummary& summary);
  void update(const findings::PublishResult& published);

 private:
  ingest::IngestStats last_;
  prometheus::Counter* consumed_;
  prometheus::Counter* observations_;
  prometheus::Counter* events_;
  prometheus::Counter* observation_duplicates_;
  prometheus::Counter* event_duplicates_;
  prometheus::Counter* malformed_;
  prometheus::Counter* commit_failures_;
  prometheus::Gauge* lag_;
  prometheus::Gauge* servers_;
  prometheus::Gauge* modified_;
  prometheus::Family<prometheus::Gauge>* findings_family_;
  std::map<std::string, prometheus::Gauge*> findings_;  // by kind; a kind gone reads 0
  prometheus::Counter* published_;
  prometheus::Counter* withdrawn_;
  prometheus::Family<prometheus::Gauge>* offsets_family_;
  std::map<std::pair<std::string, int>, prometheus::Gauge*> offsets_;
  prometheus::Family<prometheus::Gauge>* lag_records_family_;
  std::map<std::pair<std::string, int>, prometheus::Gauge*> lag_records_;
  prometheus::Gauge* honeypot_sessions_;
  prometheus::Gauge* honeypot_wallets_;
  prometheus::Family<prometheus::Gauge>* suspicion_family_;
  std::map<std::string, prometheus::Gauge*> suspicion_;  // the top servers of the last pass
};

}  // namespace eo::aggregator::app
