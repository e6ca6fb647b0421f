// `observatory local`: the whole pipeline on one machine with the embedded defaults (SQLite
// state, the bus log in --data-dir): a loopback coordinator, one agent per vantage this machine
// has (clearnet; Tor when a SOCKS port answers), one campaign, then the aggregator and a summary.
#pragma once

#include <CLI/CLI.hpp>

namespace eo::cli {

void add_local_command(CLI::App& app);

}  // namespace eo::cli
