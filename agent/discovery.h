// The servers a target advertises (server.peers.subscribe, server.features "hosts") read from a
// metadata observation, for the coordinator's discovery (topic targets.discovered.v1). Hostile
// targets may advertise anything: entries are validated and their number bounded.
#pragma once

#include "eo/v1/observation.pb.h"
#include "eo/v1/task.pb.h"

#include <cstddef>
#include <optional>

namespace eo::agent {

// At most this many targets per observation are passed on; the rest set `truncated`.
inline constexpr std::size_t kMaxAdvertisedTargets = 200;

// nullopt when the observation advertises nothing (another probe, a failed request, an empty
// list). Each advertised host becomes one target: TLS when it lists an SSL port, else TCP;
// the source itself and malformed entries are left out.
std::optional<v1::DiscoveredTargets> advertised_targets(const v1::Observation& observation);

}  // namespace eo::agent
