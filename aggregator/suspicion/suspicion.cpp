// Each indicator is a small function of one server's rows, its cluster and its findings, so each
// can be read (and tested) on its own; they only hold when the evidence is named, and an
// indicator without observations behind it does not contribute.
#include "aggregator/suspicion/suspicion.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <set>

#include "aggregator/differential/subnet.h"
#include "aggregator/results/json_scan.h"

namespace eo::aggregator::suspicion {

namespace {

using nlohmann::json;
using results::ObservationRow;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string format(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", v);
  return text;
}

std::string joined(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
  return out;
}

std::int64_t number_member(const std::string& object_json, std::string_view key) {
  auto text = results::member_text(object_json, key);
  std::int64_t v = -1;
  if (text) std::from_chars(text->data(), text->data() + text->size(), v);
  return v;
}

bool answered(const ObservationRow& r) { return r.outcome == "ok" || r.outcome == "rpc_error"; }

bool has_address(const ObservationRow& r, const std::string& ip) {
  if (r.peer_ip == ip) return true;
  std::string_view list = r.resolved_ips;
  while (!list.empty()) {
    auto comma = list.find(',');
    if (list.substr(0, comma) == ip) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// Whether the row shows the value a strong link shares.
bool carries(const ObservationRow& r, const operators::Link& link) {
  if (link.kind == "certificate") return r.cert_sha256 == link.value;
  if (link.kind == "spki") return r.spki_sha256 == link.value;
  if (link.kind == "donation_address") return r.donation_address == link.value;
  if (link.kind == "banner") return r.banner_sha256 == link.value;
  if (link.kind == "ip") return has_address(r, link.value);
  return false;
}

class Scorer {
 public:
  Scorer(const Inputs& in, const Config& config) : in_(in), config_(config) {
    for (const auto& s : in.servers) server_[s.server] = &s;
    for (const auto& r : in.rows) rows_[lower(r.target_host)].push_back(&r);
    for (const auto& c : in.clustering.clusters) cluster_[c.id] = &c;
    for (const auto& f : in.findings) findings_[f.server].push_back(&f);
    for (const auto& v : in.verdicts) verdict_[v.target_id] = &v;
    std::vector<double> uptimes;
    for (const auto& s : in.servers) {
      if (s.rounds_probed >= config.uptime_min_rounds) uptimes.push_back(s.uptime);
    }
    if (!uptimes.empty()) {
      std::sort(uptimes.begin(), uptimes.end());
      median_uptime_ = uptimes[(uptimes.size() - 1) / 2];
    }
  }

  Suspicion score(const inventory::Server& s) const {
    Suspicion out;
    out.server = s.server;
    const auto* cluster = cluster_of(s.server);
    auto add = [&](std::optional<Indicator> indicator) {
      if (!indicator || indicator->evidence.empty()) return;
      indicator->weight = config_.weight(indicator->name);
      if (indicator->weight <= 0 || indicator->value <= 0) return;
      out.indicators.push_back(std::move(*indicator));
    };
    add(certificate_reuse(s, cluster));
    add(identical_signatures(s, cluster));
    add(from_findings(s, kModifiedResponses, true));
    add(from_findings(s, kDifferentialTreatment, false));
    add(no_resource_limits(s));
    add(improbable_uptime(s));
    add(sybil_peers(s, cluster));
    add(metadata_correlation(s, cluster));
    for (const auto& [kind, weight] : config_.finding_kinds) {
      if (weight > 0) {
        if (auto i = finding_kind(s, kind, weight)) out.indicators.push_back(std::move(*i));
      }
    }
    for (const auto& i : out.indicators) out.score += i.weight * i.value;
    if (out.score > 0) out.level = config_.level(out.score);
    return out;
  }

 private:
  const Inputs& in_;
  const Config& config_;
  std::map<std::string, const inventory::Server*> server_;
  std::map<std::string, std::vector<const ObservationRow*>> rows_;
  std::map<std::string, const operators::Cluster*> cluster_;
  std::map<std::string, std::vector<const findings::Finding*>> findings_;
  std::map<std::string, const fingerprint::Verdict*> verdict_;
  double median_uptime_ = 1;

  const std::vector<const ObservationRow*>& rows_of(const std::string& server) const {
    static const std::vector<const ObservationRow*> kNone;
    auto it = rows_.find(server);
    return it == rows_.end() ? kNone : it->second;
  }

  const operators::Cluster* cluster_of(const std::string& server) const {
    auto id = in_.clustering.cluster_of.find(server);
    if (id == in_.clustering.cluster_of.end()) return nullptr;
    auto it = cluster_.find(id->second);
    return it == cluster_.end() ? nullptr : it->second;
  }

  std::vector<std::string> bounded(const std::set<std::string>& ids) const {
    std::vector<std::string> out;
    for (const auto& id : ids) {
      if (out.size() >= config_.max_evidence) break;
      out.push_back(id);
    }
    return out;
  }

  std::set<std::string> carrying(const std::string& server, const operators::Link& link) const {
    std::set<std::string> ids;
    for (const auto* r : rows_of(server)) {
      if (carries(*r, link)) ids.insert(r->observation_id);
    }
    return ids;
  }

  // Its ASN, else the /24 (/48) of its first public address, else itself: what "another
  // network" means for certificate reuse.
  std::string network_of(const std::string& name) const {
    auto it = server_.find(name);
    if (it == server_.end()) return name;
    const auto& s = *it->second;
    if (s.asn) return "AS" + std::to_string(s.asn);
    for (const auto& a : s.addresses) {
      if (differential::is_public(a)) return differential::subnet_of(a);
    }
    return name;
  }

  static std::vector<std::string> others(const operators::Link& link, const std::string& self) {
    std::vector<std::string> out;
    for (const auto& s : link.servers) {
      if (s != self) out.push_back(s);
    }
    return out;
  }

  std::optional<Indicator> certificate_reuse(const inventory::Server& s,
                                             const operators::Cluster* cluster) const {
    if (!cluster) return std::nullopt;
    Indicator out;
    out.name = kCertificateReuse;
    std::set<std::string> ids;
    for (const auto& link : cluster->evidence) {
      if (link.kind != "certificate" && link.kind != "spki") continue;
      if (!std::binary_search(link.servers.begin(), link.servers.end(), s.server)) continue;
      std::set<std::string> networks;
      for (const auto& member : link.servers) networks.insert(network_of(member));
      if (networks.size() < 2) continue;
      auto found = carrying(s.server, link);
      if (found.empty()) continue;
      ids.insert(found.begin(), found.end());
      if (out.explanation.empty()) {
        out.explanation =
            std::string(link.kind == "spki" ? "TLS public key " : "TLS certificate ") +
            link.value.substr(0, 16) + "… is also presented by " + joined(others(link, s.server)) +
            " (" + std::to_string(networks.size()) + " networks)";
      }
    }
    if (ids.empty()) return std::nullopt;
    out.value = 1;
    out.evidence = bounded(ids);
    return out;
  }

  std::optional<Indicator> identical_signatures(const inventory::Server& s,
                                                const operators::Cluster* cluster) const {
    if (!cluster) return std::nullopt;
    Indicator out;
    out.name = kIdenticalSignatures;
    std::set<std::string> ids;
    std::vector<std::string> what;
    for (const auto& link : cluster->evidence) {
      if (link.kind != "banner" && link.kind != "donation_address") continue;
      if (!std::binary_search(link.servers.begin(), link.servers.end(), s.server)) continue;
      std::vector<std::string> elsewhere;
      for (const auto& other : others(link, s.server)) {
        auto it = server_.find(other);
        if (it == server_.end()) continue;
        const auto& theirs = it->second->addresses;
        bool shared = std::any_of(theirs.begin(), theirs.end(), [&](const std::string& a) {
          return std::binary_search(s.addresses.begin(), s.addresses.end(), a);
        });
        if (!shared) elsewhere.push_back(other);
      }
      auto found = carrying(s.server, link);
      if (elsewhere.empty() || found.empty()) continue;
      ids.insert(found.begin(), found.end());
      what.push_back(
          std::string(link.kind == "banner" ? "non-default banner" : "donation address") +
          " shared with " + joined(elsewhere));
    }
    if (ids.empty()) return std::nullopt;
    out.value = 1;
    out.explanation = "the same " + joined(what, "; the same ") + ", at other IP addresses";
    out.evidence = bounded(ids);
    return out;
  }

  // modified_responses (modified implementation, altered content) or differential_treatment
  // (the other differential dimensions), from the findings of the server.
  std::optional<Indicator> from_findings(const inventory::Server& s, const char* name,
                                         bool modified) const {
    auto it = findings_.find(s.server);
    if (it == findings_.end()) return std::nullopt;
    const std::string content = std::string(findings::kDifferentialPrefix) + "content";
    Indicator out;
    out.name = name;
    std::set<std::string> ids;
    std::vector<std::string> what;
    for (const auto* f : it->second) {
      bool differential = f->kind.rfind(findings::kDifferentialPrefix, 0) == 0;
      bool is_modified = f->kind == findings::kModifiedImplementation || f->kind == content;
      if (modified ? !is_modified : (!differential || f->kind == content)) continue;
      ids.insert(f->evidence.begin(), f->evidence.end());
      if (f->kind == findings::kModifiedImplementation) {
        what.push_back(f->target_id + ": claims " +
                       f->details.value("claimed_implementation", std::string()) +
                       ", behaves like " + f->details.value("implementation", std::string()));
      } else {
        what.push_back(f->target_id + ": " + f->dimension + " " +
                       f->details.value("direction", std::string()) + " for vantage " +
                       f->vantage_id + " (q = " + format(f->q.value_or(1)) + ")");
      }
    }
    if (ids.empty()) return std::nullopt;
    out.value = 1;
    out.explanation = joined(what, "; ");
    out.evidence = bounded(ids);
    return out;
  }

  // Evidence of absence only counts where it could have been evidence: a ramp that stopped
  // short of the claimed implementation's default limit says nothing about that limit.
  std::optional<Indicator> no_resource_limits(const inventory::Server& s) const {
    std::string claimed;
    std::uint64_t limit = 0;
    for (const auto& t : s.targets) {
      auto it = verdict_.find(t);
      if (it == verdict_.end()) continue;
      const auto& impl = it->second->claimed_implementation;
      if (auto found = config_.default_limits.find(impl); found != config_.default_limits.end()) {
        claimed = impl;
        limit = found->second;
      }
    }
    if (claimed.empty()) return std::nullopt;
    std::set<std::string> ids;
    for (const auto* r : rows_of(s.server)) {
      if (r->probe_name != "rate_limit_ramp" || !r->ramp_throttled) continue;
      if (*r->ramp_throttled) return std::nullopt;  // it does limit
      const auto sent = number_member(r->result_json, "requests_sent");
      if (sent > 0 && static_cast<std::uint64_t>(sent) >= limit) ids.insert(r->observation_id);
    }
    if (ids.size() < config_.min_ramps) return std::nullopt;
    Indicator out;
    out.name = kNoResourceLimits;
    out.value = 1;
    out.explanation = "claims " + claimed + ", whose default limit throttles within " +
                      std::to_string(limit) + " requests, yet " + std::to_string(ids.size()) +
                      " rate-limit ramps went past that without a throttle";
    out.evidence = bounded(ids);
    return out;
  }

  std::optional<Indicator> improbable_uptime(const inventory::Server& s) const {
    if (s.rounds_probed < config_.uptime_min_rounds || s.uptime < config_.uptime_min ||
        median_uptime_ >= config_.uptime_network_median_below) {
      return std::nullopt;
    }
    std::map<std::pair<std::string, std::int64_t>, std::string> first_answer;
    for (const auto* r : rows_of(s.server)) {
      if (!answered(*r)) continue;
      auto [it, fresh] = first_answer.try_emplace({r->campaign_id, r->round}, r->observation_id);
      if (!fresh) it->second = std::min(it->second, r->observation_id);
    }
    std::set<std::string> ids;
    for (const auto& [round, id] : first_answer) ids.insert(id);
    Indicator out;
    out.name = kImprobableUptime;
    out.value = 1;
    out.explanation = "answered in " + std::to_string(s.rounds_reachable) + " of " +
                      std::to_string(s.rounds_probed) +
                      " rounds while the median server answered in " +
                      format(median_uptime_ * 100) + "% of its rounds";
    out.evidence = bounded(ids);
    return out;
  }

  std::optional<Indicator> sybil_peers(const inventory::Server& s,
                                       const operators::Cluster* cluster) const {
    if (!cluster) return std::nullopt;
    auto peers = in_.clustering.peers.find(s.server);
    auto evidence = in_.clustering.peers_observation.find(s.server);
    if (peers == in_.clustering.peers.end() || evidence == in_.clustering.peers_observation.end() ||
        peers->second.size() < config_.sybil_min_peers) {
      return std::nullopt;
    }
    std::set<std::string> own;
    for (const auto& m : cluster->members) {
      own.insert(m);
      if (auto it = server_.find(m); it != server_.end()) {
        own.insert(it->second->addresses.begin(), it->second->addresses.end());
      }
    }
    std::vector<std::string> inside;
    for (const auto& p : peers->second) {
      if (own.contains(p)) inside.push_back(p);
    }
    double share = double(inside.size()) / double(peers->second.size());
    if (share < config_.sybil_share) return std::nullopt;
    Indicator out;
    out.name = kSybilPeers;
    out.value = 1;
    out.explanation = "lists " + std::to_string(peers->second.size()) + " peers, " +
                      std::to_string(inside.size()) + " of them (" + format(share * 100) +
                      "%) in its own operator cluster " + cluster->id + ": " + joined(inside);
    out.evidence = {evidence->second};
    return out;
  }

  std::optional<Indicator> metadata_correlation(const inventory::Server& s,
                                                const operators::Cluster* cluster) const {
    if (!cluster) return std::nullopt;
    Indicator out;
    out.name = kMetadataCorrelation;
    std::set<std::string> ids;
    bool strong = false;
    std::vector<std::string> weak;
    for (const auto& link : cluster->evidence) {
      if (!link.merged) continue;
      strong = strong || link.strong;
      if (!link.strong) weak.push_back(link.kind);
      if (std::binary_search(link.servers.begin(), link.servers.end(), s.server)) {
        auto found = carrying(s.server, link);
        ids.insert(found.begin(), found.end());
      }
    }
    if (auto it = in_.clustering.peers_observation.find(s.server);
        it != in_.clustering.peers_observation.end()) {
      ids.insert(it->second);
    }
    const std::string prefix = s.server + ": ";
    for (const auto& o : cluster->outliers) {
      if (o.rfind(prefix, 0) == 0) {
        out.value = 1;
        out.explanation += (out.explanation.empty() ? "outlier of cluster " + cluster->id + ": "
                                                    : std::string("; ")) +
                           o.substr(prefix.size());
      }
    }
    if (out.value == 0 && !strong) {
      std::sort(weak.begin(), weak.end());
      weak.erase(std::unique(weak.begin(), weak.end()), weak.end());
      out.value = 0.5;
      out.explanation =
          "joined to cluster " + cluster->id + " by weak links only (" + joined(weak) + ")";
    }
    if (out.value == 0 || ids.empty()) return std::nullopt;
    out.evidence = bounded(ids);
    return out;
  }

  std::optional<Indicator> finding_kind(const inventory::Server& s, const std::string& kind,
                                        double weight) const {
    auto it = findings_.find(s.server);
    if (it == findings_.end()) return std::nullopt;
    std::set<std::string> ids;
    std::vector<std::string> what;
    for (const auto* f : it->second) {
      if (f->kind != kind) continue;
      ids.insert(f->evidence.begin(), f->evidence.end());
      what.push_back(f->summary);
    }
    if (what.empty() || ids.empty()) return std::nullopt;
    Indicator out{kind, weight, 1, joined(what, "; "), bounded(ids)};
    return out;
  }
};

}  // namespace

std::vector<Suspicion> score(const Inputs& inputs, const Config& config) {
  Scorer scorer(inputs, config);
  std::vector<Suspicion> out;
  out.reserve(inputs.servers.size());
  for (const auto& s : inputs.servers) out.push_back(scorer.score(s));
  std::sort(out.begin(), out.end(),
            [](const Suspicion& a, const Suspicion& b) { return a.server < b.server; });
  return out;
}

nlohmann::json indicators_json(const std::vector<Indicator>& indicators) {
  json out = json::array();
  for (const auto& i : indicators) {
    out.push_back({{"name", i.name},
                   {"weight", i.weight},
                   {"value", i.value},
                   {"explanation", i.explanation},
                   {"evidence", i.evidence}});
  }
  return out;
}

std::vector<findings::Finding> to_findings(const std::vector<Suspicion>& scores,
                                           const Config& config) {
  std::vector<findings::Finding> out;
  for (const auto& s : scores) {
    if (s.score < config.threshold || s.indicators.empty()) continue;
    findings::Finding f;
    f.kind = findings::kHoneypotSuspicion;
    f.server = s.server;
    f.score = s.score;
    std::set<std::string> ids;
    std::vector<std::string> names;
    for (const auto& i : s.indicators) {
      ids.insert(i.evidence.begin(), i.evidence.end());
      names.push_back(i.name);
    }
    f.evidence.assign(ids.begin(), ids.end());
    f.summary = s.server + " scores " + format(s.score) + " (" + s.level +
                ") for honeypot suspicion: " + joined(names);
    f.details = {{"level", s.level},
                 {"threshold", config.threshold},
                 {"indicators", indicators_json(s.indicators)}};
    out.push_back(std::move(f));
  }
  return out;
}

void save_suspicion(results::Database& db, const std::vector<Suspicion>& scores) {
  results::Transaction tx(db);
  db.exec("DELETE FROM suspicion");
  for (const auto& s : scores) {
    auto st = db.prepare("INSERT INTO suspicion VALUES(?,?,?,?)");
    st.add(s.server).add(s.score).add(s.level).add(indicators_json(s.indicators).dump());
    st.run();
  }
  tx.commit();
}

}  // namespace eo::aggregator::suspicion
