// `observatory coordinator`, `observatory campaign submit|status|watch|cancel`,
// `observatory targets list` and `observatory dev-ca`.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace eo::cli {

void add_coordinator_commands(CLI::App& app);

// Electrum's server list shipped with observatory: $EO_DATA_DIR, the source tree next to the
// binary, or the install prefix.
std::string default_servers_json();

}  // namespace eo::cli
