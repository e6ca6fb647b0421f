// libFuzzer target for eo_jsonrpc: peer bytes through LineFramer in fuzzer-chosen chunks, every
// line through parse_line, every parsed message back through the serializers.
//
// Input layout: byte 0 picks the line limit and overflow policy, byte 1 seeds the chunk sizes, the
// rest is the stream. Checked on every input: no crash or sanitizer report; chunked framing equals
// one-shot framing; buffered bytes stay within limit + 1 + chunk; lines respect the limit; failure
// details and shapes stay printable; whatever parses re-serializes in each style and parses back
// equal.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "common/electrum/ids.h"
#include "common/electrum/line_framer.h"
#include "common/electrum/message.h"
#include "common/electrum/request.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace eo::electrum;

struct Rec {
  std::string text;
  bool crlf;
  bool oversize;
  bool operator==(const Rec&) const = default;
};

bool printable(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return false;
  }
  return true;
}

constexpr LineStyle kStyles[] = {LineStyle::electrumx(), LineStyle::fulcrum(),
                                 LineStyle::electrs()};

// Parses a line we serialized ourselves: it must frame as one line and parse without failure.
Message reparse(const std::string& line, const LineStyle& style) {
  LineFramer framer(line.size(), OverflowPolicy::stop);
  framer.feed(line);
  const auto framed = framer.next_line();
  FUZZ_CHECK(framed && framed->crlf == style.crlf && !framer.next_line());
  const ParsedLine parsed = parse_line(framed->text);
  FUZZ_CHECK(parsed.shape.compact);
  return parsed.message;
}

void round_trip(const BatchElement& element) {
  for (const LineStyle& style : kStyles) {
    if (const auto* r = std::get_if<Response>(&element)) {
      const std::string line =
          r->result ? make_result(r->id, *r->result, style)
                    : make_error(r->id, r->error->code, r->error->message, style, r->error->data);
      const Message back = reparse(line, style);
      FUZZ_CHECK(std::holds_alternative<Response>(back) && std::get<Response>(back) == *r);
    } else if (const auto* n = std::get_if<Notification>(&element)) {
      const Message back = reparse(make_notification(n->method, n->params, style), style);
      FUZZ_CHECK(std::holds_alternative<Notification>(back) && std::get<Notification>(back) == *n);
    } else if (const auto* q = std::get_if<Request>(&element)) {
      const Message back = reparse(make_request(q->id, q->method, q->params, style), style);
      FUZZ_CHECK(std::holds_alternative<Request>(back) && std::get<Request>(back) == *q);
    }
  }
}

void check_failure(const ParseFailure& f) {
  FUZZ_CHECK(printable(f.detail));
  FUZZ_CHECK(!to_string(f.kind).empty());
}

void check_line(std::string_view text, IdTable<int>& ids) {
  const ParseLimits limits;
  const ParsedLine parsed = parse_line(text, limits);
  FUZZ_CHECK(printable(parsed.shape.key_order));
  FUZZ_CHECK(parsed.shape.depth <= limits.max_depth + 1);
  FUZZ_CHECK(parsed.shape.leading_whitespace + parsed.shape.trailing_whitespace <= text.size());
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, ParseFailure>) {
          check_failure(m);
        } else if constexpr (std::is_same_v<T, Batch>) {
          FUZZ_CHECK(!m.elements.empty() && m.elements.size() <= limits.max_batch);
          for (const BatchElement& e : m.elements) {
            if (const auto* f = std::get_if<ParseFailure>(&e)) check_failure(*f);
            if (const auto* r = std::get_if<Response>(&e)) ids.take(r->id);
            round_trip(e);
          }
        } else {
          if constexpr (std::is_same_v<T, Response>) {
            FUZZ_CHECK(m.result.has_value() != m.error.has_value());
            ids.take(m.id);
          }
          round_trip(BatchElement(m));
        }
      },
      parsed.message);
}

std::size_t pick_limit(std::uint8_t b) {
  constexpr std::size_t kLimits[] = {0, 1, 2, 16, 64, 256, 4096, 1 << 20};
  return kLimits[b & 7];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t max = pick_limit(data[0]);
  const OverflowPolicy policy =
      (data[0] & 0x80) ? OverflowPolicy::discard_until_newline : OverflowPolicy::stop;
  std::uint32_t rng = 0x9e3779b9u ^ (static_cast<std::uint32_t>(data[1]) * 0x01000193u);
  const std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);

  LineFramer chunked(max, policy);
  std::vector<Rec> lines;
  IdTable<int> ids;
  for (int i = 0; i < 8; ++i) ids.allocate(i);
  std::size_t pos = 0;
  while (pos < stream.size()) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    const std::size_t n = std::min<std::size_t>(1 + rng % 97, stream.size() - pos);
    chunked.feed(stream.substr(pos, n));
    pos += n;
    FUZZ_CHECK(chunked.buffered_bytes() <= max + 1 + n);
    while (const auto line = chunked.next_line()) {
      FUZZ_CHECK(line->text.size() <= max);
      FUZZ_CHECK(!line->oversize || line->text.empty());
      FUZZ_CHECK(!line->oversize || policy == OverflowPolicy::discard_until_newline);
      lines.push_back(Rec{std::string(line->text), line->crlf, line->oversize});
      if (!line->oversize) check_line(line->text, ids);
    }
  }

  LineFramer whole(max, policy);
  whole.feed(stream);
  std::vector<Rec> whole_lines;
  while (const auto line = whole.next_line()) {
    whole_lines.push_back(Rec{std::string(line->text), line->crlf, line->oversize});
  }
  FUZZ_CHECK(lines == whole_lines);
  FUZZ_CHECK(chunked.overflowed() == whole.overflowed());
  FUZZ_CHECK(chunked.discarding() == whole.discarding());
  FUZZ_CHECK(chunked.partial_bytes() == whole.partial_bytes());
  FUZZ_CHECK(chunked.oversize_lines() == whole.oversize_lines());
  FUZZ_CHECK(chunked.dropped_bytes() == whole.dropped_bytes());
  FUZZ_CHECK(chunked.overflowed() || chunked.discarding() || chunked.partial_bytes() <= max + 1);
  return 0;
}
