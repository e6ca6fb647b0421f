// `observatory aggregator`.
#pragma once

#include <CLI/CLI.hpp>

namespace eo::cli {

void add_aggregator_command(CLI::App& app);

}  // namespace eo::cli
