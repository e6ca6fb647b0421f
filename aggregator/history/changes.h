// Changes of what a server shows: per (server, attribute), the set of values seen in a round is
// compared with the set of the round before that showed any; a different set is one
// server_changes row at that round (old values empty: first seen), timed by the round's first
// observation that carried the attribute. The current and previous sets live in server_values, so
// a round split over two passes is merged, and its change revised, as if read in one.
#pragma once

#include "aggregator/history/seen.h"
#include "aggregator/results/sqlite.h"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace eo::aggregator::history {

struct RoundKey {
  std::string campaign_id;
  std::int64_t round = 0;
  std::int64_t started_us = 0;
};

class Changes {
 public:
  explicit Changes(results::Database& db) : db_(db) {}

  // The attributes an observation carries (reachability, version, banner, certificate, key,
  // addresses, peers). Reachability is "up" for a round in which any probe got an answer, else
  // "down", so a server that went down and came back has a change at each of those rounds.
  void observe(const Seen& row);
  // The implementation inferred this pass: a verdict replaces the round's value, it is not one
  // more sighting of it.
  void infer(const std::string& server, const std::string& implementation, const RoundKey& at);
  // Writes the states and the changes; returns the number of change rows written or revised.
  std::uint64_t save();

 private:
  struct State {
    RoundKey round;
    std::set<std::string> current, previous;
    std::string observation_id;  // the first of the round that showed a value new to it
    bool loaded = false;
  };
  using Key = std::pair<std::string, std::string>;  // server, attribute

  // How a round's sightings combine: all values seen, the latest verdict, or "up" over "down".
  enum class Merge { all, replace, up_wins };

  State& state(const std::string& server, const std::string& attribute);
  void sight(const std::string& server, const std::string& attribute, const RoundKey& at,
             const std::set<std::string>& values, const std::string& observation_id, Merge merge);
  void settle(const Key& key, const State& s);

  results::Database& db_;
  std::map<Key, State> states_;
  std::set<Key> dirty_;  // states to write back
  // (server, attribute, campaign, round) -> the change, or nullopt: none (delete any written).
  struct ChangeRow {
    std::int64_t changed_us = 0;
    std::string old_value, new_value, observation_id;
  };
  std::map<std::tuple<std::string, std::string, std::string, std::int64_t>,
           std::optional<ChangeRow>>
      pending_;
};

}  // namespace eo::aggregator::history
