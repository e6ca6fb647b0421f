// Peer addresses as values: IPv4/IPv6 parsing, CIDR subnets (rule matches, per-IP exemptions)
// and ElectrumX's subnet groups (/24 for IPv4, /48 for IPv6) for shared cost accounting.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eo::honeypot::server {

struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first 4 bytes

  // "192.0.2.1", "2001:db8::1"; an IPv4-mapped IPv6 address ("::ffff:192.0.2.1") reads as IPv4.
  static std::optional<IpAddress> parse(std::string_view text);
  std::string to_string() const;

  bool is_loopback() const;
  bool is_private() const;  // RFC 1918, link-local, unique-local (ElectrumX gives them no group)

  bool operator==(const IpAddress&) const = default;
};

struct Cidr {
  IpAddress network;
  int prefix = 0;  // bits

  // "10.0.0.0/8", "2001:db8::/32"; a bare address is a /32 or /128.
  static std::optional<Cidr> parse(std::string_view text);
  bool contains(const IpAddress& address) const;
  std::string to_string() const;
};

// "198.51.100.0/24" or "2001:db8:1::/48"; empty for loopback and private peers, which ElectrumX
// leaves out of groups (a local Tor service makes every onion client look like 127.0.0.1).
std::string subnet_group(const IpAddress& address);

}  // namespace eo::honeypot::server
