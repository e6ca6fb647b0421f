// Prometheus metrics of the honeypot server.
#include "honeypot/server/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace eo::honeypot::server {

ServerMetrics ServerMetrics::create(prometheus::Registry* registry) {
  ServerMetrics m;
  if (registry == nullptr) return m;
  auto& connections = prometheus::BuildCounter()
                          .Name("eo_honeypot_connections_total")
                          .Help("Client connections accepted, by transport")
                          .Register(*registry);
  m.connections_tcp = &connections.Add({{"transport", "tcp"}});
  m.connections_tls = &connections.Add({{"transport", "tls"}});
  auto counter = [&](const char* name, const char* help) {
    return &prometheus::BuildCounter().Name(name).Help(help).Register(*registry).Add({});
  };
  m.refused = counter("eo_honeypot_refused_total", "Connections refused (rules, caps)");
  m.lines = counter("eo_honeypot_lines_total", "Lines received from clients");
  m.requests = counter("eo_honeypot_requests_total", "Requests handled (batch items count)");
  m.errors = counter("eo_honeypot_errors_total", "Error replies and unreadable lines");
  m.notifications = counter("eo_honeypot_notifications_total", "Subscription notifications");
  m.oversize_lines = counter("eo_honeypot_oversize_lines_total", "Lines over the size limit");
  m.task_failures = counter("eo_honeypot_task_failures_total", "Session tasks that threw");
  m.sessions = &prometheus::BuildGauge()
                    .Name("eo_honeypot_sessions")
                    .Help("Client sessions open now")
                    .Register(*registry)
                    .Add({});
  return m;
}

void add(prometheus::Counter* counter, double value) {
  if (counter != nullptr) counter->Increment(value);
}

void set(prometheus::Gauge* gauge, double value) {
  if (gauge != nullptr) gauge->Set(value);
}

}  // namespace eo::honeypot::server
