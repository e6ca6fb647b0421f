// Behaviour facts read from probe results: small named strings that the reference fingerprints
// match ("framing.key_order" = "jsonrpc,result,id", "error.unknown_method" = "-32601 unknown
// method \"eo.no_such_method\"", ...). Facts come only from answers a server actually gave: a
// timeout says nothing about the implementation.
#pragma once

#include "aggregator/results/rows.h"

#include <string>
#include <vector>

namespace eo::aggregator::fingerprint {

struct Fact {
  std::string name;
  std::string value;
  std::string observation_id;

  bool operator==(const Fact&) const = default;
};

// The facts of one observation (metadata, version_matrix and hostile_input carry them).
std::vector<Fact> facts_of(const results::ObservationRow& row);

}  // namespace eo::aggregator::fingerprint
