// A server's behaviour vector: every categorical fact it showed, whatever implementation it
// runs. The fingerprint facts (framing, feature keys, donation address, version negotiation,
// each hostile case's error and survival) as aggregator/fingerprint reads them, the software name
// of its server.version claim, and the rate-limit style aggregator/ratelimit named. Nothing that
// depends on where or when we looked (latency, reachability, thresholds, a failed session the
// reference does not name) is in it, so honest servers of one program cannot differ there.
#pragma once

#include "aggregator/fingerprint/facts.h"
#include "aggregator/inventory/inventory.h"
#include "aggregator/ratelimit/ratelimit.h"
#include "aggregator/reference/reference.h"
#include "aggregator/results/rows.h"

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace eo::aggregator::behaviour {

// One value a fact took: as seen (the reference's patterns match raw text) and which of the
// reference's implementations allow it for that fact (bit i: implementations[i]), any version or
// option.
struct Value {
  std::string raw;
  std::uint64_t allowed_by = 0;

  bool operator==(const Value&) const = default;
};

struct FactValues {
  // Implementations whose reference states this fact (bit i: implementations[i]); a claim or a
  // rate-limit style counts as stated by all.
  std::uint64_t listed_by = 0;
  // normalised value -> value. Several when vantages or rounds saw several.
  std::map<std::string, Value> values;

  bool operator==(const FactValues&) const = default;
};

struct Vector {
  std::string server;
  std::map<std::string, FactValues> facts;  // by fact name
  std::uint64_t claims = 0;  // implementations whose claim pattern its server.version matches

  bool operator==(const Vector&) const = default;
};

// Error texts without what the request or the moment put in them: hex runs of 16 or more become
// "<hex>", digit runs in the message "#", whitespace runs one space. Other values are unchanged.
std::string normalise(const std::string& value);

// A vector from stated facts (tests; the analysis uses vectors() below); "claim.software" is the
// software name of the server.version claim. A "failure <outcome>" value is kept only when some
// implementation's reference names it for that fact (EPS drops sessions on purpose); otherwise
// the network or an earlier limit explains it. A rate-limit style "none" is left out too: a
// bounded ramp that met no limit says nothing about the server's limits.
Vector make_vector(std::string server, std::span<const fingerprint::Fact> facts,
                   const reference::Reference& reference);

// One vector per inventory server with at least one fact, sorted by server. Fact probes are
// parsed once per server and normalized content (a round that answered the same says nothing new).
std::vector<Vector> vectors(std::span<const results::ObservationRow> rows,
                            const std::vector<inventory::Server>& servers,
                            const std::vector<ratelimit::RateLimit>& limits,
                            const reference::Reference& reference);

}  // namespace eo::aggregator::behaviour
