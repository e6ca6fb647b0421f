// Lease throughput of each state store backend: creates N tasks over many targets, then one
// thread leases batches and completes them, every other batch one call per task and the rest in
// one complete_batch call (as the coordinator's completer does). Prints leases/s and completes/s
// both ways; not a ctest (no timed asserts).
// Usage: store_bench [--tasks N] [--batch B] [--redis-port P (use a running server)]
#include "common/store/factory.h"
#include "tests/support/process.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

using eo::store::NewTask;
using eo::store::Target;

struct Rates {
  double leases_per_s, completes_per_s, batched_completes_per_s;
};

Rates run(const std::string& url, int tasks, int batch) {
  auto store = eo::store::make_store(url);
  std::vector<Target> targets;
  for (int i = 0; i < 500; ++i) {
    targets.push_back({"g" + std::to_string(i), "h", 50002, "tls", false, 4, {"seed"}});
  }
  store->upsert_targets("bench", targets);
  std::vector<NewTask> created;
  for (int i = 0; i < tasks; ++i) {
    created.push_back({"t" + std::to_string(i), "bench", 1, "g" + std::to_string(i % 500), "eu",
                       false, 0, std::string(200, 'x')});
  }
  store->create_tasks(created);
  using Clock = std::chrono::steady_clock;
  Clock::duration in_lease{}, in_complete{}, in_batch{};
  int leased = 0, one_by_one = 0, batched = 0;
  for (bool batch_call = false;; batch_call = !batch_call) {
    auto t0 = Clock::now();
    auto r = store->lease("eu", "bench-agent", 1, 60'000, static_cast<std::size_t>(batch));
    auto t1 = Clock::now();
    in_lease += t1 - t0;
    if (!r.ok() || r.value.empty()) break;
    const int n = static_cast<int>(r.value.size());
    leased += n;
    if (batch_call) {
      std::vector<eo::store::Completion> completions;
      for (const auto& l : r.value) completions.push_back({l.lease_id, true, ""});
      store->complete_batch(completions);
      in_batch += Clock::now() - t1;
      batched += n;
    } else {
      for (const auto& l : r.value) store->complete(l.lease_id, true);
      in_complete += Clock::now() - t1;
      one_by_one += n;
    }
  }
  auto per_s = [](int n, Clock::duration d) {
    return n / std::chrono::duration<double>(d).count();
  };
  return {per_s(leased, in_lease), per_s(one_by_one, in_complete), per_s(batched, in_batch)};
}

}  // namespace

int main(int argc, char** argv) {
  int tasks = 20000, batch = 64, redis_port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--tasks")) tasks = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--batch")) batch = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--redis-port")) redis_port = std::atoi(argv[i + 1]);
  }
  eo::test::TempDir dir;
  Rates sqlite = run("sqlite:" + dir.file("bench.db"), tasks, batch);
  std::printf(
      "sqlite: %.0f leases/s, %.0f completes/s one call each, %.0f in batches (batch %d, "
      "%d tasks)\n",
      sqlite.leases_per_s, sqlite.completes_per_s, sqlite.batched_completes_per_s, batch, tasks);
  std::unique_ptr<eo::test::ChildProcess> server;
  if (redis_port == 0) {
    auto started = eo::test::start_redis(dir.path(), std::chrono::seconds(10));
    server = std::move(started.process);
    redis_port = started.port;
    if (redis_port == 0) {
      std::fprintf(stderr, "redis-server did not start: %s\n", server->log().c_str());
      return 1;
    }
  }
  Rates redis = run("redis://127.0.0.1:" + std::to_string(redis_port) + "/bench", tasks, batch);
  std::printf(
      "redis:  %.0f leases/s, %.0f completes/s one call each, %.0f in batches (batch %d, "
      "%d tasks)\n",
      redis.leases_per_s, redis.completes_per_s, redis.batched_completes_per_s, batch, tasks);
  return 0;
}
