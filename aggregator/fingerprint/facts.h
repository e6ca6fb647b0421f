// Behaviour facts read from probe results: small named strings that the reference fingerprints
// match ("framing.key_order" = "jsonrpc,result,id", "error.unknown_method" = "-32601 unknown
// method \"eo.no_such_method\"", ...). Facts come only from answers a server actually gave: a
// timeout says nothing about the implementation.
#pragma once

#include "aggregator/results/rows.h"

#include <string>
#include <string_view>
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

// The probe case a fact comes from: facts of one case are one piece of evidence. A hostile_input
// case's error and survival ("error.X", "alive.X") are "hostile_input.X"; framing is read from
// server.version replies, so it is one case with the negotiated version ("version.profile");
// the features keys are one reply ("features"); any other fact is a case of its own.
std::string case_of(std::string_view fact_name);

}  // namespace eo::aggregator::fingerprint
