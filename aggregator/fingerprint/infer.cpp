// Scoring counts cases, not facts or observations: a server probed from six vantages does not
// weigh six times more than one probed from one, and one exchange that yields two facts is one
// piece of evidence. The implementation is inferred from behaviour alone (the claim does not
// vote); the score is matched - contradicted, and a tie at the top or fewer than min_matches
// matching cases leaves it "unknown". The claim is then judged on its own, with its version.
#include "aggregator/fingerprint/infer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

namespace eo::aggregator::fingerprint {

namespace {

// The latest claim that a reference recognises; claims are given oldest first.
void read_claim(Verdict& v, const std::vector<std::string>& claims,
                const reference::Reference& reference) {
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
}

}  // namespace

Verdict judge(const std::string& target_id, const std::vector<Fact>& facts,
              const std::vector<std::string>& claims, const reference::Reference& reference) {
  Verdict v;
  v.target_id = target_id;
  std::map<std::string, Judgement> behaviour;
  for (const auto& impl : reference.implementations) {
    auto j = judge_cases(impl, facts, "");
    v.scores.push_back({impl.name, j.matched, static_cast<std::uint32_t>(j.contradictions.size())});
    behaviour.emplace(impl.name, std::move(j));
  }
  auto net = [](const Score& s) { return std::int64_t(s.matched) - std::int64_t(s.contradicted); };
  std::stable_sort(v.scores.begin(), v.scores.end(),
                   [&](const Score& a, const Score& b) { return net(a) > net(b); });
  if (!v.scores.empty() && v.scores[0].matched >= reference.min_matches &&
      (v.scores.size() == 1 || net(v.scores[0]) > net(v.scores[1]))) {
    v.implementation = v.scores[0].implementation;
    v.version_range = behaviour.at(v.implementation).version_range;
  }
  read_claim(v, claims, reference);
  const std::string& judged =
      v.claimed_implementation.empty() ? v.implementation : v.claimed_implementation;
  const auto* impl = reference.find(judged);
  if (!impl) return v;  // nothing claimed or inferred
  auto j = v.claimed_implementation.empty() ? std::move(behaviour.at(judged))
                                            : judge_cases(*impl, facts, v.claimed_version);
  if (judged == v.implementation) v.version_range = j.version_range;  // the claim may widen it
  v.modified =
      !v.claimed_implementation.empty() && j.contradictions.size() >= reference.min_contradictions;
  v.contradictions = std::move(j.contradictions);
  v.explained = std::move(j.explained);
  v.matched = j.matched;
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
    std::string judged =
        v.claimed_implementation.empty() ? v.implementation : v.claimed_implementation;
    nlohmann::json evidence = {{"claim", v.claimed_text},
                               {"judged_against", judged},
                               {"scores", nlohmann::json::array()},
                               {"contradictions", nlohmann::json::array()},
                               {"explained", nlohmann::json::array()}};
    for (const auto& s : v.scores) {
      evidence["scores"].push_back({{"implementation", s.implementation},
                                    {"matched", s.matched},
                                    {"contradicted", s.contradicted}});
    }
    for (const auto& c : v.contradictions) {
      evidence["contradictions"].push_back({{"case", c.fact},
                                            {"facts", c.facts},
                                            {"observed", c.observed},
                                            {"expected", c.expected},
                                            {"observation_ids", c.observation_ids}});
    }
    for (const auto& e : v.explained) {
      evidence["explained"].push_back({{"case", e.fact},
                                       {"observed", e.observed},
                                       {"by", e.by},
                                       {"observation_ids", e.observation_ids}});
    }
    auto matched = std::int64_t{v.matched};
    auto contradicted = static_cast<std::int64_t>(v.contradictions.size());
    auto s = db.prepare("INSERT INTO fingerprints VALUES(?,?,?,?,?,?,?,?,?)");
    s.bind(1, v.target_id).bind_or_null(2, v.claimed_implementation);
    s.bind_or_null(3, v.claimed_version).bind(4, v.implementation).bind_or_null(5, v.version_range);
    s.bind(6, matched).bind(7, contradicted);
    s.bind(8, std::int64_t{v.modified});
    s.bind(9, evidence.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    s.run();
  }
  tx.commit();
}

}  // namespace eo::aggregator::fingerprint
