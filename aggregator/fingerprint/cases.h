// How one implementation's reference explains a server's behaviour, case by case. Facts of one
// probe case (case_of) are one piece of evidence; each case is matched (its default values, at
// some version), explained (only by an operator option, or a session that failed), or
// contradicted (no version and no option of the implementation shows it). The versions every
// case allows together, and the claimed version, must meet: when they do not, that is one more
// contradiction ("version"), never one per case.
#pragma once

#include "aggregator/fingerprint/facts.h"
#include "aggregator/reference/reference.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eo::aggregator::fingerprint {

// A case that no known version or option of the implementation explains.
struct Contradiction {
  std::string fact;      // the case: "hostile_input.unknown_method", "version.profile", "version"
  std::string observed;  // its facts as seen: the value, or "name = value; ..." for several
  std::string expected;  // what the reference allows for them
  std::vector<std::string> observation_ids;
  std::vector<std::string> facts = {};  // its contradicting facts ("version": the cases)

  bool operator==(const Contradiction&) const = default;
};

// A case that the implementation shows only in some versions or with an option, or whose
// session failed: what a verdict ruled out before it called anything modified.
struct Explained {
  std::string fact;  // the case, as in Contradiction
  std::string observed;
  std::string by;  // "version < 1.19", "configuration DROP_CLIENT_UNKNOWN (< 1.19)", ...
  std::vector<std::string> observation_ids;

  bool operator==(const Explained&) const = default;
};

struct Judgement {
  std::uint32_t matched = 0;                  // cases showing the implementation's defaults
  std::vector<Contradiction> contradictions;  // one per case, sorted by case
  std::vector<Explained> explained;           // sorted by case
  std::string version_range;                  // "" when the behaviour does not place it
};

// `claimed_version` is the version the server reports for this implementation ("" for none).
Judgement judge_cases(const reference::Implementation& impl, const std::vector<Fact>& facts,
                      std::string_view claimed_version);

}  // namespace eo::aggregator::fingerprint
