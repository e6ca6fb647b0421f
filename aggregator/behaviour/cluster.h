// Behaviour clusters: servers grouped by their behaviour vectors without any fingerprint, so an
// implementation the reference does not know, or a modified build of one it knows, forms its own
// group or stands out alone, named with the facts that set it apart. Pure and deterministic:
// vectors in, groups out (docs/aggregator.md, "Behaviour clusters").
//
// Distance: the number of probe cases (fingerprint::case_of: facts of one exchange are one piece
// of evidence) on which two servers disagree. Only cases both showed count: a missing answer says
// nothing. A fact disagrees when the two servers never showed a common value and no single
// implementation of the reference allows both values (releases and operator options of one
// program differ legitimately: ElectrumX 1.16 and 2.0 negotiate different protocols). Between two
// servers that claim the same known program, a fact its reference does not state is left out
// (genuine ElectrumX 1.17 answers compactly, 1.16 and 2.0 spaced, and whether a session survives
// an oversize request varies by release); a fact it states still counts, so a fake claiming it
// stays apart. Two servers with fewer than min_shared_cases cases in common cannot be compared
// (kApart).
//
// Grouping: average-linkage agglomerative clustering, merging while the mean distance between two
// groups is below `cut` (0.5: most pairs across the two agree on every case), ties to the first
// pair by server name. Identical vectors are one node, so the cost grows with distinct behaviours.
#pragma once

#include "aggregator/behaviour/vector.h"
#include "aggregator/results/sqlite.h"

#include <cstddef>
#include <string>
#include <vector>

namespace eo::aggregator::behaviour {

inline constexpr double kApart = 1000;  // too few cases in common to compare

struct Options {
  std::size_t min_shared_cases = 3;
  double cut = 0.5;
  // A distinguishing fact is held by every member and by at most this share of the other
  // servers that showed the fact at all.
  double rare_share = 0.25;
  std::size_t max_listed = 8;
};

struct Comparison {
  std::size_t shared = 0;              // cases both showed
  std::vector<std::string> differing;  // cases they disagree on, sorted
};

// The cases two servers showed and those they disagree on (the distance is their count).
Comparison compare(const Vector& a, const Vector& b);

struct Group {
  std::string id;                    // "b01", "b02", ...: largest first, then by first member
  std::vector<std::string> members;  // sorted
  double mean_distance = 0;          // mean over member pairs (0 for one member)
  std::string nearest;               // the nearest other group (mean distance), "" when alone
  double nearest_distance = kApart;
  std::vector<std::string> distinguishing;  // "fact = value (k of n elsewhere)"

  bool operator==(const Group&) const = default;
};

struct Member {
  std::string server;
  std::string group;
  bool outlier = false;  // alone in its group
  std::size_t cases = 0;
  // An outlier's nearest group of two or more (any group when there is none) and the facts on
  // which it differs from most of that group's members: "fact: its value (group: value)".
  std::string nearest;
  double nearest_distance = kApart;
  std::vector<std::string> differs;

  bool operator==(const Member&) const = default;
};

struct Clustering {
  std::vector<Group> groups;    // by id
  std::vector<Member> members;  // by server
  std::vector<Vector> vectors;  // by server
};

Clustering cluster(std::vector<Vector> vectors, const Options& options = {});

// Replaces the behaviour_clusters and behaviour_members tables.
void save_behaviour(results::Database& db, const Clustering& clustering);

}  // namespace eo::aggregator::behaviour
