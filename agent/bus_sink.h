// Observations onto the bus (topic observations.v1, key = target id), counted in metrics, and
// the servers a target advertised onto targets.discovered.v1 (agent/discovery.h). The producer
// makes each one durable (broker or local spool) before publish() returns.
#pragma once

#include "agent/engine.h"
#include "common/bus/bus.h"

#include <memory>
#include <string>
#include <thread>

namespace eo::agent {

class BusObservationSink final : public ObservationSink {
 public:
  // With a registry, exports the producer's delivery counters and spool depth after each publish
  // and once a second besides (the spool drains while nothing is published). Either way, once a
  // second, logs when the brokers start or stop refusing this client (a wrong --kafka-property):
  // a long-running agent would otherwise say so only when it stops.
  explicit BusObservationSink(bus::Producer& producer, prometheus::Registry* metrics = nullptr);
  ~BusObservationSink() override;
  // Retries a refused publish with back-off; a disk that keeps failing is fatal (throws
  // std::runtime_error naming the error): dropping an observation silently is not an option.
  void publish(const v1::Observation& observation) override;

 private:
  struct Metrics;
  void export_stats();
  void report_client_error();  // exporter thread only
  // Publishes buffer_ with retries; throws naming `what` when the bus keeps refusing.
  void publish_record(std::string_view topic, const std::string& key, const std::string& what);

  bus::Producer& producer_;
  std::unique_ptr<Metrics> metrics_;
  std::string buffer_;
  std::string reported_error_;  // what report_client_error() last logged; exporter thread only
  std::jthread exporter_;       // last: stopped and joined before the rest goes
};

}  // namespace eo::agent
