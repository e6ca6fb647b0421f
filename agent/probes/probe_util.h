// Small helpers shared by the probes: an answer as JSON (result, error or failure, plus the
// framing facts that fingerprint an implementation).
#pragma once

#include "agent/runtime/probe_context.h"

namespace eo::agent::probes {

// {"result": ...} or {"error": {"code", "message"}} or {"failure": "..."}; with `framing`, also
// the reply's key order, CRLF and compactness.
json answer_json(const electrum::Reply& reply, bool framing = false);
// {"failure": "...", "outcome": "..."}
json failure_json(const net::Failure& failure);

}  // namespace eo::agent::probes
