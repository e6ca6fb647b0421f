// The benchmark's verdict: the tables (agent vs. baseline, both units, both transports) and one
// PASS/FAIL line per target.
#pragma once

#include "tests/bench/bench_figures.h"

#include <cstddef>
#include <ostream>

namespace eo::bench {

struct Targets {
  std::size_t min_sessions = 10'000;                // held at once, per transport
  std::size_t max_peak_rss = std::size_t{1} << 30;  // 1 GiB, while holding them
  double min_probes_ratio = 10;                     // agent probes/s over baseline probes/s
  double max_tcp_cpu_per_1000 = 0.0055;             // request probes, CPU-s per 1000
  double max_tls_cpu_per_1000 = 0.0072;
  double max_tls_rss_per_session = 50'000;  // bytes (50 KB) per open TLS session
};

// Prints the tables and target lines; returns how many targets failed. A null baseline (not run)
// leaves the ratio targets unjudged.
int print_report(std::ostream& out, const Figures& agent, const Figures* baseline,
                 const Targets& targets);

}  // namespace eo::bench
