// BusObservationSink: serialize, publish, retry.
#include "agent/bus_sink.h"

#include "common/bus/topics.h"
#include "common/telemetry/log.h"

#include <stdexcept>
#include <thread>

namespace eo::agent {

void BusObservationSink::publish(const v1::Observation& observation) {
  observation.SerializeToString(&buffer_);
  auto delay = std::chrono::milliseconds(50);
  for (int attempt = 1;; ++attempt) {
    bus::Status status =
        producer_.publish(bus::topics::kObservations, observation.target().id(), buffer_);
    if (status.ok()) return;
    if (status.code == bus::Code::too_large || status.code == bus::Code::invalid_argument ||
        attempt >= 10) {
      throw std::runtime_error("cannot publish observation " + observation.observation_id() +
                               ": " + std::string(bus::to_string(status.code)) + ": " +
                               status.detail);
    }
    telemetry::log(telemetry::LogLevel::warn, "publish refused, retrying",
                   {{"attempt", attempt}, {"detail", status.detail}});
    std::this_thread::sleep_for(delay);
    delay *= 2;
  }
}

}  // namespace eo::agent
