// Prometheus metrics: one registry per process, served on /metrics (text format 0.0.4).
#pragma once

#include <memory>
#include <string>

namespace prometheus {
class Registry;
class Exposer;
}  // namespace prometheus

namespace eo::telemetry {

class MetricsServer {
 public:
  // Creates the registry with an eo_build_info gauge labelled with `component` and version.
  explicit MetricsServer(std::string component);
  ~MetricsServer();

  prometheus::Registry& registry() { return *registry_; }
  std::shared_ptr<prometheus::Registry> shared_registry() { return registry_; }

  // Serves /metrics on `bind_address` ("127.0.0.1:9464"; port 0 picks a free port). Throws
  // std::runtime_error naming the address when it cannot bind (a start-up misconfiguration).
  void listen(const std::string& bind_address);
  // The port actually bound, 0 when not listening.
  int port() const;

  // The exposition text, as /metrics would return it.
  std::string scrape() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace eo::telemetry
