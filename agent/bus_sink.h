// Observations onto the bus (topic observations.v1, key = target id), counted in metrics. The
// producer makes each one durable (broker or local spool) before publish() returns.
#pragma once

#include "agent/engine.h"
#include "common/bus/bus.h"

namespace eo::agent {

class BusObservationSink final : public ObservationSink {
 public:
  explicit BusObservationSink(bus::Producer& producer) : producer_(producer) {}
  // Retries a refused publish with back-off; a disk that keeps failing is fatal (throws
  // std::runtime_error naming the error): dropping an observation silently is not an option.
  void publish(const v1::Observation& observation) override;

 private:
  bus::Producer& producer_;
  std::string buffer_;
};

}  // namespace eo::agent
