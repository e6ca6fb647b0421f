// The agent side of the benchmark, on the agent's real code: held sessions and request probes on
// electrum::Client (plus the exchange record ProbeContext::call keeps), session probes through
// agent::Runner running the latency probe with one ping.
#pragma once

#include "common/electrum/client.h"
#include "tests/bench/bench_figures.h"

#include <cstdint>
#include <vector>

namespace eo::bench {

struct AgentPhaseOptions {
  std::vector<std::uint16_t> ports;  // the server's ports for this transport; sessions spread
  bool tls = false;
  std::size_t sessions = 10'000;       // held open at once
  std::size_t open_concurrency = 256;  // connects (+handshakes) in flight while opening them
  std::size_t concurrency = 256;       // session-probe workers
  double seconds = 3;                  // length of each throughput phase
  bool held_phase = true;              // held sessions + request probes
  bool session_phase = true;           // session probes
  electrum::ClientLimits limits;       // the agent's defaults unless --read-chunk says otherwise
  int server_pid = -1;                 // sampled for the server's CPU over each phase
};

// Runs the three phases for one transport on a fresh io_context on this thread.
TransportFigures run_agent_phases(const AgentPhaseOptions& options);

// The request-probe phase with no client code at all, as a reference for what the kernel (and
// OpenSSL, over TLS) cost per round trip on this machine: `sessions` plain sockets, the agent's
// request bytes, one send and one recv per round trip under a level-triggered epoll, no JSON.
// Not a probe implementation; no client can spend less per request probe here.
PhaseFigures run_syscall_floor(const AgentPhaseOptions& options, std::size_t sessions);

}  // namespace eo::bench
