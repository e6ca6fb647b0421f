#include "aggregator/differential/subnet.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace eo::aggregator::differential {

std::string subnet_of(const std::string& ip) {
  std::array<unsigned char, 16> bytes{};
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_pton(AF_INET, ip.c_str(), bytes.data()) == 1) {
    bytes[3] = 0;
    inet_ntop(AF_INET, bytes.data(), text, sizeof text);
    return std::string(text) + "/24";
  }
  if (inet_pton(AF_INET6, ip.c_str(), bytes.data()) == 1) {
    std::fill(bytes.begin() + 6, bytes.end(), 0);
    inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
    return std::string(text) + "/48";
  }
  return "";
}

bool is_public(const std::string& ip) {
  std::array<unsigned char, 16> b{};
  if (inet_pton(AF_INET, ip.c_str(), b.data()) == 1) {
    return !(b[0] == 0 || b[0] == 10 || b[0] == 127 || (b[0] == 169 && b[1] == 254) ||
             (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168));
  }
  if (inet_pton(AF_INET6, ip.c_str(), b.data()) == 1) {
    bool zero_prefix = std::all_of(b.begin(), b.begin() + 15, [](auto x) { return x == 0; });
    return !(zero_prefix && b[15] <= 1) && (b[0] & 0xfe) != 0xfc &&
           !(b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
  }
  return false;
}

}  // namespace eo::aggregator::differential
