// The reference fingerprints, loaded from the one readable data file (data/fingerprints.yaml,
// compiled into the binary; --fingerprints replaces it): for each implementation the regex of its
// server.version claim, its releases, the behaviour facts it shows (framing, error codes and
// texts, feature keys, version negotiation), each with the versions that show it and the operator
// option that produces it where it is not the default, and the facts that only place its version;
// and the rules that name a rate-limit style from a ramp's first throttle.
#pragma once

#include "aggregator/reference/versions.h"

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

// One value a fact may take: in `versions` (every version when the text is empty), by default
// or, when `option` is set, because an operator set that option.
struct Variant {
  Pattern value;
  std::string versions_text;  // as written in the file, e.g. "< 1.19"
  VersionSet versions;
  std::string option;  // e.g. "DROP_CLIENT_UNKNOWN"; "" for the default

  bool is_default() const { return option.empty(); }
};

struct FactRule {
  std::string fact;  // e.g. "error.unknown_method"
  std::vector<Variant> variants;
};

struct Implementation {
  std::string name;     // "electrumx"
  std::string display;  // "ElectrumX"
  // Where the fingerprint was checked against real server software; empty: read from source.
  std::string confirmed;
  Pattern claim;     // server.version's first item; group 1 is the version
  VersionLine line;  // its releases
  // A value none of a fact's variants (nor any_fact) allows contradicts the implementation.
  std::vector<FactRule> facts;
  // Values any fact may take, with what produces them (resource limits refusing everything).
  std::vector<Variant> any_fact;
  // Facts that only place the version: a value not listed says nothing (it also depends on the
  // client's own range).
  std::vector<FactRule> version_facts;

  const FactRule* fact(std::string_view name) const;
  const FactRule* version_fact(std::string_view name) const;
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
  std::uint32_t min_matches = 3;         // matching cases needed to name an implementation
  std::uint32_t min_contradictions = 2;  // unexplained cases that make a claim "modified"
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
