// libFuzzer target for SOCKS5 (common/net/socks5): the replies a proxy sends (Tor's SOCKS port, a
// Dante, or a hostile one), read as Connection::socks5_handshake reads them: the 5-byte head,
// then the rest of the CONNECT reply into a fixed 262-byte buffer.
//
// Input layout: byte 0 chooses reply bytes or a target to encode; the rest is the reply, or the
// port (2 bytes) and host. Checked on every input: no crash or sanitizer report; a reply length
// is never below the 5 bytes already read nor above the handshake's buffer; reply_name names
// every code; our CONNECT request (which lays out the address like a reply) measures its own
// length, and the RFC 1929 message carries both fields with their lengths.
#include "common/net/socks5.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace eo::net;

constexpr std::size_t kReplyBuffer = 4 + 255 + 2 + 1;  // connection.cpp's `reply`

void check_reply(const std::uint8_t* data, std::size_t size) {
  if (size < 5) return;
  const auto length = socks5::connect_reply_length(data);
  if (!length) return;
  FUZZ_CHECK(data[0] == 5);
  FUZZ_CHECK(*length >= 5 && *length <= kReplyBuffer);
  FUZZ_CHECK(!socks5::reply_name(data[1]).empty());
}

void check_encoding(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return;
  const auto port = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
  const std::string host(reinterpret_cast<const char*>(data) + 2, size - 2);
  if (const auto request = socks5::encode_connect(host, port)) {
    FUZZ_CHECK(request->size() >= 5 + 2);
    FUZZ_CHECK(socks5::connect_reply_length(request->data()) == request->size());
    FUZZ_CHECK((*request)[request->size() - 2] == data[0] &&
               (*request)[request->size() - 1] == data[1]);
  } else {
    FUZZ_CHECK(host.empty() || host.size() > 255);
  }
  const std::size_t split = host.empty() ? 0 : static_cast<std::uint8_t>(host[0]) % host.size();
  const socks5::Credentials credentials{host.substr(0, split), host.substr(split)};
  if (const auto auth = socks5::encode_auth(credentials)) {
    FUZZ_CHECK(auth->size() == 3 + host.size());
    FUZZ_CHECK((*auth)[0] == 1 && (*auth)[1] == credentials.username.size());
    FUZZ_CHECK((*auth)[2 + credentials.username.size()] == credentials.password.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  if (data[0] & 1) {
    check_encoding(data + 1, size - 1);
  } else {
    check_reply(data + 1, size - 1);
  }
  return 0;
}
