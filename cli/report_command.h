// `observatory report`.
#pragma once

#include <CLI/CLI.hpp>

namespace eo::cli {

void add_report_command(CLI::App& app);

}  // namespace eo::cli
