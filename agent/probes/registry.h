// The probe suite: every probe the agent can run, by name.
#pragma once

#include "agent/runtime/probe.h"

#include <string_view>
#include <vector>

namespace eo::agent {

const std::vector<const Probe*>& all_probes();
const Probe* find_probe(std::string_view name);

}  // namespace eo::agent
