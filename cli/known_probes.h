// The probe suite as the coordinator's campaign parser sees it (names, versions, TLS-only): the
// one bridge from the agent's registry to coordinator::KnownProbe. It lives in cli/, which
// composes the roles, so that neither component includes the other.
#pragma once

#include "agent/probes/registry.h"
#include "coordinator/campaign/campaign_spec.h"

#include <string>
#include <vector>

namespace eo::cli {

inline std::vector<coordinator::KnownProbe> known_probes() {
  std::vector<coordinator::KnownProbe> out;
  for (const agent::Probe* probe : agent::all_probes()) {
    out.push_back({std::string(probe->name()), probe->version(),
                   probe->needs() == agent::Needs::tls_session});
  }
  return out;
}

}  // namespace eo::cli
