// The probe contract (ZGrab2 module + OONI experiment): a named, versioned, deterministic
// exchange with one target. The runtime owns sockets and the observation envelope (ids, vantage,
// target, timings, TLS, raw bytes, outcome); a probe only drives requests through its context and
// fills its own result. A probe "fails" only when it cannot start (bad params); everything a peer
// does is data.
#pragma once

#include "agent/runtime/probe_context.h"

#include <memory>
#include <string>
#include <string_view>

namespace eo::agent {

// What the probe needs from the runtime before it runs.
enum class Needs {
  electrum_session,  // a connected session; server.version is the probe's own business
  tls_session,       // a TLS connection (the probe is skipped with a note on a TCP target)
};

class Probe {
 public:
  virtual ~Probe() = default;
  virtual std::string_view name() const = 0;
  virtual std::uint32_t version() const = 0;
  virtual Needs needs() const { return Needs::electrum_session; }
  // Drives the exchange. The context is connected when this runs.
  virtual boost::asio::awaitable<void> run(ProbeContext& context) const = 0;
};

}  // namespace eo::agent
