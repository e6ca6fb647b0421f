// Target list parsing. A small parser of its own: components never depend on cli/.
#include "coordinator/targets/target_list.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace eo::coordinator {

namespace {

std::uint16_t parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    return 0;
  }
  return static_cast<std::uint16_t>(value);
}

// Hosts end up in task ids and ids use '|' and '#' as separators: keep hosts to the characters
// DNS names, IP literals and onion addresses use.
bool valid_host(std::string_view host) {
  if (host.empty()) return false;
  return std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':';
  });
}

store::Target make_target(std::string host, std::uint16_t port, bool tls,
                          const std::string& provenance) {
  store::Target target;
  target.id = target_id(host, port, tls);
  target.onion = is_onion(host);
  target.host = std::move(host);
  target.port = port;
  target.transport = tls ? "tls" : "tcp";
  target.provenance.push_back(provenance);
  return target;
}

}  // namespace

std::string target_id(std::string_view host, std::uint16_t port, bool tls) {
  bool v6 = host.find(':') != std::string_view::npos;
  std::string shown = v6 ? "[" + std::string(host) + "]" : std::string(host);
  return std::string(tls ? "tls://" : "tcp://") + shown + ":" + std::to_string(port);
}

bool is_onion(std::string_view host) {
  constexpr std::string_view suffix = ".onion";
  if (host.size() <= suffix.size()) return false;
  auto tail = host.substr(host.size() - suffix.size());
  return std::equal(tail.begin(), tail.end(), suffix.begin(),
                    [](char a, char b) { return std::tolower((unsigned char)a) == b; });
}

store::Target parse_target(std::string_view text, const std::string& provenance,
                           const std::string& where) {
  auto bad = [&](const char* why) {
    return std::invalid_argument(where + ": target '" + std::string(text) + "' " + why +
                                 " (expected host:port:t or host:port:s)");
  };
  auto last = text.rfind(':');
  if (last == std::string_view::npos || last + 2 != text.size()) throw bad("has no transport");
  char kind = text.back();
  if (kind != 't' && kind != 's') throw bad("has a transport other than t or s");
  std::string_view rest = text.substr(0, last);
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) throw bad("has no port");
  std::uint16_t port = parse_port(rest.substr(colon + 1));
  if (port == 0) throw bad("has a bad port");
  std::string host(rest.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (!valid_host(host)) throw bad("has a bad host");
  return make_target(std::move(host), port, kind == 's', provenance);
}

std::vector<store::Target> read_target_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read target file " + path);
  std::vector<store::Target> targets;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    auto end = line.find_last_not_of(" \t\r");
    targets.push_back(parse_target(std::string_view(line).substr(first, end - first + 1),
                                   "file:" + path, path + ":" + std::to_string(number)));
  }
  return targets;
}

std::vector<store::Target> read_servers_json(const std::string& path, SeedPorts ports) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read server list " + path);
  auto document = nlohmann::json::parse(in, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    throw std::invalid_argument("server list " + path + " is not a JSON object of hosts");
  }
  const std::string provenance = "seed:" + std::filesystem::path(path).filename().string();
  std::vector<store::Target> targets;
  for (const auto& [host, entry] : document.items()) {
    if (!entry.is_object()) {
      throw std::invalid_argument(path + ": host '" + host + "' is not an object");
    }
    if (!valid_host(host)) throw std::invalid_argument(path + ": bad host '" + host + "'");
    for (const char* kind : {"s", "t"}) {
      if (!entry.contains(kind)) continue;
      const auto& value = entry[kind];
      std::string text = value.is_string() ? value.get<std::string>() : value.dump();
      std::uint16_t port = parse_port(text);
      if (port == 0) {
        throw std::invalid_argument(path + ": host '" + host + "' key '" + kind + "': bad port '" +
                                    text + "'");
      }
      targets.push_back(make_target(host, port, kind[0] == 's', provenance));
      if (ports == SeedPorts::preferred) break;
    }
  }
  return targets;
}

}  // namespace eo::coordinator
