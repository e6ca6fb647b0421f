// The agent registry's probes as the coordinator sees them (names, versions, TLS needs).
#pragma once

#include "agent/probes/registry.h"
#include "coordinator/campaign/campaign_spec.h"

#include <string>
#include <vector>

namespace eo::coordinator {

inline std::vector<KnownProbe> registry_probes() {
  std::vector<KnownProbe> out;
  for (const agent::Probe* probe : agent::all_probes()) {
    out.push_back({std::string(probe->name()), probe->version(),
                   probe->needs() == agent::Needs::tls_session});
  }
  return out;
}

inline std::string source_path(const std::string& relative) {
  return std::string(EO_SOURCE_DIR) + "/" + relative;
}

}  // namespace eo::coordinator
