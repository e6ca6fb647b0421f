// Reads the line nearly every client sends, {"jsonrpc":"2.0","method":M,"params":[...],"id":N},
// without building a JSON tree of the whole object first: on the honeypot's per-request path the
// generic parser (shape scan, nlohmann DOM, copies out of it) was the largest single cost.
#pragma once

#include "common/electrum/message.h"

#include <optional>
#include <string_view>

namespace eo::honeypot::server {

// A request or notification when `line` is one object whose keys are among jsonrpc ("2.0"),
// method, params and id, each at most once, with plain ASCII strings (no escapes), integer, string
// or null ids and params null or an array of such scalars (and true/false); nullopt for any other
// line, valid or not. Whenever it answers, electrum::parse_line(line) gives the same message, so
// callers fall back to parse_line on nullopt and behave as if only parse_line existed.
std::optional<electrum::Message> parse_simple_call(std::string_view line);

}  // namespace eo::honeypot::server
