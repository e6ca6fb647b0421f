// Peer addresses as values: parsing, CIDR matching and ElectrumX subnet groups.
#include "honeypot/server/net_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace eo::honeypot::server {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string s(text);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
  static constexpr std::array<std::uint8_t, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped.begin(), kMapped.end(), a.bytes.begin())) {
    std::copy_n(a.bytes.begin() + 12, 4, a.bytes.begin());
    std::fill(a.bytes.begin() + 4, a.bytes.end(), std::uint8_t{0});
    return a;
  }
  a.v6 = true;
  return a;
}

std::string IpAddress::to_string() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buffer, sizeof buffer);
  return buffer;
}

bool IpAddress::is_loopback() const {
  if (!v6) return bytes[0] == 127;
  return std::all_of(bytes.begin(), bytes.begin() + 15, [](auto b) { return b == 0; }) &&
         bytes[15] == 1;
}

bool IpAddress::is_private() const {
  if (!v6) {
    return bytes[0] == 10 || (bytes[0] == 172 && (bytes[1] & 0xf0) == 16) ||
           (bytes[0] == 192 && bytes[1] == 168) || (bytes[0] == 169 && bytes[1] == 254);
  }
  return (bytes[0] & 0xfe) == 0xfc || (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80);
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  const int max_bits = address->v6 ? 128 : 32;
  int prefix = max_bits;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (ec != std::errc() || end != digits.data() + digits.size() || prefix < 0 ||
        prefix > max_bits) {
      return std::nullopt;
    }
  }
  Cidr cidr{*address, prefix};
  // Clear host bits so that to_string() and contains() agree.
  for (int bit = prefix; bit < max_bits; ++bit) {
    cidr.network.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
  }
  return cidr;
}

bool Cidr::contains(const IpAddress& address) const {
  if (address.v6 != network.v6) return false;
  const int whole = prefix / 8;
  if (!std::equal(network.bytes.begin(), network.bytes.begin() + whole, address.bytes.begin())) {
    return false;
  }
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (network.bytes[whole] & mask) == (address.bytes[whole] & mask);
}

std::string Cidr::to_string() const { return network.to_string() + "/" + std::to_string(prefix); }

std::string subnet_group(const IpAddress& address) {
  if (address.is_loopback() || address.is_private()) return {};
  const std::string text = address.to_string() + (address.v6 ? "/48" : "/24");
  if (auto cidr = Cidr::parse(text)) return cidr->to_string();
  return {};
}

}  // namespace eo::honeypot::server
