// SOCKS5 (RFC 1928, RFC 1929 username/password) message encoding and reply parsing. Pure code:
// the Connection drives the exchange. Names are always sent as domain names so that a proxy such
// as Tor resolves them (".onion" must never be resolved locally).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eo::net::socks5 {

using Bytes = std::vector<std::uint8_t>;

struct Credentials {
  std::string username;  // Tor isolates streams per distinct credentials
  std::string password;
};

// Greeting: offers username/password only when credentials are set, else "no authentication".
Bytes encode_greeting(bool with_credentials);
// RFC 1929 sub-negotiation; nullopt when a field exceeds 255 bytes.
std::optional<Bytes> encode_auth(const Credentials& credentials);
// CONNECT request: an IPv4/IPv6 literal goes as an address, anything else as a domain name.
std::optional<Bytes> encode_connect(std::string_view host, std::uint16_t port);

// The proxy's reply codes (RFC 1928 §6).
enum class Reply : std::uint8_t {
  succeeded = 0,
  general_failure = 1,
  not_allowed = 2,
  network_unreachable = 3,
  host_unreachable = 4,
  connection_refused = 5,
  ttl_expired = 6,
  command_not_supported = 7,
  address_type_not_supported = 8,
};

std::string_view reply_name(std::uint8_t code);

// Length of the whole CONNECT reply given its first 5 bytes (VER REP RSV ATYP + first address
// byte), or nullopt when those bytes are malformed.
std::optional<std::size_t> connect_reply_length(const std::uint8_t* first5);

}  // namespace eo::net::socks5
