// Runs one probe against one target from one vantage and returns the Observation: the envelope
// (ids, vantage, target, profile, timings, TLS chain, bounded raw bytes, outcome) is filled here,
// the payload by the probe.
#pragma once

#include "agent/runtime/probe.h"
#include "agent/runtime/vantage.h"
#include "common/net/socks5.h"

#include "eo/v1/observation.pb.h"

#include <map>
#include <optional>
#include <string>

namespace eo::agent {

struct TargetSpec {
  std::string host;
  std::uint16_t port = 0;
  bool tls = false;

  std::string id() const;
  bool onion() const;
};

struct ProbeRequest {
  std::string campaign_id;
  std::uint32_t round = 0;
  std::string task_id;
  TargetSpec target;
  ClientProfileSpec profile;
  std::string probe_name;
  std::map<std::string, std::string> params;
  // This task's share of the campaign's per-target request rate; 0: only the agent's own cap.
  double max_requests_per_second = 0;
  std::chrono::milliseconds timeout{10'000};    // one wait
  std::chrono::milliseconds deadline{120'000};  // the whole probe
};

class Runner {
 public:
  using Pacer = ProbeContext::Pacer;

  Runner(std::string agent_id, Vantage vantage, electrum::ClientLimits limits = {});

  // Never throws for anything a peer does; throws std::invalid_argument for an unknown probe or
  // bad params (a start-up failure, named).
  boost::asio::awaitable<v1::Observation> run(const ProbeRequest& request, Pacer pace);

  const Vantage& vantage() const { return vantage_; }

 private:
  net::ConnectOptions connect_options(const ProbeRequest& request) const;
  // The SOCKS credentials that give this target and round a circuit of its own (Tor's
  // IsolateSOCKSAuth); nullopt when the vantage does not isolate.
  std::optional<net::socks5::Credentials> isolation(const ProbeRequest& request) const;
  boost::asio::awaitable<void> record_tor_exit(const ProbeRequest& request,
                                               v1::Observation& observation) const;

  std::string agent_id_;
  Vantage vantage_;
  electrum::ClientLimits limits_;
};

// A random UUID (version 4) from the OS's randomness.
std::string make_uuid();

}  // namespace eo::agent
