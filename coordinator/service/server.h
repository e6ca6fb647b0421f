// The coordinator process: the gRPC server around CoordinatorService, and the tick thread that
// drives the scheduler (rounds, lease expiry, campaign completion) and refreshes the metrics.
#pragma once

#include "common/bus/factory.h"
#include "common/rpc/credentials.h"
#include "coordinator/service/scheduler.h"
#include "coordinator/service/service.h"

#include <grpcpp/server.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace prometheus {
class Registry;
}

namespace eo::coordinator {

struct ServerOptions {
  std::string listen = "127.0.0.1:50151";  // port 0 picks a free one (see port())
  rpc::TlsFiles tls;
  bool insecure = false;  // plaintext, loopback only (one machine)
  std::chrono::milliseconds tick{250};
  ServiceOptions service;
  // Where agents publish discovered targets (targets.discovered.v1); none: discovery off.
  std::optional<bus::BusConfig> discovery;
};

class CoordinatorServer {
 public:
  // Binds and starts serving; throws std::invalid_argument / std::runtime_error naming the
  // address or the credential file that is wrong.
  CoordinatorServer(Scheduler& scheduler, ServerOptions options,
                    prometheus::Registry* metrics = nullptr);
  ~CoordinatorServer();

  int port() const { return port_; }
  CoordinatorService& service() { return *service_; }
  // Blocks until shutdown() (from another thread or a signal handler's thread).
  void wait();
  void shutdown();

 private:
  struct Metrics;
  void tick_loop();
  void discovery_loop();
  void refresh_metrics(const TickReport& report);

  Scheduler& scheduler_;
  ServerOptions options_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<CoordinatorService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool stopped_ = false;  // gRPC's Shutdown has returned: wait() may return, the server may go
  std::thread ticker_;
  std::thread discovery_;
};

}  // namespace eo::coordinator
