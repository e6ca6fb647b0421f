// Parses one JSON-RPC 2.0 line from an untrusted peer into a typed message, never throwing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/electrum/shape.h"

namespace eo::electrum {

using Json = nlohmann::json;

struct RpcError {
  std::int64_t code = 0;
  std::string message;
  std::optional<Json> data;

  bool operator==(const RpcError&) const = default;
};

// A reply: exactly one of result and error is set. `id` is a number, a string or null (null when
// the server could not read the request's id, e.g. after a parse error).
struct Response {
  Json id;
  std::optional<Json> result;
  std::optional<RpcError> error;

  bool operator==(const Response&) const = default;
};

// A call without id: servers push subscriptions this way (blockchain.headers.subscribe).
struct Notification {
  std::string method;
  Json params;  // an array or an object; null when the line had no "params" (or "params": null)

  bool operator==(const Notification&) const = default;
};

// A call with id: what a client sends (parsed by the honeypot side).
struct Request {
  Json id;
  std::string method;
  Json params;  // as in Notification

  bool operator==(const Request&) const = default;
};

// Closed vocabulary of why a line is not a usable message; to_string() gives stable names.
enum class ParseErrorKind {
  empty_line,       // nothing but whitespace
  not_json,         // syntax error, truncated value, trailing garbage
  invalid_utf8,     // a string held ill-formed UTF-8
  too_deep,         // nesting beyond ParseLimits::max_depth
  not_object,       // JSON, but neither an object nor an array (or a batch element not an object)
  invalid_message,  // an object that is not a valid request, notification or response
  empty_batch,      // "[]"
  batch_too_large,  // more than ParseLimits::max_batch elements
};

std::string_view to_string(ParseErrorKind kind);

struct ParseFailure {
  ParseErrorKind kind = ParseErrorKind::not_json;
  std::string detail;  // short ASCII text written by us; never echoes peer bytes

  bool operator==(const ParseFailure&) const = default;
};

// Nested batches are not JSON-RPC, so a batch element is never itself a batch.
using BatchElement = std::variant<Response, Notification, Request, ParseFailure>;

struct Batch {
  std::vector<BatchElement> elements;  // never empty

  bool operator==(const Batch&) const = default;
};

using Message = std::variant<Response, Notification, Request, Batch, ParseFailure>;

struct ParseLimits {
  std::size_t max_depth = 64;    // arrays/objects nested deeper fail before the JSON parser runs
  std::size_t max_batch = 1000;  // batch elements
};

struct ParsedLine {
  Message message;
  ResponseShape shape;
};

// Parses one line (without its terminator). Never throws: any input, including invalid UTF-8,
// embedded NULs and absurd nesting, becomes a ParseFailure.
//
// Leniency, chosen so that odd but readable servers are still measured: "jsonrpc" may be absent
// (it must be "2.0" when present); a response may carry "error": null beside its result, or
// "result": null beside its error; duplicate keys keep the last value (the shape flags them).
// Strictness: error.code must be an integer that fits int64 and error.message a string; an id
// must be a number, a string or null; a method must be a string; params an array or an object.
ParsedLine parse_line(std::string_view line, const ParseLimits& limits = {});

// What parse_line starts with: the reply nearly every server sends nearly always, one compact
// object of exactly "jsonrpc":"2.0", "result" and "id" (any order, surrounding whitespace
// allowed), the id an integer, a plain string or null, the result null, a boolean, an integer, a
// plain string (printable ASCII, no escapes) or a flat array of those; read in one pass with no
// JSON DOM. Returns exactly what parse_line_full would, or nullopt for any other line.
std::optional<ParsedLine> parse_simple_response(std::string_view line,
                                                const ParseLimits& limits = {});

// parse_line without the shortcut: the reference parse_simple_response is tested against.
ParsedLine parse_line_full(std::string_view line, const ParseLimits& limits = {});

}  // namespace eo::electrum
