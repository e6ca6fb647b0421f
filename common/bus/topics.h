// The topics that cross process boundaries (DESIGN.md §2); every value is a serialized eo.v1
// message with a stable id for idempotency.
#pragma once

#include <string_view>

namespace eo::bus::topics {

inline constexpr std::string_view kObservations = "observations.v1";       // key: target id
inline constexpr std::string_view kHoneypotEvents = "honeypot.events.v1";  // key: session id
inline constexpr std::string_view kFindings = "findings.v1";               // key: server
inline constexpr std::string_view kDiscoveredTargets = "targets.discovered.v1";

}  // namespace eo::bus::topics
