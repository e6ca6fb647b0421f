// `observatory canary registry`: the registry of canaries a campaign issues, for the honeypot.
#pragma once

#include <CLI/CLI.hpp>

namespace eo::cli {

void add_canary_command(CLI::App& app);

}  // namespace eo::cli
