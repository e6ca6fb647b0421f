// Lease throughput of each state store backend: creates N tasks over many targets, then one
// thread leases batches and completes them. Prints leases/s; not a ctest (no timed asserts).
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
  double leases_per_s, completes_per_s;
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
  Clock::duration in_lease{}, in_complete{};
  int leased = 0;
  for (;;) {
    auto t0 = Clock::now();
    auto r = store->lease("eu", "bench-agent", 1, 60'000, static_cast<std::size_t>(batch));
    auto t1 = Clock::now();
    in_lease += t1 - t0;
    if (!r.ok() || r.value.empty()) break;
    leased += static_cast<int>(r.value.size());
    for (const auto& l : r.value) store->complete(l.lease_id, true);
    in_complete += Clock::now() - t1;
  }
  auto per_s = [&](Clock::duration d) { return leased / std::chrono::duration<double>(d).count(); };
  return {per_s(in_lease), per_s(in_complete)};
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
  std::printf("sqlite: %.0f leases/s, %.0f completes/s (batch %d, %d tasks)\n",
              sqlite.leases_per_s, sqlite.completes_per_s, batch, tasks);
  std::unique_ptr<eo::test::ChildProcess> server;
  if (redis_port == 0) {
    redis_port = eo::test::free_tcp_port();
    server = std::make_unique<eo::test::ChildProcess>(
        std::vector<std::string>{"redis-server", "--port", std::to_string(redis_port), "--bind",
                                 "127.0.0.1", "--save", "", "--appendonly", "no", "--dir",
                                 dir.path()},
        dir.file("redis.log"));
    eo::test::wait_for_tcp_port(redis_port, std::chrono::seconds(10));
  }
  Rates redis = run("redis://127.0.0.1:" + std::to_string(redis_port) + "/bench", tasks, batch);
  std::printf("redis:  %.0f leases/s, %.0f completes/s (batch %d, %d tasks)\n",
              redis.leases_per_s, redis.completes_per_s, batch, tasks);
  return 0;
}
