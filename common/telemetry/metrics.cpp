// MetricsServer over prometheus-cpp's civetweb exposer.
#include "common/telemetry/metrics.h"

#include "common/telemetry/log.h"

#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <stdexcept>

namespace eo::telemetry {

MetricsServer::MetricsServer(std::string component)
    : registry_(std::make_shared<prometheus::Registry>()) {
  prometheus::BuildGauge()
      .Name("eo_build_info")
      .Help("Electrum Observatory build and role; always 1")
      .Register(*registry_)
      .Add({{"component", component}, {"version", EO_VERSION}})
      .Set(1);
}

MetricsServer::~MetricsServer() = default;

void MetricsServer::listen(const std::string& bind_address) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(bind_address, 2);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot serve metrics on --metrics-listen " + bind_address + ": " +
                             e.what());
  }
  exposer_->RegisterCollectable(registry_);
  // The bound port, also when the address asked for port 0 (tests do; docs/layout.md).
  log(LogLevel::info, "metrics listening", {{"address", bind_address}, {"port", port()}});
}

int MetricsServer::port() const {
  if (!exposer_) return 0;
  auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

std::string MetricsServer::scrape() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace eo::telemetry
