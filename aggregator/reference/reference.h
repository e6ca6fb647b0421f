// The reference fingerprints, loaded from the one readable data file (data/fingerprints.yaml,
// compiled into the binary; --fingerprints replaces it): for each implementation the regex of its
// server.version claim, the behaviour facts it shows (framing, error codes and texts, feature
// keys, version negotiation) and what its negotiated protocol says about its version; and the
// rules that name a rate-limit style from a ramp's first throttle.
#pragma once

#include <cstdint>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace eo::aggregator::reference {

// A start-up misconfiguration; the message names the file and key.
struct ReferenceError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// `pattern` must match a fact's whole value (std::regex, ECMAScript).
struct Pattern {
  std::string text;
  std::regex regex;

  bool matches(const std::string& value) const { return std::regex_match(value, regex); }
};

struct FactRule {
  std::string fact;  // e.g. "error.unknown_method"
  Pattern expected;
};

// When `fact` matches `value`, the implementation's version is within `range` (free text).
struct VersionHint {
  std::string fact;
  Pattern value;
  std::string range;
};

struct Implementation {
  std::string name;     // "electrumx"
  std::string display;  // "ElectrumX"
  Pattern claim;        // server.version's first item; group 1 is the version
  std::vector<FactRule> facts;
  std::vector<VersionHint> versions;
};

// The first rule matching a throttled ramp's first throttle names its style; every field given
// must match (kind: error|disconnect|slowdown; code and message as patterns).
struct RateLimitRule {
  std::string style;
  std::string kind;
  std::string code;  // pattern text; empty: any
  Pattern code_pattern;
  std::string message;
  Pattern message_pattern;
};

struct Reference {
  std::vector<Implementation> implementations;
  std::uint32_t min_matches = 3;         // distinct matching facts needed to name an implementation
  std::uint32_t min_contradictions = 2;  // distinct contradicted facts that make a claim "modified"
  std::vector<RateLimitRule> rate_limit_styles;

  const Implementation* find(std::string_view name) const;
};

// Throws ReferenceError naming `origin` and the bad key.
Reference parse_reference(std::string_view yaml_text, const std::string& origin);
Reference load_reference_file(const std::string& path);
// The data file as built into the binary.
const Reference& builtin_reference();
std::string_view builtin_reference_text();

}  // namespace eo::aggregator::reference
