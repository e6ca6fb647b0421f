// `observatory coordinator`, `observatory campaign submit|status|watch|cancel`,
// `observatory targets list` and `observatory dev-ca`.
#pragma once

#include "eo/v1/coordinator.pb.h"

#include <CLI/CLI.hpp>

#include <string>

namespace eo::cli {

void add_coordinator_commands(CLI::App& app);

// Electrum's server list shipped with observatory: $EO_DATA_DIR, the source tree next to the
// binary, or the install prefix.
std::string default_servers_json();

// "round 2/5", or "round 8 (continuous)" / "round 8 (continuous until 2027-03-01T00:00:00Z)";
// with the next round's start when one is planned: ", next in 42 s".
std::string round_text(const v1::CampaignStatus& status, std::int64_t now_unix_ms);

// "targets 80 active (2 new this round), 1 gone", with ", 3 joining next round" for discovered
// targets not planned yet.
std::string targets_text(const v1::CampaignStatus& status);

}  // namespace eo::cli
