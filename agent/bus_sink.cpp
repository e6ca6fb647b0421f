// BusObservationSink: serialize, publish, retry.
#include "agent/bus_sink.h"

#include "agent/discovery.h"
#include "common/bus/topics.h"
#include "common/telemetry/log.h"

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace eo::agent {

// Gauges mirroring the producer's own counters (they are cumulative, so a gauge set from them
// reads like a counter while the process lives).
struct BusObservationSink::Metrics {
  explicit Metrics(prometheus::Registry& registry)
      : delivery(prometheus::BuildGauge()
                     .Name("eo_agent_observations")
                     .Help("Observations by delivery state: published, delivered, spooled, "
                           "replayed, delivery_errors (cumulative), spool_depth (now)")
                     .Register(registry)) {}
  prometheus::Family<prometheus::Gauge>& delivery;
};

BusObservationSink::BusObservationSink(bus::Producer& producer, prometheus::Registry* metrics)
    : producer_(producer), metrics_(metrics ? std::make_unique<Metrics>(*metrics) : nullptr) {
  exporter_ = std::jthread([this](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any cv;
    std::unique_lock lock(mutex);
    while (!stop.stop_requested()) {
      cv.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
      if (stop.stop_requested()) break;
      export_stats();
      report_client_error();
    }
  });
}

void BusObservationSink::report_client_error() {
  std::string error = producer_.stats().client_error;
  // The reason carries librdkafka's timings, so only a change between refused and accepted is
  // news; otherwise every retried login would log a line.
  if (error.empty() == reported_error_.empty()) return;
  if (error.empty()) {
    telemetry::log(telemetry::LogLevel::info, "the brokers accept this client again");
  } else {
    telemetry::log(telemetry::LogLevel::error,
                   "the brokers refuse this client; observations stay spooled until the setting "
                   "is fixed",
                   {{"detail", error}});
  }
  reported_error_ = std::move(error);
}

BusObservationSink::~BusObservationSink() = default;

void BusObservationSink::export_stats() {
  if (!metrics_) return;
  auto stats = producer_.stats();
  auto set = [&](const char* state, std::uint64_t value) {
    metrics_->delivery.Add({{"state", state}}).Set(double(value));
  };
  set("published", stats.published);
  set("delivered", stats.delivered);
  set("spooled", stats.spooled);
  set("replayed", stats.replayed);
  set("delivery_errors", stats.delivery_errors);
  set("spool_depth", stats.spool_depth);
}

void BusObservationSink::publish(const v1::Observation& observation) {
  observation.SerializeToString(&buffer_);
  publish_record(bus::topics::kObservations, observation.target().id(),
                 "observation " + observation.observation_id());
  if (auto discovered = advertised_targets(observation)) {
    discovered->SerializeToString(&buffer_);
    publish_record(bus::topics::kDiscoveredTargets, observation.target().id(),
                   "discovered targets of " + observation.observation_id());
  }
}

void BusObservationSink::publish_record(std::string_view topic, const std::string& key,
                                        const std::string& what) {
  auto delay = std::chrono::milliseconds(50);
  for (int attempt = 1;; ++attempt) {
    bus::Status status = producer_.publish(topic, key, buffer_);
    if (status.ok()) {
      export_stats();
      return;
    }
    if (status.code == bus::Code::too_large || status.code == bus::Code::invalid_argument ||
        attempt >= 10) {
      throw std::runtime_error("cannot publish " + what + ": " +
                               std::string(bus::to_string(status.code)) + ": " + status.detail);
    }
    telemetry::log(telemetry::LogLevel::warn, "publish refused, retrying",
                   {{"attempt", attempt}, {"detail", status.detail}});
    std::this_thread::sleep_for(delay);
    delay *= 2;
  }
}

}  // namespace eo::agent
