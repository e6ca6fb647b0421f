// Canaries in the address probes: a task whose probe params carry `canary_key` (64 hex, set by
// the coordinator from the campaign secret) queries that task's canary accounts instead of the
// public test vectors; `control=1` keeps the test vectors as the control probe. See
// docs/canaries.md.
#pragma once

#include "agent/runtime/probe_context.h"
#include "common/canary/derive.h"

#include <optional>
#include <string>

namespace eo::agent::probes {

// The task's canary key, unless absent or control=1; throws std::invalid_argument on a
// malformed key (a bad task, named).
std::optional<canary::TaskKey> canary_key_of(const ProbeContext& context);

// One issued canary as the observation's result records it, so the aggregator learns issuance
// from observations alone: {"scripthash", "label": "p2wpkh/0/5"}.
json issued_canary_json(const std::string& scripthash, const std::string& label);

}  // namespace eo::agent::probes
