// Summaries are one sentence a report reader understands without the tables; the numbers behind
// them stay in details, so a reader can check every word.
#include "aggregator/findings/producers.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

namespace eo::aggregator::findings {

namespace {

using nlohmann::json;

std::string format_p(double p) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", p);
  return text;
}

std::string joined(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
  return out;
}

// A cluster's lists are cut here: one finding per member, each with the whole cluster, would
// grow with the square of the cluster (a cloud /24 of a thousand servers); the full lists are in
// operator_clusters.
constexpr std::size_t kMaxListed = 50;

json capped(const std::vector<std::string>& names) {
  json out = json::array();
  for (std::size_t i = 0; i < names.size() && i < kMaxListed; ++i) out.push_back(names[i]);
  return out;
}

json link_json(const operators::Link& l) {
  return {{"kind", l.kind},
          {"strong", l.strong},
          {"merged", l.merged},
          {"value", l.value},
          {"servers", capped(l.servers)},
          {"server_count", l.servers.size()},
          {"observations", capped(l.observations)}};
}

}  // namespace

std::string server_of_target(std::string_view target_id) {
  auto scheme = target_id.find("://");
  if (scheme == std::string_view::npos) return std::string(target_id);
  std::string_view rest = target_id.substr(scheme + 3);
  std::string_view host = rest;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    host = close == std::string_view::npos ? rest.substr(1) : rest.substr(1, close - 1);
  } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
  }
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::vector<Finding> from_differential(const std::vector<differential::Test>& tests) {
  std::vector<Finding> out;
  for (const auto& t : tests) {
    if (t.status != differential::kFinding) continue;
    Finding f;
    f.kind = std::string(kDifferentialPrefix) + t.dimension;
    f.server = server_of_target(t.target_id);
    f.target_id = t.target_id;
    f.vantage_id = t.vantage_id;
    f.dimension = t.dimension;
    f.p = t.p;
    f.q = t.q;
    f.summary = t.target_id + " treats vantage " + t.vantage_id + " " + t.direction +
                " than the others on " + t.dimension + ": it differed in " +
                std::to_string(t.vantage_differs) + " of " +
                std::to_string(t.vantage_differs + t.vantage_alike) + " rounds, the others in " +
                std::to_string(t.rest_differs) + " of " +
                std::to_string(t.rest_differs + t.rest_alike) + " (p = " + format_p(t.p) +
                ", q = " + format_p(t.q) + ")";
    f.evidence = t.evidence;
    f.details = {{"direction", t.direction},         {"vantage_differs", t.vantage_differs},
                 {"vantage_alike", t.vantage_alike}, {"rest_differs", t.rest_differs},
                 {"rest_alike", t.rest_alike},       {"rounds_everywhere", t.rounds_everywhere},
                 {"confounders", t.confounders}};
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> from_fingerprints(const std::vector<fingerprint::Verdict>& verdicts) {
  std::vector<Finding> out;
  for (const auto& v : verdicts) {
    if (!v.modified) continue;
    Finding f;
    f.kind = kModifiedImplementation;
    f.server = server_of_target(v.target_id);
    f.target_id = v.target_id;
    std::set<std::string> evidence;
    json contradictions = json::array();
    std::vector<std::string> facts;
    for (const auto& c : v.contradictions) {
      evidence.insert(c.observation_ids.begin(), c.observation_ids.end());
      facts.push_back(c.fact);
      contradictions.push_back({{"fact", c.fact},
                                {"observed", c.observed},
                                {"expected", c.expected},
                                {"observation_ids", c.observation_ids}});
    }
    f.evidence.assign(evidence.begin(), evidence.end());
    f.summary = v.target_id + " claims \"" + v.claimed_text + "\" but " +
                std::to_string(v.contradictions.size()) + " behaviour facts contradict " +
                v.claimed_implementation + " (" + joined(facts) + "); it behaves like " +
                v.implementation;
    f.details = {{"claimed_implementation", v.claimed_implementation},
                 {"claimed_version", v.claimed_version},
                 {"claimed_text", v.claimed_text},
                 {"implementation", v.implementation},
                 {"version_range", v.version_range},
                 {"contradictions", contradictions}};
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> from_operators(const operators::Clustering& clustering) {
  std::vector<Finding> out;
  for (const auto& c : clustering.clusters) {
    std::set<std::string> joined_by;
    for (const auto& l : c.evidence) {
      if (l.merged) joined_by.insert(l.kind);
    }
    const json members = capped(c.members);
    const json outliers = capped(c.outliers);
    for (const auto& member : c.members) {
      // The links this member is part of; the evidence is the observations behind those that
      // joined it (its own and the other servers', which show the same value).
      json links = json::array();
      std::set<std::string> evidence;
      for (const auto& l : c.evidence) {
        if (!std::binary_search(l.servers.begin(), l.servers.end(), member)) continue;
        if (links.size() < kMaxListed) links.push_back(link_json(l));
        if (l.merged) evidence.insert(l.observations.begin(), l.observations.end());
      }
      Finding f;
      f.kind = kOperatorCluster;
      f.server = member;
      f.evidence.assign(evidence.begin(), evidence.end());
      f.summary = member + " is one of " + std::to_string(c.members.size()) +
                  " servers of one operator (cluster " + c.id + ", joined by " +
                  joined({joined_by.begin(), joined_by.end()}) + ")";
      f.details = {{"cluster_id", c.id},
                   {"members", members},
                   {"member_count", c.members.size()},
                   {"links", links},
                   {"outliers", outliers}};
      out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace eo::aggregator::findings
