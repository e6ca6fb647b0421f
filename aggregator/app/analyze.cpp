// The inventory takes its "implementation" from the fingerprints: a server whose targets agree on
// one inferred implementation gets it; targets that disagree make it "mixed" (worth a look: two
// programs behind one name).
#include "aggregator/app/analyze.h"

#include "aggregator/behaviour/cluster.h"
#include "aggregator/canary/query_leak.h"
#include "aggregator/differential/differential.h"
#include "aggregator/findings/producers.h"
#include "aggregator/fingerprint/infer.h"
#include "aggregator/history/history.h"
#include "aggregator/operators/operators.h"
#include "aggregator/phishing/phishing.h"
#include "aggregator/privacy_risk/privacy_risk.h"
#include "aggregator/ratelimit/ratelimit.h"
#include "aggregator/suspicion/suspicion.h"

#include <algorithm>
#include <map>

namespace eo::aggregator::app {

namespace {

void apply_fingerprints(std::vector<inventory::Server>& servers,
                        const std::vector<fingerprint::Verdict>& verdicts) {
  std::map<std::string, const fingerprint::Verdict*> by_target;
  for (const auto& v : verdicts) by_target[v.target_id] = &v;
  for (auto& server : servers) {
    std::string implementation, version;
    for (const auto& target : server.targets) {
      auto it = by_target.find(target);
      if (it == by_target.end()) continue;
      const auto& v = *it->second;
      server.modified = server.modified || v.modified;
      if (v.implementation == inventory::kUnknownGroup) continue;
      if (implementation.empty()) {
        implementation = v.implementation;
        version = v.version_range;
      } else if (implementation != v.implementation) {
        implementation = "mixed";
        version.clear();
      }
    }
    if (!implementation.empty()) {
      server.implementation = implementation;
      server.implementation_version = version;
    }
  }
}

void add(std::vector<findings::Finding>& to, std::vector<findings::Finding> more) {
  to.insert(to.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

// What the histories keep of this pass: the implementations behaviour shows and the findings.
history::PassInput history_input(const std::vector<inventory::Server>& servers,
                                 const std::vector<findings::IdentifiedFinding>& identified) {
  history::PassInput input;
  for (const auto& s : servers) {
    if (s.implementation != inventory::kUnknownGroup) {
      input.implementations[s.server] = s.implementation;
    }
  }
  for (const auto& f : identified) {
    input.findings.push_back({f.finding_id, f.finding.kind, f.finding.server, f.finding.target_id,
                              f.finding.vantage_id});
  }
  return input;
}

}  // namespace

AnalysisSummary analyze(results::ResultsDb& db, const reference::Reference& reference,
                        const inventory::GeoLookup& geo, const suspicion::Config& suspicion,
                        std::chrono::hours window) {
  const auto since = results::window_start(db, window);
  auto rows = db.observations({}, since);
  auto events = db.events(since);
  auto servers = inventory::build_inventory(rows, geo);
  auto verdicts = fingerprint::infer(rows, reference);
  auto limits = ratelimit::infer_rate_limits(rows, reference);
  auto tests = differential::analyze(rows);
  apply_fingerprints(servers, verdicts);
  // After the fingerprints: a cluster names members whose implementation differs as outliers.
  auto clustering = operators::cluster(rows, servers);
  auto figures = inventory::centralization(servers);
  figures.push_back(inventory::concentration("operator_cluster",
                                             operators::operator_groups(clustering, servers)));

  inventory::save_inventory(db.database(), servers, figures);
  fingerprint::save_fingerprints(db.database(), verdicts);
  ratelimit::save_rate_limits(db.database(), limits);
  differential::save_differential(db.database(), tests);
  operators::save_operators(db.database(), clustering);
  behaviour::save_behaviour(
      db.database(), behaviour::cluster(behaviour::vectors(rows, servers, limits, reference)));

  // Every analysis that concludes something per server adds its findings here, one line each;
  // suspicion weighs them (and the kinds data/suspicion.yaml names), then all get their ids.
  std::vector<findings::Finding> found;
  add(found, findings::from_differential(tests));
  add(found, findings::from_fingerprints(verdicts));
  add(found, findings::from_operators(clustering));
  add(found, canary::find_query_leaks(rows, events, geo));
  add(found, phishing::find_phishing(rows));
  auto scores = suspicion::score({rows, servers, verdicts, clustering, found}, suspicion);
  add(found, suspicion::to_findings(scores, suspicion));
  auto identified = findings::identify(std::move(found));
  suspicion::save_suspicion(db.database(), scores);
  findings::save_findings(db.database(), identified);
  privacy_risk::HoneypotFigures honeypot;
  auto risks = privacy_risk::assess(events, {figures, identified}, &honeypot);
  privacy_risk::save_privacy_risk(db.database(), risks);
  history::update(db.database(), history_input(servers, identified));

  AnalysisSummary summary;
  summary.window_start_us = since == results::kAllHistory ? 0 : since;
  summary.observations = rows.size();
  summary.servers = servers.size();
  summary.targets_fingerprinted = verdicts.size();
  summary.modified = static_cast<std::uint64_t>(
      std::count_if(verdicts.begin(), verdicts.end(), [](const auto& v) { return v.modified; }));
  summary.rate_limits = limits.size();
  summary.differential_findings =
      static_cast<std::uint64_t>(std::count_if(tests.begin(), tests.end(), [](const auto& t) {
        return t.status == differential::kFinding;
      }));
  summary.operator_clusters = clustering.clusters.size();
  summary.privacy_risks = risks.size();
  summary.honeypot_sessions = honeypot.sessions;
  summary.honeypot_wallets = honeypot.wallets;
  for (const auto& s : scores) summary.suspicion.emplace_back(s.server, s.score);
  std::stable_sort(summary.suspicion.begin(), summary.suspicion.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& f : identified) {
    ++summary.findings_by_kind[f.finding.kind];
    if (f.finding.kind == findings::kHoneypotSuspicion) ++summary.suspicious;
  }
  summary.findings = std::move(identified);
  return summary;
}

}  // namespace eo::aggregator::app
