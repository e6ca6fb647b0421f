// The agent registry's probes as the coordinator sees them (names, versions, TLS needs).
#pragma once

#include "cli/known_probes.h"

#include <string>
#include <vector>

namespace eo::coordinator {

inline std::vector<KnownProbe> registry_probes() { return cli::known_probes(); }

inline std::string source_path(const std::string& relative) {
  return std::string(EO_SOURCE_DIR) + "/" + relative;
}

}  // namespace eo::coordinator
