// `observatory probe`: connect to Electrum servers and print, as JSON lines, what each answers:
// version negotiation, metadata, TLS chain, failures and timings. A one-shot measurement and the
// quickest way to see what a server exposes.
#pragma once

#include <CLI/CLI.hpp>

namespace eo::cli {

void add_probe_command(CLI::App& app);

}  // namespace eo::cli
