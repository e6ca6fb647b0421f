// Writes reply lines byte for byte like the emulated implementation. The compact layouts reuse
// common/electrum's serializers, except for result bodies (the per-request path), written here
// in one buffer; the python layout (EPS) and key-order-exact notifications are written here.
#include "honeypot/server/wire.h"

#include "common/electrum/request.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace eo::honeypot::server {
namespace {

electrum::KeyOrder key_order(Layout layout) {
  return layout == Layout::sorted ? electrum::KeyOrder::sorted : electrum::KeyOrder::electrumx;
}

bool plain_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f && c != '"' && c != '\\';
  });
}

// An id as compact JSON, as nlohmann writes it; integers and plain strings without its serializer.
void append_id(std::string& out, const Json& id) {
  char digits[24];
  std::to_chars_result end{};
  if (id.is_number_unsigned()) {
    end = std::to_chars(digits, digits + sizeof digits, id.get<std::uint64_t>());
  } else if (id.is_number_integer()) {
    end = std::to_chars(digits, digits + sizeof digits, id.get<std::int64_t>());
  } else if (id.is_string() && plain_ascii(id.get_ref<const std::string&>())) {
    out.push_back('"');
    out.append(id.get_ref<const std::string&>());
    out.push_back('"');
    return;
  } else {
    out.append(id.dump(-1, ' ', false, Json::error_handler_t::replace));
    return;
  }
  out.append(digits, end.ptr);
}

std::string_view comma(Layout layout) { return layout == Layout::python ? ", " : ","; }
std::string_view colon(Layout layout) { return layout == Layout::python ? ": " : ":"; }

}  // namespace

std::string_view to_string(Layout layout) {
  switch (layout) {
    case Layout::electrumx:
      return "electrumx";
    case Layout::sorted:
      return "sorted";
    case Layout::python:
      return "python";
  }
  return "electrumx";
}

std::optional<Layout> parse_layout(std::string_view name) {
  if (name == "electrumx") return Layout::electrumx;
  if (name == "sorted") return Layout::sorted;
  if (name == "python") return Layout::python;
  return std::nullopt;
}

void append_json_string(std::string& out, std::string_view text, Layout layout) {
  if (plain_ascii(text)) {
    out.push_back('"');
    out.append(text);
    out.push_back('"');
    return;
  }
  out.append(Json(std::string(text))
                 .dump(-1, ' ', layout == Layout::python, Json::error_handler_t::replace));
}

std::string json_string(std::string_view text, Layout layout) {
  std::string out;
  out.reserve(text.size() + 2);
  append_json_string(out, text, layout);
  return out;
}

std::string json_number(double value) {
  if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  return Json(value).dump();
}

std::string json_value(const Json& value, Layout layout) {
  if (layout != Layout::python) return value.dump(-1, ' ', false, Json::error_handler_t::replace);
  switch (value.type()) {
    case Json::value_t::array: {
      std::vector<std::string> items;
      for (const auto& item : value) items.push_back(json_value(item, layout));
      return array_text(items, layout);
    }
    case Json::value_t::object: {
      ObjectText object(layout);
      for (const auto& [key, item] : value.items()) object.add(key, json_value(item, layout));
      return object.str();
    }
    default:
      return value.dump(-1, ' ', true, Json::error_handler_t::replace);
  }
}

ObjectText& ObjectText::add(std::string_view key, std::string value_json) {
  fields_.emplace_back(key, std::move(value_json));
  return *this;
}

std::string ObjectText::str() const {
  std::vector<const std::pair<std::string_view, std::string>*> order;
  order.reserve(fields_.size());
  for (const auto& f : fields_) order.push_back(&f);
  if (layout_ == Layout::sorted) {
    std::stable_sort(order.begin(), order.end(),
                     [](const auto* a, const auto* b) { return a->first < b->first; });
  }
  std::size_t size = 2;
  for (const auto* f : order) size += f->first.size() + f->second.size() + 6;
  std::string out;
  out.reserve(size);
  out.push_back('{');
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i > 0) out.append(comma(layout_));
    append_json_string(out, order[i]->first, layout_);
    out.append(colon(layout_));
    out.append(order[i]->second);
  }
  out.push_back('}');
  return out;
}

std::string array_text(std::span<const std::string> items, Layout layout) {
  std::size_t size = 2;
  for (const auto& item : items) size += item.size() + 2;
  std::string out;
  out.reserve(size);
  out.push_back('[');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.append(comma(layout));
    out.append(items[i]);
  }
  out.push_back(']');
  return out;
}

std::string result_body(const WireStyle& style, const Json& id, std::string_view result_json) {
  if (style.layout != Layout::python) {
    // electrum::result_body's bytes, in one buffer with room for the terminator (finish_line).
    std::string out;
    out.reserve(result_json.size() + 48 +
                (id.is_string() ? id.get_ref<const std::string&>().size() : 0));
    if (style.layout == Layout::sorted) {
      out.append("{\"id\":");
      append_id(out, id);
      out.append(",\"jsonrpc\":\"2.0\",\"result\":").append(result_json).push_back('}');
    } else {
      out.append("{\"jsonrpc\":\"2.0\",\"result\":").append(result_json).append(",\"id\":");
      append_id(out, id);
      out.push_back('}');
    }
    return out;
  }
  // EPS: {"jsonrpc": "2.0", "result": result, "id": query["id"]}
  ObjectText body(Layout::python);
  body.add("jsonrpc", "\"2.0\"").add("result", std::string(result_json));
  body.add("id", json_value(id, Layout::python));
  return body.str();
}

std::string error_body(const WireStyle& style, const Json& id, std::optional<std::int64_t> code,
                       std::string_view message) {
  if (style.layout != Layout::python && code) {
    return electrum::error_body(id, *code, message, key_order(style.layout));
  }
  // EPS writes {"error": {"message": m[, "code": c]}, "jsonrpc": "2.0", "id": n}; a code-less
  // error in the compact layouts keeps that layout's envelope order.
  ObjectText error(style.layout);
  error.add("message", json_string(message, style.layout));
  if (code) error.add("code", std::to_string(*code));
  ObjectText body(style.layout);
  if (style.layout == Layout::python) {
    body.add("error", error.str()).add("jsonrpc", "\"2.0\"");
  } else {
    body.add("jsonrpc", "\"2.0\"").add("error", error.str());
  }
  body.add("id", json_value(id, style.layout));
  return body.str();
}

std::string notification_body(const WireStyle& style, std::string_view method,
                              std::string_view params_json) {
  ObjectText body(style.layout);
  if (style.layout == Layout::python) {
    // EPS builds {"method": m, "params": p} and then sets "jsonrpc".
    body.add("method", json_string(method, style.layout)).add("params", std::string(params_json));
    body.add("jsonrpc", "\"2.0\"");
  } else {
    body.add("jsonrpc", "\"2.0\"").add("method", json_string(method, style.layout));
    body.add("params", std::string(params_json));
  }
  return body.str();
}

std::string finish_line(std::string body, const WireStyle& style) {
  body.append(style.terminator());
  return body;
}

std::string batch_line(std::span<const std::string> bodies, const WireStyle& style) {
  return electrum::join_batch(bodies, electrum::LineStyle{key_order(style.layout), style.crlf});
}

}  // namespace eo::honeypot::server
