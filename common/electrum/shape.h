// Reads the raw layout of one JSON-RPC line (key order, spacing, nesting depth): it fingerprints a
// server's JSON library, and nlohmann::json cannot report it because it sorts keys.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace eo::electrum {

struct ResponseShape {
  // Keys of the top-level object in the order they appear, joined by ',' ("jsonrpc,result,id" for
  // ElectrumX, "id,jsonrpc,result" for Fulcrum and electrs). For a batch: the first element's
  // keys. Raw key text (escapes not decoded); bytes outside printable ASCII and ',' become '?'.
  std::string key_order;
  bool batch = false;           // the top-level value is an array
  bool compact = true;          // no whitespace between tokens (outside strings)
  bool duplicate_keys = false;  // a key of that object appeared twice (nlohmann keeps the last)
  bool keys_truncated = false;  // more keys, or longer ones, than the shape records
  std::size_t leading_whitespace = 0;
  std::size_t trailing_whitespace = 0;  // ElectrumX >= 1.18 pads its sends with spaces
  std::size_t depth = 0;                // deepest nesting of arrays/objects seen
  bool too_deep = false;                // nesting passed the limit; the scan stopped there
};

inline constexpr std::size_t kShapeMaxKeys = 32;
inline constexpr std::size_t kShapeMaxKeyBytes = 64;

// One linear pass over the raw text; never throws on input. Stops as soon as the nesting depth
// exceeds max_depth, so a line of 100k '[' costs no more than reading it.
ResponseShape scan_shape(std::string_view line, std::size_t max_depth);

}  // namespace eo::electrum
