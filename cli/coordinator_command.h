// `observatory coordinator`, `observatory campaign submit|status|watch|cancel`,
// `observatory targets list` and `observatory dev-ca`.
#pragma once

#include "coordinator/campaign/campaign_spec.h"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace eo::cli {

void add_coordinator_commands(CLI::App& app);

// The agent's probe suite as the campaign parser needs it (names, versions, TLS-only).
std::vector<coordinator::KnownProbe> known_probes();

// Electrum's server list shipped with observatory: $EO_DATA_DIR, the source tree next to the
// binary, or the install prefix.
std::string default_servers_json();

}  // namespace eo::cli
