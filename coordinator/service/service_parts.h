// What the coordinator service's files share (private to coordinator/service): the per-agent
// session and per-stream state, the metrics, and the helpers both kinds of RPC use.
#pragma once

#include "coordinator/service/service.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace eo::coordinator {

struct CoordinatorService::Session {
  std::string token;
  std::string agent_id;
  std::vector<v1::Vantage> vantages;
  bool lease_batches = false;  // the agent reads TaskLeases
  std::mutex mutex;
  std::set<std::string> outstanding;  // leases handed out on any stream of this session
  bool capped = false;                // its credit has reached max_leases_per_agent (logged once)
};

struct CoordinatorService::Stream {
  std::mutex mutex;
  std::condition_variable cv;
  std::size_t credit = 0;
  bool wake = true;
  bool stop = false;
  Session* session = nullptr;
};

struct CoordinatorService::Metrics {
  explicit Metrics(prometheus::Registry& registry)
      : dispatched(prometheus::BuildCounter()
                       .Name("eo_coordinator_leases_total")
                       .Help("Task leases sent to agents")
                       .Register(registry)
                       .Add({})),
        completions(prometheus::BuildCounter()
                        .Name("eo_coordinator_completions_total")
                        .Help("Task completions reported by agents, by result")
                        .Register(registry)),
        late(prometheus::BuildCounter()
                 .Name("eo_coordinator_leases_after_window_total")
                 .Help("Leases handed out after their round's sync window had closed")
                 .Register(registry)
                 .Add({})),
        lag(prometheus::BuildHistogram()
                .Name("eo_coordinator_scheduling_lag_seconds")
                .Help("Time from a task's planned start to its lease")
                .Register(registry)
                .Add({}, prometheus::Histogram::BucketBoundaries{0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30,
                                                                 60, 300})) {}
  prometheus::Counter& dispatched;
  prometheus::Family<prometheus::Counter>& completions;
  prometheus::Counter& late;
  prometheus::Histogram& lag;
};

namespace service_detail {

// Expected refusals of a request become INVALID_ARGUMENT; anything else is the state store
// failing underneath, which the caller may retry.
grpc::Status refusal(const std::exception& e);
// "<region>/<network>" of a vantage, for logs and the connected-agents gauge.
std::string label_of(const v1::Vantage& vantage);

}  // namespace service_detail
}  // namespace eo::coordinator
