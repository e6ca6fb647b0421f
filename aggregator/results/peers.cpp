#include "aggregator/results/peers.h"

#include <algorithm>
#include <cctype>

namespace eo::aggregator::results {

std::set<std::string> listed_peers(const nlohmann::json& peers) {
  std::set<std::string> out;
  if (!peers.is_array()) return out;
  for (const auto& entry : peers) {
    if (!entry.is_array() || entry.size() < 2) continue;
    if (entry[1].is_string() && !entry[1].get<std::string>().empty()) {
      std::string host = entry[1].get<std::string>();
      std::transform(host.begin(), host.end(), host.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      out.insert(std::move(host));
    } else if (entry[0].is_string()) {
      out.insert(entry[0].get<std::string>());
    }
  }
  return out;
}

}  // namespace eo::aggregator::results
