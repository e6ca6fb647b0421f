// Prometheus metrics of the honeypot server (served by telemetry::MetricsServer on /metrics).
#pragma once

namespace prometheus {
class Registry;
class Counter;
class Gauge;
}  // namespace prometheus

namespace eo::honeypot::server {

// All null without a registry, so counting costs a branch when metrics are off.
struct ServerMetrics {
  prometheus::Counter* connections_tcp = nullptr;
  prometheus::Counter* connections_tls = nullptr;
  prometheus::Counter* refused = nullptr;
  prometheus::Counter* lines = nullptr;
  prometheus::Counter* requests = nullptr;
  prometheus::Counter* errors = nullptr;
  prometheus::Counter* notifications = nullptr;
  prometheus::Counter* oversize_lines = nullptr;
  prometheus::Counter* task_failures = nullptr;
  prometheus::Gauge* sessions = nullptr;

  static ServerMetrics create(prometheus::Registry* registry);
};

void add(prometheus::Counter* counter, double value = 1);
void set(prometheus::Gauge* gauge, double value);

}  // namespace eo::honeypot::server
