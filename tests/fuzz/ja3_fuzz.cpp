// libFuzzer target for the TLS ClientHello reader behind JA3 (honeypot/server/ja3): the first
// bytes a client sends to the honeypot's TLS port, handed to OpenSSL as the server reads them;
// read_client_hello runs in the client hello callback, as in tls_context.cpp, then the handshake
// stops (no certificate needed).
//
// Checked on every input: no crash or sanitizer report; a captured hello gives a JA3 string of
// five comma-separated fields of '-'-joined decimals, starting with its version and free of
// GREASE values, and a 32-hex-digit hash; the groups and point-format readers, on the raw bytes
// too, never return more than the declared or the given length allows.
#include "honeypot/server/ja3.h"
#include "tests/fuzz/fuzz_check.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

namespace {

using namespace eo::honeypot::server;

int on_hello(SSL* ssl, int* /*alert*/, void* /*arg*/) {
  read_client_hello(ssl, *static_cast<ClientHello*>(SSL_get_app_data(ssl)));
  return SSL_CLIENT_HELLO_ERROR;
}

void check_ja3(const ClientHello& hello) {
  const std::string ja3 = ja3_string(hello);
  FUZZ_CHECK(std::count(ja3.begin(), ja3.end(), ',') == 4);
  FUZZ_CHECK(ja3.starts_with(std::to_string(hello.version) + ","));
  std::string number;
  for (const char c : ja3 + ",") {
    if (c >= '0' && c <= '9') {
      number.push_back(c);
      continue;
    }
    FUZZ_CHECK(c == ',' || c == '-');
    FUZZ_CHECK(number.size() <= 5);
    if (c == '-') FUZZ_CHECK(!number.empty());
    if (!number.empty() && number != std::to_string(hello.version)) {
      FUZZ_CHECK(!is_grease(static_cast<std::uint16_t>(std::stoul(number))));
    }
    number.clear();
  }
  const std::string hash = ja3_hash(ja3);
  FUZZ_CHECK(hash.size() == 32 && hash.find_first_not_of("0123456789abcdef") == std::string::npos);
}

void check_extension_readers(const std::uint8_t* data, std::size_t size) {
  const auto groups = parse_supported_groups(data, size);
  if (size < 2) {
    FUZZ_CHECK(groups.empty());
  } else {
    FUZZ_CHECK(groups.size() <= (size - 2) / 2);
    FUZZ_CHECK(groups.size() <= ((std::size_t{data[0]} << 8) | data[1]) / 2);
  }
  const auto formats = parse_point_formats(data, size);
  if (size < 1) {
    FUZZ_CHECK(formats.empty());
  } else {
    FUZZ_CHECK(formats.size() <= size - 1 && formats.size() <= data[0]);
    FUZZ_CHECK(std::equal(formats.begin(), formats.end(), data + 1));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static SSL_CTX* const context = [] {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_client_hello_cb(ctx, &on_hello, nullptr);
    return ctx;
  }();
  check_extension_readers(data, size);

  ClientHello hello;
  SSL* ssl = SSL_new(context);
  SSL_set_app_data(ssl, &hello);
  BIO* in = BIO_new_mem_buf(data, static_cast<int>(size));
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl, in, out);
  SSL_accept(ssl);
  SSL_free(ssl);
  ERR_clear_error();
  if (hello.captured) check_ja3(hello);
  return 0;
}
