// Builds JSON-RPC 2.0 lines byte for byte in the layout of a chosen Electrum server implementation.
#include "common/electrum/request.h"

#include <algorithm>
#include <charconv>
#include <utility>
#include <vector>

namespace eo::electrum {
namespace {

// Written by hand rather than through nlohmann::json, whose objects sort their keys.
using Field = std::pair<std::string_view, std::string>;

std::string dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string quoted(std::string_view text) { return dump(Json(std::string(text))); }

// dump() without the temporary string.
void dump_into(std::string& out, const Json& value) {
  nlohmann::detail::serializer<Json> writer(nlohmann::detail::output_adapter<char>(out), ' ',
                                            Json::error_handler_t::replace);
  writer.dump(value, false, false, 0);
}

// Printable ASCII other than '"' and '\\' is written by JSON as it is.
bool plain(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
}

// Fields arrive in ElectrumX order; the sorted layout reorders them by key.
std::string object(std::vector<Field> fields, KeyOrder order) {
  if (order == KeyOrder::sorted) {
    std::sort(fields.begin(), fields.end(),
              [](const Field& a, const Field& b) { return a.first < b.first; });
  }
  std::size_t size = 2;
  for (const Field& f : fields) size += f.first.size() + f.second.size() + 4;
  std::string out;
  out.reserve(size);
  out.push_back('{');
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    out.append(fields[i].first);
    out.append("\":");
    out.append(fields[i].second);
  }
  out.push_back('}');
  return out;
}

std::string line(std::string body, const LineStyle& style) {
  body.append(style.terminator());
  return body;
}

std::string result_with(const Json& id, std::string result, KeyOrder order) {
  return object({{"jsonrpc", "\"2.0\""}, {"result", std::move(result)}, {"id", dump(id)}}, order);
}

}  // namespace

std::string request_body(const Json& id, std::string_view method, const Json& params,
                         KeyOrder order) {
  std::vector<Field> fields{{"jsonrpc", "\"2.0\""}, {"method", quoted(method)}};
  if (!params.is_null()) fields.emplace_back("params", dump(params));
  fields.emplace_back("id", dump(id));
  return object(std::move(fields), order);
}

std::string notification_body(std::string_view method, const Json& params, KeyOrder order) {
  std::vector<Field> fields{{"jsonrpc", "\"2.0\""}, {"method", quoted(method)}};
  if (!params.is_null()) fields.emplace_back("params", dump(params));
  return object(std::move(fields), order);
}

std::string result_body(const Json& id, const Json& result, KeyOrder order) {
  return result_with(id, dump(result), order);
}

std::string result_body(const Json& id, RawJson result, KeyOrder order) {
  return result_with(id, std::string(result.text), order);
}

std::string error_body(const Json& id, std::int64_t code, std::string_view message, KeyOrder order,
                       const std::optional<Json>& data) {
  std::vector<Field> error{{"code", std::to_string(code)}, {"message", quoted(message)}};
  if (data) error.emplace_back("data", dump(*data));
  return object(
      {{"jsonrpc", "\"2.0\""}, {"error", object(std::move(error), order)}, {"id", dump(id)}},
      order);
}

std::string make_request(const Json& id, std::string_view method, const Json& params,
                         const LineStyle& style) {
  return line(request_body(id, method, params, style.order), style);
}

std::string make_notification(std::string_view method, const Json& params, const LineStyle& style) {
  return line(notification_body(method, params, style.order), style);
}

std::string make_result(const Json& id, const Json& result, const LineStyle& style) {
  return line(result_body(id, result, style.order), style);
}

std::string make_result(const Json& id, RawJson result, const LineStyle& style) {
  return line(result_body(id, result, style.order), style);
}

std::string make_error(const Json& id, std::int64_t code, std::string_view message,
                       const LineStyle& style, const std::optional<Json>& data) {
  return line(error_body(id, code, message, style.order, data), style);
}

void append_request(std::string& out, std::int64_t id, std::string_view method,
                    const Json& params) {
  out.append("{\"jsonrpc\":\"2.0\",\"method\":");
  if (plain(method)) {
    out.push_back('"');
    out.append(method);
    out.push_back('"');
  } else {
    out.append(quoted(method));
  }
  if (!params.is_null()) {
    out.append(",\"params\":");
    if (params.is_array() && params.empty()) {
      out.append("[]");
    } else {
      dump_into(out, params);
    }
  }
  out.append(",\"id\":");
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, id).ptr;
  out.append(digits, end);
  out.append("}\n");
}

std::string make_batch(std::span<const Call> calls, const LineStyle& style) {
  std::vector<std::string> bodies;
  bodies.reserve(calls.size());
  for (const Call& c : calls) bodies.push_back(request_body(c.id, c.method, c.params, style.order));
  return join_batch(bodies, style);
}

std::string join_batch(std::span<const std::string> bodies, const LineStyle& style) {
  std::string out = "[";
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(bodies[i]);
  }
  out.push_back(']');
  return line(std::move(out), style);
}

}  // namespace eo::electrum
