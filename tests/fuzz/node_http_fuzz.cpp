// libFuzzer target for the node's HTTP request parser (honeypot/node/http_request): the bytes a
// JSON-RPC client sends, parsed as a server reads them, in fuzzer-chosen prefixes.
//
// Input layout: byte 0 picks small or default limits, the rest is the stream. Checked on every
// input: no crash or sanitizer report; a prefix of a complete request is never an error (a
// request only fails on bytes it has seen); a complete request consumed no more than it was
// given, its body has the declared length, and the limits hold; after a complete request the
// remainder parses on its own.
#include "honeypot/node/http_request.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

using namespace eo::honeypot::node;

void check_complete(const HttpParse& parsed, std::string_view input, const HttpLimits& limits) {
  FUZZ_CHECK(parsed.consumed <= input.size());
  FUZZ_CHECK(parsed.request.body.size() <= limits.max_body_bytes);
  FUZZ_CHECK(parsed.request.headers.size() <= limits.max_headers);
  FUZZ_CHECK(input.substr(parsed.consumed - parsed.request.body.size(),
                          parsed.request.body.size()) == parsed.request.body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  HttpLimits limits;
  if (data[0] & 1) {
    limits.max_head_bytes = 256;
    limits.max_headers = 4;
    limits.max_body_bytes = 64;
  }
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const HttpParse whole = parse_http_request(input, limits);
  if (whole.status == HttpParse::Status::error) {
    FUZZ_CHECK(whole.error_status >= 400 && whole.error_status < 600);
    FUZZ_CHECK(!whole.error.empty());
    return 0;
  }
  if (whole.status == HttpParse::Status::incomplete) return 0;
  check_complete(whole, input, limits);
  // Every strict prefix of a complete request is incomplete: nothing refuses a request before
  // the bytes that make it wrong have arrived.
  for (std::size_t cut = 0; cut < whole.consumed; cut += 1 + cut / 8) {
    FUZZ_CHECK(parse_http_request(input.substr(0, cut), limits).status ==
               HttpParse::Status::incomplete);
  }
  const HttpParse next = parse_http_request(input.substr(whole.consumed), limits);
  if (next.status == HttpParse::Status::complete) {
    check_complete(next, input.substr(whole.consumed), limits);
  }
  return 0;
}
