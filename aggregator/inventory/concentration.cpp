// Unknown groups (no geo data, unrecognised software) are counted apart instead of as one big
// group, which would otherwise look like the most concentrated "operator" of all.
#include "aggregator/inventory/concentration.h"

#include <algorithm>
#include <map>

namespace eo::aggregator::inventory {

Concentration concentration(std::string dimension, const std::vector<std::string>& groups) {
  Concentration out;
  out.dimension = std::move(dimension);
  std::map<std::string, std::uint64_t> counts;
  for (const auto& group : groups) {
    if (group.empty() || group == kUnknownGroup) {
      ++out.unknown;
    } else {
      ++counts[group];
      ++out.servers;
    }
  }
  for (const auto& [group, n] : counts) {
    double share = double(n) / double(out.servers);
    out.groups.push_back({group, n, share});
    out.hhi += share * share;
  }
  std::stable_sort(out.groups.begin(), out.groups.end(),
                   [](const auto& a, const auto& b) { return a.servers > b.servers; });
  std::uint64_t covered = 0;
  for (const auto& g : out.groups) {
    if (2 * covered >= out.servers) break;
    covered += g.servers;
    ++out.half_cover;
  }
  return out;
}

}  // namespace eo::aggregator::inventory
