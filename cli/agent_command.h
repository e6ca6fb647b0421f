// `observatory agent`: runs probe tasks from a task file (until the coordinator hands them out)
// and publishes every Observation.
#pragma once

#include <CLI/CLI.hpp>

namespace eo::cli {

void add_agent_command(CLI::App& app);

}  // namespace eo::cli
