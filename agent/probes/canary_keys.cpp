// Reads the canary key of a probe's task.
#include "agent/probes/canary_keys.h"

#include <stdexcept>

namespace eo::agent::probes {

std::optional<canary::TaskKey> canary_key_of(const ProbeContext& context) {
  if (context.param("control", "0") == "1") return std::nullopt;
  const std::string hex = context.param("canary_key", "");
  if (hex.empty()) return std::nullopt;
  auto key = canary::parse_task_key(hex);
  if (!key) throw std::invalid_argument("canary_key: expected 64 hex characters");
  return key;
}

json issued_canary_json(const std::string& scripthash, const std::string& label) {
  json out = json::object();
  out["scripthash"] = scripthash;
  out["label"] = label;
  return out;
}

}  // namespace eo::agent::probes
