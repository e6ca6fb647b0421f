// `observatory honeypot` and `observatory privacy-report`.
#pragma once

#include <CLI/CLI.hpp>

namespace eo::cli {

void add_honeypot_commands(CLI::App& app);

}  // namespace eo::cli
