// Pseudonymizes peer IPs: the hex HMAC-SHA256 of the IP under a secret salt, so that one IP's
// events link together without the IP itself being stored.
#pragma once

#include <string>
#include <string_view>

namespace eo::honeypot::server {

// 64 lowercase hex chars. The same (salt, ip) always gives the same pseudonym; without the salt
// the IP cannot be recovered by trying all 2^32 IPv4 addresses.
std::string ip_pseudonym(std::string_view salt, std::string_view ip);

}  // namespace eo::honeypot::server
