// The normalized content of a probe's result: what a server said with the fields removed that
// legitimately differ between two vantages of one round (tip, fees, timings) and with peer lists
// in a canonical order. Two vantages that got the same content get the same hash.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace eo::aggregator::results {

// The result's JSON text without volatile members (at any depth) and with the elements of
// peers.result sorted; whitespace outside strings dropped. Works on the text in one pass (the
// agent writes compact JSON with sorted keys, so equal content is equal text). nullopt when the
// text is not JSON.
std::optional<std::string> normalize(std::string_view result_json);

// Hex SHA-256 of the normalized result; "" when the result is not JSON.
std::string content_sha256(std::string_view result_json);

// Hex SHA-256 of bytes.
std::string sha256_hex(std::string_view bytes);

}  // namespace eo::aggregator::results
