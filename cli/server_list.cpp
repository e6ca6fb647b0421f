// Server list parsing.
#include "cli/server_list.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <fstream>
#include <stdexcept>

namespace eo::cli {

std::string ServerAddress::id() const {
  bool v6 = host.find(':') != std::string::npos;
  return std::string(tls ? "tls://" : "tcp://") + (v6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

bool ServerAddress::onion() const {
  return host.size() > 6 && host.compare(host.size() - 6, 6, ".onion") == 0;
}

namespace {

std::uint16_t parse_port(std::string_view text, std::string_view whole) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    throw std::invalid_argument("bad port in server '" + std::string(whole) +
                                "' (expected host:port:t or host:port:s)");
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

ServerAddress parse_server_address(std::string_view text) {
  auto bad = [&] {
    return std::invalid_argument("bad server '" + std::string(text) +
                                 "': expected host:port:t (TCP) or host:port:s (TLS)");
  };
  auto last = text.rfind(':');
  if (last == std::string_view::npos || last + 2 != text.size()) throw bad();
  char kind = text.back();
  if (kind != 't' && kind != 's') throw bad();
  std::string_view rest = text.substr(0, last);
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) throw bad();
  ServerAddress address;
  address.host = std::string(rest.substr(0, colon));
  if (address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  address.port = parse_port(rest.substr(colon + 1), text);
  address.tls = kind == 's';
  return address;
}

std::vector<ServerAddress> read_servers_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read server list " + path);
  auto document = nlohmann::json::parse(in, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    throw std::runtime_error("server list " + path + " is not a JSON object of hosts");
  }
  std::vector<ServerAddress> servers;
  for (const auto& [host, entry] : document.items()) {
    if (!entry.is_object()) continue;
    for (const char* kind : {"s", "t"}) {
      if (!entry.contains(kind)) continue;
      const auto& port = entry[kind];
      std::string port_text = port.is_string() ? port.get<std::string>() : port.dump();
      servers.push_back({host, parse_port(port_text, host + ":" + port_text), kind[0] == 's'});
    }
  }
  return servers;
}

}  // namespace eo::cli
