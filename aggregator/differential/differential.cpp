// Units of judgement are (round, vantage): a vantage probes a target with several probes per
// round, and counting observations would let one bad session weigh eight times. The content and
// error dimensions compare each vantage with the round's majority per (probe, client profile):
// without a clear majority (fewer than min_judged vantages, or no key held by more than half) the
// round says nothing. Rounds in which every judged vantage differed are the server's trouble, not
// ours, and are left out of the table (named). Tests whose table is degenerate (nothing differed,
// or everything did) cannot reject anything and are not counted in the correction, which is the
// same as Tarone's exclusion for tests whose smallest attainable p is 1.
#include "aggregator/differential/differential.h"

#include "aggregator/differential/stats.h"
#include "aggregator/differential/subnet.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <type_traits>

namespace eo::aggregator::differential {

namespace {

using results::ObservationRow;
// Keys are views into the rows, which outlive the analysis: no string is copied per row.
using Round = std::pair<std::string_view, std::int64_t>;
using ByVantage = std::map<std::string_view, std::vector<const ObservationRow*>>;

// Probes whose answers are the server's data; the ramp's and the latency probe's results depend
// on the path and are judged in their own dimensions.
const std::set<std::string> kContentProbes = {"metadata", "version_matrix", "tls_certificate",
                                              "address_formats", "xpub_gap_scan"};

bool answered(const ObservationRow& row) {
  return row.outcome == "ok" || row.outcome == "rpc_error";
}

struct Unit {
  bool differs = false;
  std::vector<std::string> evidence;
  std::set<std::string> exits;  // Tor exits of the rows behind a differing unit

  void mark(const ObservationRow& row) {
    differs = true;
    evidence.push_back(row.observation_id);
    if (!row.tor_exit.empty()) exits.insert(row.tor_exit);
  }
};
using Units = std::map<std::string_view, Unit>;           // by vantage
using Dimension = std::map<Round, Units>;                 // by round
using Judgement = std::map<std::string_view, Dimension>;  // by dimension name

template <typename T>
T lower_median(std::vector<T> values) {
  std::sort(values.begin(), values.end());
  return values[(values.size() - 1) / 2];
}

Units judge_reachability(const ByVantage& by_vantage) {
  Units units;
  for (const auto& [vantage, rows] : by_vantage) {
    auto& unit = units[vantage];
    if (std::none_of(rows.begin(), rows.end(), [](auto* r) { return answered(*r); })) {
      for (auto* r : rows) unit.mark(*r);
    }
  }
  return units;
}

// Each vantage against the round's majority key, per (probe, client profile).
template <typename KeyOf>
Units judge_majority(const ByVantage& by_vantage, std::uint32_t min_judged, KeyOf key_of) {
  using Key = typename std::invoke_result_t<KeyOf, const ObservationRow&>::value_type;
  struct Seen {
    std::set<Key> keys;
    std::vector<const ObservationRow*> rows;
  };
  std::map<std::pair<std::string_view, std::string_view>, std::map<std::string_view, Seen>> groups;
  for (const auto& [vantage, rows] : by_vantage) {
    for (auto* r : rows) {
      if (auto key = key_of(*r)) {
        auto& seen = groups[{r->probe_name, r->client_profile}][vantage];
        seen.keys.insert(*key);
        seen.rows.push_back(r);
      }
    }
  }
  Units units;
  for (const auto& [group, seen_by] : groups) {
    if (seen_by.size() < min_judged) continue;
    std::map<std::set<Key>, std::size_t> votes;
    for (const auto& [vantage, seen] : seen_by) ++votes[seen.keys];
    auto mode = std::max_element(votes.begin(), votes.end(),
                                 [](auto& x, auto& y) { return x.second < y.second; });
    if (mode->second * 2 <= seen_by.size()) continue;
    for (const auto& [vantage, seen] : seen_by) {
      auto& unit = units[vantage];
      if (seen.keys != mode->first) {
        for (auto* r : seen.rows) unit.mark(*r);
      }
    }
  }
  return units;
}

// Never throttled counts as an infinite threshold: throttled at all, when the others' median
// vantage was not, differs.
Units judge_rate_limit(const ByVantage& by_vantage, double factor) {
  constexpr double kNever = std::numeric_limits<double>::infinity();
  std::map<std::string_view, double> threshold;
  std::map<std::string_view, std::vector<const ObservationRow*>> ramps;
  for (const auto& [vantage, rows] : by_vantage) {
    for (auto* r : rows) {
      if (r->probe_name != "rate_limit_ramp" || !r->ramp_throttled) continue;
      double value = *r->ramp_throttled ? double(r->ramp_threshold.value_or(0)) : kNever;
      auto [it, fresh] = threshold.emplace(vantage, value);
      if (!fresh) it->second = std::min(it->second, value);
      ramps[vantage].push_back(r);
    }
  }
  Units units;
  if (threshold.size() < 2) return units;
  for (const auto& [vantage, value] : threshold) {
    std::vector<double> others;
    for (const auto& [other, v] : threshold) {
      if (other != vantage) others.push_back(v);
    }
    auto& unit = units[vantage];
    if (value < factor * lower_median(others)) {
      for (auto* r : ramps[vantage]) unit.mark(*r);
    }
  }
  return units;
}

Units judge_latency(const ByVantage& by_vantage, const std::map<std::string_view, double>& baseline,
                    const Options& options) {
  Units units;
  for (const auto& [vantage, rows] : by_vantage) {
    auto base = baseline.find(vantage);
    if (base == baseline.end() || base->second <= 0) continue;
    std::vector<std::int64_t> first_byte;
    std::vector<const ObservationRow*> used;
    for (auto* r : rows) {
      if (answered(*r) && r->first_byte_us > 0) {
        first_byte.push_back(r->first_byte_us);
        used.push_back(r);
      }
    }
    if (first_byte.empty()) continue;
    auto& unit = units[vantage];
    double median = double(lower_median(first_byte));
    if (median >= options.latency_factor * base->second &&
        median - base->second >= double(options.latency_min_excess_us)) {
      for (auto* r : used) unit.mark(*r);
    }
  }
  return units;
}

// Per vantage: the median over targets of its median time to first byte on each target.
std::map<std::string_view, double> latency_baselines(std::span<const ObservationRow> rows) {
  std::map<std::string_view, std::map<std::string_view, std::vector<std::int64_t>>> samples;
  for (const auto& r : rows) {
    if (answered(r) && r.first_byte_us > 0) {
      samples[r.vantage_id][r.target_id].push_back(r.first_byte_us);
    }
  }
  std::map<std::string_view, double> baseline;
  for (auto& [vantage, by_target] : samples) {
    std::vector<std::int64_t> medians;
    for (auto& [target, values] : by_target) medians.push_back(lower_median(values));
    baseline[vantage] = double(lower_median(medians));
  }
  return baseline;
}

struct VantageInfo {
  bool tor = false;
  std::string subnet;
};

std::string join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// A test before the correction, with what its confounders need.
struct Pending {
  Test test;
  std::uint64_t contrast_rounds = 0;  // rounds where the vantage stood apart in its direction
  std::set<std::string> exits;        // of the vantage's differing units
};

// Served better than the rest only because another vantage of the same target and dimension was
// served worse: that vantage's finding says it all, so the "better" one is its mirror. A
// "better" finding stands only where no vantage is significantly worse (a server that answers
// one vantage alone, refusing all others).
void confound_mirrors(std::vector<Test>& tests) {
  std::map<std::pair<std::string, std::string>, std::set<std::string>> worse;
  for (const auto& t : tests) {
    if (t.status == kFinding && t.direction == "worse") {
      worse[{t.target_id, t.dimension}].insert(t.vantage_id);
    }
  }
  for (auto& t : tests) {
    if (t.status != kFinding || t.direction != "better") continue;
    auto it = worse.find({t.target_id, t.dimension});
    if (it == worse.end()) continue;
    t.confounders.push_back("mirrors the worse treatment of " + join(it->second));
    t.status = kConfounded;
  }
}

}  // namespace

std::vector<Test> analyze(std::span<const ObservationRow> rows, const Options& options) {
  std::map<std::string_view, std::map<Round, ByVantage>> by_target;
  std::map<std::string, VantageInfo> vantages;
  for (const auto& r : rows) {
    by_target[r.target_id][{r.campaign_id, r.round}][r.vantage_id].push_back(&r);
    auto& info = vantages[r.vantage_id];
    info.tor = info.tor || r.vantage_network == "tor";
    if (info.subnet.empty() && !r.vantage_egress_ip.empty()) {
      info.subnet = subnet_of(r.vantage_egress_ip);
    }
  }
  const auto baseline = latency_baselines(rows);

  std::map<std::string_view, Judgement> judged;
  // dimension -> Tor exit -> targets on which a unit using it differed
  std::map<std::string_view, std::map<std::string, std::set<std::string_view>>> exit_targets;
  for (const auto& [target, rounds] : by_target) {
    auto& judgement = judged[target];
    for (const auto& [round, by_vantage] : rounds) {
      judgement[kReachability][round] = judge_reachability(by_vantage);
      judgement[kContent][round] =
          judge_majority(by_vantage, options.min_judged, [](const ObservationRow& r) {
            return kContentProbes.contains(r.probe_name) && !r.content_sha256.empty()
                       ? std::optional<std::string_view>(r.content_sha256)
                       : std::nullopt;
          });
      judgement[kError][round] =
          judge_majority(by_vantage, options.min_judged, [](const ObservationRow& r) {
            if (!answered(r)) return std::optional<std::string>();
            return std::optional(r.error_code ? std::to_string(*r.error_code) : "ok");
          });
      judgement[kRateLimit][round] = judge_rate_limit(by_vantage, options.ramp_factor);
      judgement[kLatency][round] = judge_latency(by_vantage, baseline, options);
    }
    for (const auto& [dimension, by_round] : judgement) {
      for (const auto& [round, units] : by_round) {
        for (const auto& [vantage, unit] : units) {
          for (const auto& exit : unit.exits) exit_targets[dimension][exit].insert(target);
        }
      }
    }
  }

  std::vector<Pending> pending;
  for (const auto& [target, judgement] : judged) {
    for (const auto& [dimension, by_round] : judgement) {
      std::vector<const Units*> used;
      std::set<std::string_view> seen;
      std::uint64_t everywhere = 0;
      for (const auto& [round, units] : by_round) {
        if (units.size() < 2) continue;
        if (std::all_of(units.begin(), units.end(), [](auto& u) { return u.second.differs; })) {
          ++everywhere;
          continue;
        }
        used.push_back(&units);
        for (const auto& [vantage, unit] : units) seen.insert(vantage);
      }
      for (const auto& vantage : seen) {
        Pending p;
        auto& t = p.test;
        t.target_id = std::string(target);
        t.dimension = std::string(dimension);
        t.vantage_id = std::string(vantage);
        t.rounds_everywhere = everywhere;
        std::vector<std::string> own, rest;
        std::uint64_t served_alone = 0;  // rounds it was alike while another vantage differed
        for (const Units* units : used) {
          auto mine = units->find(vantage);
          if (mine == units->end()) continue;
          bool others_differ = false;
          for (const auto& [other, unit] : *units) {
            if (other == vantage) continue;
            ++(unit.differs ? t.rest_differs : t.rest_alike);
            others_differ = others_differ || unit.differs;
            if (unit.differs) rest.insert(rest.end(), unit.evidence.begin(), unit.evidence.end());
          }
          if (mine->second.differs) {
            ++t.vantage_differs;
            own.insert(own.end(), mine->second.evidence.begin(), mine->second.evidence.end());
            p.exits.insert(mine->second.exits.begin(), mine->second.exits.end());
          } else {
            ++t.vantage_alike;
            served_alone += others_differ;
          }
        }
        const auto differs = t.vantage_differs + t.rest_differs;
        const auto alike = t.vantage_alike + t.rest_alike;
        if (differs == 0 || alike == 0 || t.vantage_differs + t.vantage_alike == 0 ||
            t.rest_differs + t.rest_alike == 0) {
          continue;
        }
        t.p = fisher_exact(t.vantage_differs, t.vantage_alike, t.rest_differs, t.rest_alike);
        bool worse = t.vantage_differs * (t.rest_differs + t.rest_alike) >
                     t.rest_differs * (t.vantage_differs + t.vantage_alike);
        t.direction = worse ? "worse" : "better";
        p.contrast_rounds = worse ? t.vantage_differs : served_alone;
        t.evidence = worse ? std::move(own) : std::move(rest);
        std::sort(t.evidence.begin(), t.evidence.end());
        if (everywhere > 0) {
          t.confounders.push_back("failures seen by every vantage: " + std::to_string(everywhere) +
                                  " rounds left out");
        }
        pending.push_back(std::move(p));
      }
    }
  }

  std::vector<double> ps;
  for (const auto& p : pending) ps.push_back(p.test.p);
  const auto qs = benjamini_hochberg(ps);

  std::vector<Test> out;
  for (std::size_t i = 0; i < pending.size(); ++i) {
    auto& [t, contrast, exits] = pending[i];
    t.q = qs[i];
    bool significant = t.q <= options.alpha && contrast >= options.min_rounds;
    bool explained = false;
    const auto& me = vantages[t.vantage_id];
    if (!me.subnet.empty()) {
      std::set<std::string> siblings;
      for (const auto& [other, info] : vantages) {
        if (other != t.vantage_id && info.subnet == me.subnet) siblings.insert(other);
      }
      if (!siblings.empty()) {
        t.confounders.push_back("own subnet " + me.subnet + " shared with " + join(siblings));
        // Servers count costs and errors per subnet: our vantages there add up.
        explained = t.dimension == kRateLimit || t.dimension == kError;
      }
    }
    if (me.tor && t.direction == "worse" && !exits.empty()) {
      const auto& targets_by_exit = exit_targets.at(t.dimension);  // has this test's exits
      std::set<std::string> shared;
      for (const auto& exit : exits) {
        if (targets_by_exit.at(exit).size() > 1) shared.insert(exit);
      }
      if (shared.size() * 2 >= exits.size() && !shared.empty()) {
        t.confounders.push_back("shared tor exit " + join(shared));
        explained = true;
      }
    }
    t.status = !significant ? kNotSignificant : explained ? kConfounded : kFinding;
    out.push_back(std::move(t));
  }
  confound_mirrors(out);
  return out;
}

void save_differential(results::Database& db, const std::vector<Test>& tests) {
  results::Transaction tx(db);
  db.exec("DELETE FROM differential");
  for (const auto& t : tests) {
    auto s = db.prepare("INSERT INTO differential VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    s.add(t.target_id).add(t.dimension).add(t.vantage_id);
    s.add(static_cast<std::int64_t>(t.vantage_differs));
    s.add(static_cast<std::int64_t>(t.vantage_alike));
    s.add(static_cast<std::int64_t>(t.rest_differs));
    s.add(static_cast<std::int64_t>(t.rest_alike));
    s.add(static_cast<std::int64_t>(t.rounds_everywhere));
    s.add(t.p).add(t.q).add(t.direction).add(t.status);
    s.add(nlohmann::json(t.confounders).dump()).add(nlohmann::json(t.evidence).dump());
    s.run();
  }
  tx.commit();
}

}  // namespace eo::aggregator::differential
