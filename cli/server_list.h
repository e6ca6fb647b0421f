// Parsing of server lists: Electrum's "host:port:t|s" notation and its servers.json file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eo::cli {

struct ServerAddress {
  std::string host;
  std::uint16_t port = 0;
  bool tls = false;

  // "tcp://host:port" or "tls://host:port": the stable target id of the proto contract.
  std::string id() const;
  bool onion() const;
};

// Parses "host:port:t" or "host:port:s" (IPv6 hosts in brackets). Throws std::invalid_argument
// naming the bad text.
ServerAddress parse_server_address(std::string_view text);

// Reads Electrum's servers.json ({"host": {"t": "50001", "s": "50002", ...}, ...}): one entry per
// advertised port, TLS first. Throws std::runtime_error naming the file on a bad file.
std::vector<ServerAddress> read_servers_json(const std::string& path);

}  // namespace eo::cli
