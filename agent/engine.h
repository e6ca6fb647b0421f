// The agent's engine: runs planned probes with bounded concurrency under the politeness caps,
// hands each Observation to a sink, and keeps the agent's Prometheus metrics.
#pragma once

#include "agent/tasks/task_file.h"
#include "common/time/clock.h"

#include "eo/v1/observation.pb.h"

#include <functional>
#include <memory>
#include <optional>

namespace prometheus {
class Registry;
}

namespace eo::geo {
class GeoDatabase;
}

namespace eo::agent {

// Where observations go (the bus, a file). publish() returning means the sink owns it durably.
class ObservationSink {
 public:
  virtual ~ObservationSink() = default;
  virtual void publish(const v1::Observation& observation) = 0;
};

struct EngineOptions {
  unsigned concurrency = 64;  // probes in flight across all targets
  electrum::ClientLimits limits;
  // Annotates vantages with country and ASN of their egress address; may be null.
  const geo::GeoDatabase* geo = nullptr;
  // What the politeness caps decide on (rate, back-off); outlives the engine.
  const time::Clock* clock = &time::system_clock();
};

struct EngineReport {
  std::size_t planned = 0;
  std::size_t run = 0;
  std::size_t skipped_opt_out = 0;
  std::map<std::string, std::size_t> by_outcome;
};

using ProgressFn =
    std::function<void(std::size_t done, std::size_t total, const v1::Observation& observation)>;

class Engine {
 public:
  Engine(AgentPlan plan, ObservationSink& sink, EngineOptions options,
         prometheus::Registry* metrics = nullptr);
  ~Engine();

  // Runs every planned probe on the calling thread's new io_context; returns when all are done.
  EngineReport run(ProgressFn progress = {});

  // Runs one probe under the politeness caps and hands its observation to the sink; nullopt
  // when the target opted out. Every call must come from one io_context's thread (the caps are
  // not locked). Throws std::invalid_argument for an unknown vantage or probe.
  boost::asio::awaitable<std::optional<v1::Observation>> execute(const PlannedProbe& planned);

 private:
  struct Metrics;
  boost::asio::awaitable<void> worker();
  void record(v1::Observation& observation);
  void annotate_vantage(v1::Observation& observation);

  AgentPlan plan_;
  ObservationSink& sink_;
  EngineOptions options_;
  std::unique_ptr<Metrics> metrics_;
  Politeness politeness_;
  std::map<std::string, std::unique_ptr<Runner>> runners_;
  std::size_t next_ = 0;
  EngineReport report_;
  ProgressFn progress_;
};

}  // namespace eo::agent
