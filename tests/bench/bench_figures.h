// What one side of the benchmark (the agent, or the asyncio baseline) measured for one transport:
// the held-sessions phase, the request-probe phase and the session-probe phase.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace eo::bench {

// One measured throughput phase. CPU is the getrusage delta of the measuring process over the
// phase only; wall is the phase's elapsed time.
struct PhaseFigures {
  bool measured = false;
  std::uint64_t probes = 0;    // completed without failure
  std::uint64_t failures = 0;  // any outcome but ok
  double wall_s = 0;
  double user_s = 0;
  double sys_s = 0;
  double server_cpu_s = -1;  // the server process's CPU over the same phase; -1 unknown
  std::string first_failure;

  double probes_per_s() const { return wall_s > 0 ? probes / wall_s : 0; }
  // CPU seconds per 1000 completed probes (user + sys).
  double cpu_per_1000() const { return probes > 0 ? (user_s + sys_s) * 1000 / probes : 0; }
};

// N sessions opened (connect, TLS, server.version) and held open at once.
struct HeldFigures {
  bool measured = false;
  std::uint64_t attempted = 0;
  std::uint64_t held = 0;
  std::uint64_t failures = 0;
  std::int64_t server_held = -1;       // what the server counted open at that moment; -1 unknown
  std::size_t rss_before = 0;          // VmRSS before opening (after returning freed heap)
  std::size_t rss_held = 0;            // VmRSS with all sessions open
  std::size_t rss_after_requests = 0;  // VmRSS still holding them, after the request phase
  std::size_t heap_before = 0;         // C heap in use (agent only; the baseline leaves these 0)
  std::size_t heap_held = 0;
  double open_wall_s = 0;
  std::string first_failure;

  // C heap bytes each open session keeps allocated (live objects, without fragmentation).
  double heap_per_session() const {
    return held > 0 && heap_held > heap_before ? static_cast<double>(heap_held - heap_before) / held
                                               : 0;
  }

  // Resident bytes each open session costs: the larger of the two held readings, less the
  // reading before, over the sessions held.
  double rss_per_session() const {
    std::size_t top = rss_held > rss_after_requests ? rss_held : rss_after_requests;
    return held > 0 && top > rss_before ? static_cast<double>(top - rss_before) / held : 0;
  }
};

struct TransportFigures {
  bool measured = false;
  HeldFigures held;
  PhaseFigures request;      // one round trip on an open session
  PhaseFigures session;      // connect (+TLS) + server.version + server.ping + close
  std::size_t peak_rss = 0;  // VmHWM at the end of this transport's phases
};

struct Figures {
  TransportFigures tcp;
  TransportFigures tls;
  long nofile = 0;
  std::string runtime;  // e.g. "Python 3.11.7" for the baseline
};

// The baseline script's JSON (see asyncio_baseline.py); throws nlohmann::json::exception on a
// malformed document.
Figures figures_from_json(const nlohmann::json& document);

}  // namespace eo::bench
