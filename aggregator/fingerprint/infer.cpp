// Scoring counts distinct facts, not observations, so a server probed from six vantages does not
// weigh six times more than one probed from one. The score is matched - contradicted; a tie at
// the top or fewer than min_matches matching facts leaves the implementation "unknown". A claim
// is "modified" when at least min_contradictions distinct facts contradict the claimed
// implementation: one odd fact may be a configuration, several are a different program.
#include "aggregator/fingerprint/infer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace eo::aggregator::fingerprint {

namespace {

struct Tally {
  std::set<std::string> matched;
  std::map<std::pair<std::string, std::string>, Contradiction> contradictions;  // (fact, value)
  std::set<std::string> contradicted;
};

Tally tally(const reference::Implementation& impl, const std::vector<Fact>& facts) {
  Tally t;
  for (const auto& fact : facts) {
    for (const auto& rule : impl.facts) {
      if (rule.fact != fact.name) continue;
      if (rule.expected.matches(fact.value)) {
        t.matched.insert(fact.name);
      } else {
        t.contradicted.insert(fact.name);
        auto& c = t.contradictions[{fact.name, fact.value}];
        c.fact = fact.name;
        c.observed = fact.value;
        c.expected = rule.expected.text;
        c.observation_ids.push_back(fact.observation_id);
      }
    }
  }
  return t;
}

std::string version_range(const reference::Implementation& impl, const std::vector<Fact>& facts) {
  for (const auto& hint : impl.versions) {
    for (const auto& fact : facts) {
      if (fact.name == hint.fact && hint.value.matches(fact.value)) return hint.range;
    }
  }
  return {};
}

}  // namespace

Verdict judge(const std::string& target_id, const std::vector<Fact>& facts,
              const std::vector<std::string>& claims, const reference::Reference& reference) {
  Verdict v;
  v.target_id = target_id;
  std::map<std::string, Tally> tallies;
  for (const auto& impl : reference.implementations) {
    auto t = tally(impl, facts);
    v.scores.push_back({impl.name, static_cast<std::uint32_t>(t.matched.size()),
                        static_cast<std::uint32_t>(t.contradicted.size())});
    tallies.emplace(impl.name, std::move(t));
  }
  auto net = [](const Score& s) { return std::int64_t(s.matched) - std::int64_t(s.contradicted); };
  std::stable_sort(v.scores.begin(), v.scores.end(),
                   [&](const Score& a, const Score& b) { return net(a) > net(b); });
  if (!v.scores.empty() && v.scores[0].matched >= reference.min_matches &&
      (v.scores.size() == 1 || net(v.scores[0]) > net(v.scores[1]))) {
    v.implementation = v.scores[0].implementation;
    v.version_range = version_range(*reference.find(v.implementation), facts);
  }
  // The latest claim that a reference recognises; claims are given oldest first.
  for (auto it = claims.rbegin(); it != claims.rend() && v.claimed_implementation.empty(); ++it) {
    for (const auto& impl : reference.implementations) {
      std::smatch m;
      if (std::regex_match(*it, m, impl.claim.regex)) {
        v.claimed_implementation = impl.name;
        v.claimed_version = m[1].str();
        v.claimed_text = *it;
        break;
      }
    }
  }
  if (v.claimed_text.empty() && !claims.empty()) v.claimed_text = claims.back();
  if (!v.claimed_implementation.empty()) {
    auto& t = tallies.at(v.claimed_implementation);
    if (t.contradicted.size() >= reference.min_contradictions) {
      v.modified = true;
      for (auto& [key, c] : t.contradictions) {
        std::sort(c.observation_ids.begin(), c.observation_ids.end());
        c.observation_ids.erase(std::unique(c.observation_ids.begin(), c.observation_ids.end()),
                                c.observation_ids.end());
        v.contradictions.push_back(std::move(c));
      }
    }
  }
  return v;
}

std::vector<Verdict> infer(std::span<const results::ObservationRow> rows,
                           const reference::Reference& reference) {
  struct Target {
    std::vector<Fact> facts;
    std::vector<std::pair<std::int64_t, std::string>> claims;  // (time, claim)
  };
  std::map<std::string, Target> targets;
  for (const auto& row : rows) {
    auto facts = facts_of(row);
    if (facts.empty() && row.server_version.empty()) continue;
    auto& t = targets[row.target_id];
    t.facts.insert(t.facts.end(), facts.begin(), facts.end());
    if (!row.server_version.empty()) t.claims.emplace_back(row.started_us, row.server_version);
  }
  std::vector<Verdict> out;
  for (auto& [id, t] : targets) {
    std::stable_sort(t.claims.begin(), t.claims.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> claims;
    for (auto& [time, claim] : t.claims) claims.push_back(std::move(claim));
    out.push_back(judge(id, t.facts, claims, reference));
  }
  return out;
}

void save_fingerprints(results::Database& db, const std::vector<Verdict>& verdicts) {
  results::Transaction tx(db);
  db.exec("DELETE FROM fingerprints");
  for (const auto& v : verdicts) {
    nlohmann::json evidence = {{"claim", v.claimed_text},
                               {"scores", nlohmann::json::array()},
                               {"contradictions", nlohmann::json::array()}};
    for (const auto& s : v.scores) {
      evidence["scores"].push_back({{"implementation", s.implementation},
                                    {"matched", s.matched},
                                    {"contradicted", s.contradicted}});
    }
    for (const auto& c : v.contradictions) {
      evidence["contradictions"].push_back({{"fact", c.fact},
                                            {"observed", c.observed},
                                            {"expected", c.expected},
                                            {"observation_ids", c.observation_ids}});
    }
    std::uint32_t matched = 0, contradicted = 0;
    for (const auto& s : v.scores) {
      if (s.implementation != v.implementation) continue;
      matched = s.matched;
      contradicted = s.contradicted;
    }
    auto s = db.prepare("INSERT INTO fingerprints VALUES(?,?,?,?,?,?,?,?,?)");
    s.bind(1, v.target_id).bind_or_null(2, v.claimed_implementation);
    s.bind_or_null(3, v.claimed_version).bind(4, v.implementation).bind_or_null(5, v.version_range);
    s.bind(6, std::int64_t{matched}).bind(7, std::int64_t{contradicted});
    s.bind(8, std::int64_t{v.modified});
    s.bind(9, evidence.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    s.run();
  }
  tx.commit();
}

}  // namespace eo::aggregator::fingerprint
