// The aggregator's Prometheus metrics (eo_aggregator_*), fed from the ingest totals after each
// batch and from each analysis pass.
#pragma once

#include "aggregator/app/analyze.h"
#include "aggregator/ingest/ingestor.h"

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
};

}  // namespace eo::aggregator::app
