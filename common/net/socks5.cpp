// SOCKS5 encoding: byte layouts from RFC 1928/1929.
#include "common/net/socks5.h"

#include <boost/asio/ip/address.hpp>

namespace eo::net::socks5 {

namespace {
constexpr std::uint8_t kVersion = 5;
constexpr std::uint8_t kNoAuth = 0x00;
constexpr std::uint8_t kUserPass = 0x02;
constexpr std::uint8_t kConnect = 0x01;
constexpr std::uint8_t kAtypIpv4 = 0x01;
constexpr std::uint8_t kAtypDomain = 0x03;
constexpr std::uint8_t kAtypIpv6 = 0x04;
}  // namespace

Bytes encode_greeting(bool with_credentials) {
  return {kVersion, 1, with_credentials ? kUserPass : kNoAuth};
}

std::optional<Bytes> encode_auth(const Credentials& credentials) {
  if (credentials.username.empty() || credentials.username.size() > 255 ||
      credentials.password.size() > 255) {
    return std::nullopt;
  }
  Bytes out{1, static_cast<std::uint8_t>(credentials.username.size())};
  out.insert(out.end(), credentials.username.begin(), credentials.username.end());
  out.push_back(static_cast<std::uint8_t>(credentials.password.size()));
  out.insert(out.end(), credentials.password.begin(), credentials.password.end());
  return out;
}

std::optional<Bytes> encode_connect(std::string_view host, std::uint16_t port) {
  Bytes out{kVersion, kConnect, 0};
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(host), ec);
  if (!ec && address.is_v4()) {
    out.push_back(kAtypIpv4);
    auto bytes = address.to_v4().to_bytes();
    out.insert(out.end(), bytes.begin(), bytes.end());
  } else if (!ec && address.is_v6()) {
    out.push_back(kAtypIpv6);
    auto bytes = address.to_v6().to_bytes();
    out.insert(out.end(), bytes.begin(), bytes.end());
  } else {
    if (host.empty() || host.size() > 255) return std::nullopt;
    out.push_back(kAtypDomain);
    out.push_back(static_cast<std::uint8_t>(host.size()));
    out.insert(out.end(), host.begin(), host.end());
  }
  out.push_back(static_cast<std::uint8_t>(port >> 8));
  out.push_back(static_cast<std::uint8_t>(port & 0xff));
  return out;
}

std::string_view reply_name(std::uint8_t code) {
  switch (code) {
    case 0:
      return "succeeded";
    case 1:
      return "socks5_general_failure";
    case 2:
      return "socks5_not_allowed";
    case 3:
      return "socks5_network_unreachable";
    case 4:
      return "socks5_host_unreachable";
    case 5:
      return "socks5_connection_refused";
    case 6:
      return "socks5_ttl_expired";
    case 7:
      return "socks5_command_not_supported";
    case 8:
      return "socks5_address_type_not_supported";
    default:
      return "socks5_unknown_reply";
  }
}

std::optional<std::size_t> connect_reply_length(const std::uint8_t* first5) {
  if (first5[0] != kVersion) return std::nullopt;
  switch (first5[3]) {
    case kAtypIpv4:
      return 4 + 4 + 2;
    case kAtypIpv6:
      return 4 + 16 + 2;
    case kAtypDomain:
      return 4 + 1 + std::size_t{first5[4]} + 2;
    default:
      return std::nullopt;
  }
}

}  // namespace eo::net::socks5
