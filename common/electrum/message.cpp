// Parses one JSON-RPC 2.0 line from an untrusted peer into a typed message, never throwing.
#include "common/electrum/message.h"

#include <limits>
#include <string>
#include <utility>

namespace eo::electrum {
namespace {

ParseFailure failure(ParseErrorKind kind, std::string detail) {
  return ParseFailure{kind, std::move(detail)};
}

ParseFailure invalid(std::string detail) {
  return failure(ParseErrorKind::invalid_message, std::move(detail));
}

bool is_valid_id(const Json& id) { return id.is_number() || id.is_string() || id.is_null(); }

// "params" absent or null reads as null; anything but an array or object is an error.
bool read_params(const Json& object, Json& params) {
  const auto it = object.find("params");
  if (it == object.end() || it->is_null()) return true;
  if (!it->is_array() && !it->is_object()) return false;
  params = *it;
  return true;
}

std::optional<std::int64_t> read_code(const Json& code) {
  if (code.is_number_integer() && !code.is_number_unsigned()) return code.get<std::int64_t>();
  if (code.is_number_unsigned()) {
    const auto u = code.get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return static_cast<std::int64_t>(u);
    }
  }
  return std::nullopt;
}

BatchElement parse_call(const Json& object, const std::string& method) {
  if (object.contains("result") || object.contains("error")) {
    return invalid("a call carries result or error");
  }
  Json params;
  if (!read_params(object, params)) return invalid("params is neither an array nor an object");
  const auto id = object.find("id");
  if (id == object.end()) return Notification{method, std::move(params)};
  if (!is_valid_id(*id)) return invalid("id is not a number, string or null");
  return Request{*id, method, std::move(params)};
}

BatchElement parse_response(const Json& object) {
  const auto id = object.find("id");
  if (id == object.end()) return invalid("response without id");
  if (!is_valid_id(*id)) return invalid("id is not a number, string or null");
  const auto result = object.find("result");
  const auto error = object.find("error");
  const bool has_result = result != object.end();
  if (error != object.end() && !error->is_null()) {
    if (has_result && !result->is_null()) return invalid("response carries result and error");
    if (!error->is_object()) return invalid("error is not an object");
    const auto code = error->find("code");
    const std::optional<std::int64_t> code_value =
        code == error->end() ? std::nullopt : read_code(*code);
    if (!code_value) return invalid("error.code is not a 64-bit integer");
    const auto message = error->find("message");
    if (message == error->end() || !message->is_string()) {
      return invalid("error.message is not a string");
    }
    RpcError rpc{*code_value, message->get<std::string>(), std::nullopt};
    if (const auto data = error->find("data"); data != error->end()) rpc.data = *data;
    return Response{*id, std::nullopt, std::move(rpc)};
  }
  if (!has_result) return invalid("response without result or error");
  return Response{*id, *result, std::nullopt};
}

BatchElement parse_object(const Json& object) {
  if (const auto v = object.find("jsonrpc"); v != object.end() && *v != "2.0") {
    return invalid("jsonrpc is not \"2.0\"");
  }
  const auto method = object.find("method");
  if (method == object.end()) return parse_response(object);
  if (!method->is_string()) return invalid("method is not a string");
  return parse_call(object, method->get<std::string>());
}

Message to_message(BatchElement element) {
  return std::visit([](auto&& m) -> Message { return std::move(m); }, std::move(element));
}

Message parse_value(const Json& value, const ParseLimits& limits) {
  if (value.is_object()) return to_message(parse_object(value));
  if (!value.is_array()) return failure(ParseErrorKind::not_object, "not an object or array");
  if (value.empty()) return failure(ParseErrorKind::empty_batch, "empty batch");
  if (value.size() > limits.max_batch) {
    return failure(ParseErrorKind::batch_too_large,
                   "batch of " + std::to_string(value.size()) + " elements");
  }
  Batch batch;
  batch.elements.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i].is_object()) {
      batch.elements.push_back(parse_object(value[i]));
    } else {
      batch.elements.push_back(failure(ParseErrorKind::not_object,
                                       "batch element " + std::to_string(i) + " is not an object"));
    }
  }
  return batch;
}

// nlohmann reports ill-formed UTF-8 as a syntax error (id 101) whose text names it; its message
// also quotes the offending bytes, so only our own words go into the detail.
ParseFailure from_parse_error(const Json::parse_error& e) {
  const std::string what = e.what();
  const std::string at = " at byte " + std::to_string(e.byte);
  if (what.find("UTF-8") != std::string::npos) {
    return failure(ParseErrorKind::invalid_utf8, "ill-formed UTF-8" + at);
  }
  return failure(ParseErrorKind::not_json, "syntax error" + at);
}

Message parse_checked(std::string_view line, const ResponseShape& shape,
                      const ParseLimits& limits) {
  if (shape.leading_whitespace == line.size()) {
    return failure(ParseErrorKind::empty_line, "empty line");
  }
  if (shape.too_deep) {
    return failure(ParseErrorKind::too_deep,
                   "nesting deeper than " + std::to_string(limits.max_depth));
  }
  try {
    // Iterators, not a C string: embedded NULs must be seen as errors, not as the end.
    const Json value = Json::parse(line.begin(), line.end());
    return parse_value(value, limits);
  } catch (const Json::parse_error& e) {
    return from_parse_error(e);
  } catch (const Json::out_of_range&) {
    // A float literal beyond double's range (e.g. 1e400).
    return failure(ParseErrorKind::not_json, "number out of range");
  }
}

}  // namespace

std::string_view to_string(ParseErrorKind kind) {
  switch (kind) {
    case ParseErrorKind::empty_line:
      return "empty_line";
    case ParseErrorKind::not_json:
      return "not_json";
    case ParseErrorKind::invalid_utf8:
      return "invalid_utf8";
    case ParseErrorKind::too_deep:
      return "too_deep";
    case ParseErrorKind::not_object:
      return "not_object";
    case ParseErrorKind::invalid_message:
      return "invalid_message";
    case ParseErrorKind::empty_batch:
      return "empty_batch";
    case ParseErrorKind::batch_too_large:
      return "batch_too_large";
  }
  return "unknown";
}

namespace {

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// A cursor over the compact body of a line the shortcut may read; any surprise ends it.
class SimpleReader {
 public:
  explicit SimpleReader(std::string_view text) : text_(text) {}

  bool at_end() const { return at_ == text_.size(); }
  bool eat(char c) {
    if (at_ == text_.size() || text_[at_] != c) return false;
    ++at_;
    return true;
  }
  bool eat(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }
  // A string of printable ASCII without '"' or '\\' (so its JSON text is its value).
  bool plain_string(std::string_view& out) {
    if (!eat('"')) return false;
    std::size_t begin = at_;
    for (; at_ < text_.size(); ++at_) {
      char c = text_[at_];
      if (c == '"') {
        out = text_.substr(begin, at_ - begin);
        ++at_;
        return true;
      }
      if (c < 0x20 || c > 0x7e || c == '\\') return false;
    }
    return false;
  }
  // null, true, false, an integer of at most 18 digits (so it fits either type nlohmann picks:
  // unsigned when non-negative, signed when negative) or a plain string.
  bool scalar(Json& out) {
    if (eat("null")) {
      out = nullptr;
    } else if (eat("true")) {
      out = true;
    } else if (eat("false")) {
      out = false;
    } else if (at_ < text_.size() && text_[at_] == '"') {
      std::string_view text;
      if (!plain_string(text)) return false;
      out = std::string(text);
    } else {
      bool negative = eat('-');
      std::size_t begin = at_;
      std::uint64_t value = 0;
      while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') {
        value = value * 10 + static_cast<std::uint64_t>(text_[at_] - '0');
        ++at_;
      }
      std::size_t digits = at_ - begin;
      if (digits == 0 || digits > 18 || (digits > 1 && text_[begin] == '0')) return false;
      if (negative) {
        out = -static_cast<std::int64_t>(value);
      } else {
        out = value;
      }
    }
    // What follows a value here is ',', ']' or '}'; anything else ("1.5", "1e3", "nullx")
    // belongs to a value the shortcut does not read.
    return at_ < text_.size() && (text_[at_] == ',' || text_[at_] == ']' || text_[at_] == '}');
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

std::optional<ParsedLine> parse_simple_response(std::string_view line, const ParseLimits& limits) {
  std::size_t begin = 0;
  while (begin < line.size() && is_json_space(line[begin])) ++begin;
  std::size_t end = line.size();
  while (end > begin && is_json_space(line[end - 1])) --end;
  SimpleReader in(line.substr(begin, end - begin));
  if (!in.eat('{')) return std::nullopt;

  ParsedLine parsed{Response{}, ResponseShape{}};
  ResponseShape& shape = parsed.shape;
  Response& response = std::get<Response>(parsed.message);
  shape.leading_whitespace = begin;
  shape.trailing_whitespace = line.size() - end;
  shape.depth = 1;
  bool seen_jsonrpc = false;
  bool seen_result = false;
  bool seen_id = false;
  for (int key = 0; key < 3; ++key) {
    if (key > 0 && !in.eat(',')) return std::nullopt;
    std::string_view name;
    if (!in.plain_string(name) || !in.eat(':')) return std::nullopt;
    if (name == "jsonrpc" && !seen_jsonrpc) {
      seen_jsonrpc = true;
      if (!in.eat("\"2.0\"")) return std::nullopt;
    } else if (name == "id" && !seen_id) {
      seen_id = true;
      if (!in.scalar(response.id) || response.id.is_boolean()) return std::nullopt;
    } else if (name == "result" && !seen_result) {
      seen_result = true;
      Json result;
      if (in.eat('[')) {
        shape.depth = 2;
        result = Json::array();
        if (!in.eat(']')) {
          do {
            Json item;
            if (!in.scalar(item)) return std::nullopt;
            result.push_back(std::move(item));
          } while (in.eat(','));
          if (!in.eat(']')) return std::nullopt;
        }
      } else if (!in.scalar(result)) {
        return std::nullopt;
      }
      response.result = std::move(result);
    } else {
      return std::nullopt;
    }
    if (!shape.key_order.empty()) shape.key_order.push_back(',');
    shape.key_order.append(name);
  }
  if (!in.eat('}') || !in.at_end() || shape.depth > limits.max_depth) return std::nullopt;
  return parsed;
}

ParsedLine parse_line(std::string_view line, const ParseLimits& limits) {
  if (auto simple = parse_simple_response(line, limits)) return std::move(*simple);
  return parse_line_full(line, limits);
}

ParsedLine parse_line_full(std::string_view line, const ParseLimits& limits) {
  ParsedLine parsed{ParseFailure{}, scan_shape(line, limits.max_depth)};
  try {
    parsed.message = parse_checked(line, parsed.shape, limits);
  } catch (const std::exception&) {
    // Nothing above should throw for any input; if a library surprise does, the peer's bytes
    // still must not take the process down. std::bad_alloc lands here too.
    parsed.message = failure(ParseErrorKind::not_json, "unexpected parser exception");
  }
  return parsed;
}

}  // namespace eo::electrum
