// A bounded parser of HTTP/1.1 requests as JSON-RPC clients of Bitcoin Core send them (POST with
// Content-Length, keep-alive). Pure: bytes in, a request or the HTTP status to refuse them with
// out; never throws, never reads past the limits.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eo::honeypot::node {

struct HttpLimits {
  std::size_t max_head_bytes = 16 * 1024;  // request line and headers
  std::size_t max_headers = 64;
  std::size_t max_body_bytes = 32u << 20;  // Core's MAX_SIZE: a block of batched requests
};

struct HttpRequest {
  std::string method;
  std::string target;
  std::string version;                                       // "HTTP/1.0" or "HTTP/1.1"
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
  std::string body;
  bool keep_alive = true;

  // The first header of that name (ASCII case-insensitive); nullptr if absent.
  const std::string* header(std::string_view name) const;
};

struct HttpParse {
  enum class Status { incomplete, complete, error };
  Status status = Status::incomplete;
  HttpRequest request;       // when complete
  std::size_t consumed = 0;  // bytes of the buffer the complete request used
  int error_status = 0;      // when error: 400, 411, 413, 431, 501 or 505
  std::string error;         // when error: what was wrong, for the log
};

// Parses the request at the start of `buffer`. Incomplete while its head or body has not fully
// arrived (the caller reads more, never more than limits allow); a complete request leaves
// `consumed` bytes to drop before the next one on the connection.
HttpParse parse_http_request(std::string_view buffer, const HttpLimits& limits = {});

}  // namespace eo::honeypot::node
