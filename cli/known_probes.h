// The probe suite as the coordinator's campaign parser sees it (names, versions, TLS-only):
// the one bridge from the agent's registry to coordinator::KnownProbe, header-only so neither
// library links the other.
#pragma once

#include "agent/probes/registry.h"
#include "coordinator/campaign/campaign_spec.h"

#include <string>
#include <vector>

namespace eo::agent {

inline std::vector<coordinator::KnownProbe> known_probes() {
  std::vector<coordinator::KnownProbe> out;
  for (const Probe* probe : all_probes()) {
    out.push_back({std::string(probe->name()), probe->version(),
                   probe->needs() == Needs::tls_session});
  }
  return out;
}

}  // namespace eo::agent
