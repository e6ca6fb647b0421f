// libFuzzer target for Tor control-port replies (common/net/tor_reply): the bytes tor's control
// port sends back, framed in fuzzer-chosen chunks as TorControl reads them, then every value
// parser run over the reply's lines (GETINFO values, circuit-status, stream-status, ns/id,
// PROTOCOLINFO).
//
// Input layout: byte 0 seeds the chunk sizes, the rest is the stream. Checked on every input: no
// crash or sanitizer report; chunked framing gives the one-shot result (state, status, lines,
// bytes left for the next reply); no prefix of a complete reply is refused; the bounds hold; the
// parsers return only what the lines hold (non-empty hops, an exit fingerprint without its
// nickname, a non-empty cookie path).
#include "common/net/tor_reply.h"
#include "tests/fuzz/fuzz_check.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace eo::net;
using State = TorReplyReader::State;

struct Result {
  State state;
  int status;
  std::vector<std::string> lines;
  std::string rest;
  bool operator==(const Result&) const = default;
};

Result read_whole(std::string_view stream) {
  std::string buffer(stream);
  TorReplyReader reader;
  reader.read(buffer);
  return {reader.state(), reader.status(), reader.lines(), buffer};
}

void check_values(const std::vector<std::string>& lines) {
  for (const auto& line : lines) {
    if (const auto circuit = parse_circuit(line)) {
      FUZZ_CHECK(!circuit->id.empty() && !circuit->status.empty());
      for (const auto& hop : circuit->path) FUZZ_CHECK(!hop.empty() && hop.find(',') == hop.npos);
    }
  }
  for (const auto& value : getinfo_values(lines, "circuit-status")) FUZZ_CHECK(!value.empty());
  const std::optional<socks5::Credentials> socks =
      lines.empty() ? std::nullopt : std::optional(socks5::Credentials{lines[0], ""});
  for (const auto& line : lines) {
    const auto exit = exit_of_stream(lines, lines, line, socks);
    if (exit) FUZZ_CHECK(exit->fingerprint.find_first_of("~=") == std::string::npos);
  }
  if (const auto address = address_of_router(lines)) FUZZ_CHECK(!address->empty());
  const TorAuthMethods auth = auth_methods(lines);
  if (auth.cookie_file) FUZZ_CHECK(!auth.cookie_file->empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::uint32_t rng = 0x9e3779b9u ^ (static_cast<std::uint32_t>(data[0]) * 0x01000193u);
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);

  std::string buffer;
  TorReplyReader chunked;
  std::size_t fed = 0;
  while (chunked.state() == State::more && fed < stream.size()) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    const std::size_t n = std::min<std::size_t>(1 + rng % 97, stream.size() - fed);
    buffer.append(stream.substr(fed, n));
    fed += n;
    chunked.read(buffer);
    FUZZ_CHECK(chunked.lines().size() <= tor_max_lines);
  }
  buffer.append(stream.substr(fed));
  const Result whole = read_whole(stream);
  FUZZ_CHECK(whole == (Result{chunked.state(), chunked.status(), chunked.lines(), buffer}));
  if (whole.state != State::done) {
    FUZZ_CHECK(whole.status == 0);
    return 0;
  }
  FUZZ_CHECK(whole.status >= 0 && whole.status <= 999);
  // A complete reply's every prefix is only incomplete: nothing refuses a reply before the bytes
  // that make it wrong have arrived.
  const std::size_t used = stream.size() - whole.rest.size();
  for (std::size_t cut = 0; cut < used; cut += 1 + cut / 8) {
    FUZZ_CHECK(read_whole(stream.substr(0, cut)).state == State::more);
  }
  check_values(whole.lines);
  return 0;
}
