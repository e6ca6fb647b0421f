// The head is parsed afresh on every call: it is at most max_head_bytes, and the caller calls
// again only when bytes arrived, so the work stays linear in what the peer sent.
#include "honeypot/node/http_request.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace eo::honeypot::node {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 token characters, for methods and header names.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

HttpParse fail(int status, std::string why) {
  HttpParse out;
  out.status = HttpParse::Status::error;
  out.error_status = status;
  out.error = std::move(why);
  return out;
}

// Splits off one line ending in CRLF (a bare LF is accepted, as most servers do).
bool next_line(std::string_view& rest, std::string_view& line) {
  const auto lf = rest.find('\n');
  if (lf == std::string_view::npos) return false;
  line = rest.substr(0, lf);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  rest.remove_prefix(lf + 1);
  return true;
}

}  // namespace

const std::string* HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return &value;
  }
  return nullptr;
}

HttpParse parse_http_request(std::string_view buffer, const HttpLimits& limits) {
  // Leading empty lines are tolerated before a request line (RFC 9112 section 2.2).
  std::size_t start = 0;
  while (start < buffer.size() && (buffer[start] == '\r' || buffer[start] == '\n')) ++start;
  if (start > 8) return fail(400, "empty lines before the request line");
  const std::string_view from = buffer.substr(start);
  auto head_end = from.find("\r\n\r\n");
  std::size_t separator = 4;
  if (const auto lflf = from.find("\n\n");
      lflf != std::string_view::npos && (head_end == std::string_view::npos || lflf < head_end)) {
    head_end = lflf;
    separator = 2;
  }
  if (head_end == std::string_view::npos) {
    // The separator may still come after max_head_bytes of head.
    if (from.size() > limits.max_head_bytes + 4) return fail(431, "request head over the limit");
    return {};
  }
  if (head_end > limits.max_head_bytes) return fail(431, "request head over the limit");

  std::string_view rest = from.substr(0, head_end + separator);
  std::string_view line;
  next_line(rest, line);
  HttpParse out;
  HttpRequest& request = out.request;
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return fail(400, "malformed request line");
  }
  request.method = std::string(line.substr(0, sp1));
  request.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  request.version = std::string(line.substr(sp2 + 1));
  if (!is_token(request.method) || request.target.empty() || has_control(request.target)) {
    return fail(400, "malformed request line");
  }
  if (request.version != "HTTP/1.1" && request.version != "HTTP/1.0") {
    return fail(505, "HTTP version not supported");
  }

  while (next_line(rest, line) && !line.empty()) {
    if (request.headers.size() == limits.max_headers) return fail(431, "too many headers");
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
      return fail(400, "malformed header line");
    }
    const std::string_view value = trim(line.substr(colon + 1));
    if (has_control(value)) return fail(400, "control character in a header value");
    request.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }

  if (request.header("Transfer-Encoding")) return fail(501, "chunked bodies are not supported");
  std::size_t length = 0;
  if (const std::string* value = request.header("Content-Length")) {
    const char* first = value->data();
    const char* last = first + value->size();
    const auto [end, ec] = std::from_chars(first, last, length);
    if (ec != std::errc{} || end != last || value->empty()) {
      return fail(ec == std::errc::result_out_of_range ? 413 : 400, "bad Content-Length");
    }
  } else if (request.method == "POST") {
    return fail(411, "POST without Content-Length");
  }
  if (length > limits.max_body_bytes) return fail(413, "body over the limit");

  const std::size_t body_start = start + head_end + separator;
  if (buffer.size() - body_start < length) return {};
  request.body = std::string(buffer.substr(body_start, length));
  const std::string* connection = request.header("Connection");
  request.keep_alive = request.version == "HTTP/1.1"
                           ? !(connection && iequals(*connection, "close"))
                           : connection && iequals(*connection, "keep-alive");
  out.status = HttpParse::Status::complete;
  out.consumed = body_start + length;
  return out;
}

}  // namespace eo::honeypot::node
