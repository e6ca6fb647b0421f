// The servers a server lists in its server.peers.subscribe answer, read one way for every
// analysis that uses them (operator clusters, histories).
#pragma once

#include <nlohmann/json.hpp>

#include <set>
#include <string>

namespace eo::aggregator::results {

// Entries are [ip, host, features]: the host (lower-cased) names a server, else the address does.
// Whatever is not such an entry is skipped; a `peers` that is not an array lists nobody.
std::set<std::string> listed_peers(const nlohmann::json& peers);

}  // namespace eo::aggregator::results
