// The subnet an address belongs to in the sense servers limit by: /24 for IPv4, /48 for IPv6
// (ElectrumX groups session costs so). Shared by the differential analysis (our own vantages in
// one subnet) and operator clustering (servers in one subnet).
#pragma once

#include <string>

namespace eo::aggregator::differential {

// "198.51.100.0/24", "2001:db8:1::/48"; "" when `ip` is not an address.
std::string subnet_of(const std::string& ip);

// Loopback, private (RFC 1918, fc00::/7), link-local and unspecified addresses say nothing about
// who runs a server: many unrelated hosts resolve to them.
bool is_public(const std::string& ip);

}  // namespace eo::aggregator::differential
