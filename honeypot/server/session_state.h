// The protocol state of one client session, kept apart from its socket so that the dispatcher
// can be driven (and tested, and measured) without I/O.
#pragma once

#include "honeypot/server/cost.h"
#include "honeypot/server/recorder.h"
#include "honeypot/server/rules.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace eo::honeypot::server {

// "1.4.2" as {1, 4, 2}; compared like Python tuples (a prefix is smaller).
using ProtocolVersion = std::vector<int>;
std::optional<ProtocolVersion> parse_protocol_version(std::string_view text);

struct SessionState {
  SessionState(SessionRecorder recorder, PeerEndpoint peer, CostMeter cost)
      : recorder(std::move(recorder)), peer(std::move(peer)), cost(std::move(cost)) {}

  SessionRecorder recorder;
  PeerEndpoint peer;
  bool tor_exit = false;
  Policy policy;
  CostMeter cost;
  Clock::time_point started = Clock::now();

  // server.version
  bool version_seen = false;
  std::string client_name;
  ProtocolVersion protocol{1, 4};

  // Subscriptions: headers, and script hashes with the status last sent for each.
  bool headers_subscribed = false;
  std::int64_t notified_height = -1;
  std::unordered_set<std::string> scripthashes;

  // rate_limit rule: requests counted in the current window.
  std::uint64_t window_requests = 0;
  Clock::time_point window_start = Clock::now();

  SessionCounts counts;
};

}  // namespace eo::honeypot::server
