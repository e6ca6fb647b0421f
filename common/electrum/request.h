// Builds JSON-RPC 2.0 lines byte for byte in the layout of a chosen Electrum server implementation.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/electrum/message.h"

namespace eo::electrum {

// Order of the envelope keys. Values inside params/result are written by nlohmann (compact,
// object keys sorted); pass RawJson where an exact inner layout matters.
enum class KeyOrder {
  // "jsonrpc" first, "id" last (Python dicts in ElectrumX/aiorpcX):
  //   {"jsonrpc":"2.0","result":R,"id":N}  {"jsonrpc":"2.0","error":{"code":C,"message":M},"id":N}
  //   {"jsonrpc":"2.0","method":M,"params":P,"id":N}
  electrumx,
  // Alphabetical (serde in electrs; Fulcrum's Qt maps sort too):
  //   {"id":N,"jsonrpc":"2.0","result":R}  {"error":{"code":C,"message":M},"id":N,"jsonrpc":"2.0"}
  //   {"id":N,"jsonrpc":"2.0","method":M,"params":P}
  sorted,
};

struct LineStyle {
  KeyOrder order = KeyOrder::electrumx;
  bool crlf = false;  // terminate lines with "\r\n" instead of "\n"

  static constexpr LineStyle electrumx() { return {KeyOrder::electrumx, false}; }
  static constexpr LineStyle fulcrum() { return {KeyOrder::sorted, true}; }
  static constexpr LineStyle electrs() { return {KeyOrder::sorted, false}; }

  std::string_view terminator() const { return crlf ? "\r\n" : "\n"; }
};

// JSON text written verbatim (trusted: from our own code or a honeypot profile, never a peer).
struct RawJson {
  std::string_view text;
};

// One call of a client batch. Null params leave the "params" key out.
struct Call {
  Json id;
  std::string method;
  Json params;
};

// Bodies: one compact JSON object, no terminator. Never throw: strings with ill-formed UTF-8 are
// written with U+FFFD in place of the bad bytes. A null `params` leaves the key out, so probes can
// send calls without params.
std::string request_body(const Json& id, std::string_view method, const Json& params,
                         KeyOrder order = KeyOrder::electrumx);
std::string notification_body(std::string_view method, const Json& params,
                              KeyOrder order = KeyOrder::electrumx);
std::string result_body(const Json& id, const Json& result, KeyOrder order = KeyOrder::electrumx);
std::string result_body(const Json& id, RawJson result, KeyOrder order = KeyOrder::electrumx);
std::string error_body(const Json& id, std::int64_t code, std::string_view message,
                       KeyOrder order = KeyOrder::electrumx,
                       const std::optional<Json>& data = std::nullopt);

// Lines: a body and the style's terminator.
std::string make_request(const Json& id, std::string_view method, const Json& params,
                         const LineStyle& style = {});
std::string make_notification(std::string_view method, const Json& params,
                              const LineStyle& style = {});
std::string make_result(const Json& id, const Json& result, const LineStyle& style = {});
std::string make_result(const Json& id, RawJson result, const LineStyle& style = {});
std::string make_error(const Json& id, std::int64_t code, std::string_view message,
                       const LineStyle& style = {}, const std::optional<Json>& data = std::nullopt);

// Appends make_request(id, method, params)'s bytes (ElectrumX key order, "\n") to `out`: the
// client's per-request path, into a buffer it reuses.
void append_request(std::string& out, std::int64_t id, std::string_view method, const Json& params);

// A client batch "[req,req,...]" plus terminator; an empty span gives "[]" (a probe may want it).
std::string make_batch(std::span<const Call> calls, const LineStyle& style = {});
// A batch of bodies built above (a server's batch reply) plus terminator.
std::string join_batch(std::span<const std::string> bodies, const LineStyle& style = {});

}  // namespace eo::electrum
