// How concentrated servers are among groups (ASN, country, implementation, operator cluster):
// each group's share, the Herfindahl-Hirschman index and the smallest number of groups that
// together hold half of the servers. Pure; the grouping is the caller's, so operator clusters
// plug in as one more dimension.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace eo::aggregator::inventory {

inline constexpr const char* kUnknownGroup = "unknown";

struct GroupShare {
  std::string group;
  std::uint64_t servers = 0;
  double share = 0;  // of the servers whose group is known

  bool operator==(const GroupShare&) const = default;
};

struct Concentration {
  std::string dimension;
  std::uint64_t servers = 0;       // with a known group
  std::uint64_t unknown = 0;       // group "unknown": left out of shares, HHI and half_cover
  std::vector<GroupShare> groups;  // largest first, then by name
  double hhi = 0;                  // sum of squared shares: 1/groups (even) .. 1 (one group)
  std::uint64_t half_cover = 0;    // fewest groups holding >= 50% of the servers

  bool operator==(const Concentration&) const = default;
};

// `groups` holds one entry per server: the group it belongs to in this dimension.
Concentration concentration(std::string dimension, const std::vector<std::string>& groups);

}  // namespace eo::aggregator::inventory
