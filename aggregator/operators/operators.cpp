// Why the weak rule is "two kinds on one pair": every default ElectrumX of one version shares a
// behaviour fingerprint, a cloud /24 holds many strangers and honest peer lists overlap, so one
// weak kind alone would chain half the network into one "operator"; two independent ones on the
// same pair rarely agree by chance. Strong keys that every install of a program shares are no
// operator evidence and are skipped: a default banner (it only names the software), a default
// donation address (the author's, shipped in the config) and Electrum Personal Server's one
// shipped certificate.
#include "aggregator/operators/operators.h"

#include "aggregator/differential/subnet.h"
#include "aggregator/fingerprint/facts.h"
#include "aggregator/results/json_scan.h"
#include "aggregator/results/normalize.h"
#include "aggregator/results/peers.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <numeric>
#include <optional>
#include <regex>
#include <set>

namespace eo::aggregator::operators {

namespace {

using nlohmann::json;
using results::ObservationRow;

// The implementations' own banners (shared/reference/electrum-servers.md, "Default banners").
const std::regex kDefaultBanner(R"(You are connected to an ElectrumX \S+ server\.)"
                                R"(|Connected to a Fulcrum \S+ server|Welcome to electrs.*)");

// Donation addresses the implementations ship as their default: Fulcrum's author's and Electrum
// Personal Server's. Every install left at its default shares them.
const std::set<std::string, std::less<>> kDefaultDonation = {
    "1Ca1inCimwRhhcpFX84TPRrPQSryTgKW6N", "bc1qe74qzd256kxevq2gn7gmscs564lfk5tqrxqsuy"};

// The probes whose results carry behaviour facts (fingerprint/facts.h): the others need no parse.
const std::set<std::string> kFactProbes = {"metadata", "version_matrix", "hostile_input"};

bool shipped_certificate(const ObservationRow& row) {
  constexpr const char* kEps = "Internet Widgits Pty Ltd";
  return row.cert_subject.find(kEps) != std::string::npos ||
         row.cert_issuer.find(kEps) != std::string::npos;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The "result" of one answer in a metadata result, e.g. {"banner": {"result": "..."}}.
std::optional<json> answer(const std::string& result_json, std::string_view key) {
  auto text = results::member_text(result_json, key);
  if (!text) return std::nullopt;
  auto parsed = json::parse(*text, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("result")) return std::nullopt;
  return parsed["result"];
}

struct UnionFind {
  std::vector<std::size_t> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::size_t find(std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  // The smaller index (first by name) stays the root, so cluster ids do not depend on order.
  void unite(std::size_t a, std::size_t b) {
    a = find(a), b = find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
};

struct Seen {
  std::set<std::string> facts;
  std::set<std::string> peers;  // of the latest metadata answer
};

// The value most members with a known value share, if more than half of them do.
std::optional<std::string> majority(const std::vector<std::string>& values) {
  std::map<std::string, std::size_t> votes;
  std::size_t known = 0;
  for (const auto& v : values) {
    if (!v.empty()) ++votes[v], ++known;
  }
  for (const auto& [value, n] : votes) {
    if (n * 2 > known) return value;
  }
  return std::nullopt;
}

}  // namespace

Clustering cluster(std::span<const ObservationRow> rows,
                   const std::vector<inventory::Server>& servers, const Options& options) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < servers.size(); ++i) index[servers[i].server] = i;
  std::map<std::string, std::size_t> by_address;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    for (const auto& a : servers[i].addresses) by_address.emplace(a, i);
  }

  // Strong keys: server -> the first observation (by id) that showed the key; "" for addresses.
  std::map<std::pair<std::string, std::string>, std::map<std::size_t, std::string>> strong;
  std::map<std::pair<std::string, std::string>, std::set<std::size_t>> network;
  auto saw = [&](std::pair<std::string, std::string> key, std::size_t i, const std::string& id) {
    auto [it, fresh] = strong[std::move(key)].try_emplace(i, id);
    if (!fresh && !id.empty() && (it->second.empty() || id < it->second)) it->second = id;
  };
  std::vector<Seen> seen(servers.size());
  std::vector<const ObservationRow*> latest_metadata(servers.size());
  std::map<std::string_view, bool> banner_is_default;  // by banner hash
  // Equal normalized content gives equal facts (only volatile members are dropped), so each
  // server's distinct results are parsed once, not once per vantage and round.
  std::set<std::pair<std::size_t, std::string_view>> parsed;
  for (const auto& row : rows) {
    auto it = index.find(lower(row.target_host));
    if (it == index.end()) continue;
    const std::size_t i = it->second;
    if (!row.cert_sha256.empty() && !shipped_certificate(row)) {
      saw({"certificate", row.cert_sha256}, i, row.observation_id);
      if (!row.spki_sha256.empty()) saw({"spki", row.spki_sha256}, i, row.observation_id);
    }
    if (!row.donation_address.empty() && !kDefaultDonation.contains(row.donation_address))
      saw({"donation_address", row.donation_address}, i, row.observation_id);
    if (row.probe_name == "metadata" && !row.banner_sha256.empty()) {
      auto [known, fresh] = banner_is_default.emplace(row.banner_sha256, true);
      if (fresh) {
        auto banner = answer(row.result_json, "banner");
        known->second = !banner || !banner->is_string() || banner->get<std::string>().empty() ||
                        std::regex_match(banner->get<std::string>(), kDefaultBanner);
      }
      if (!known->second) saw({"banner", row.banner_sha256}, i, row.observation_id);
    }
    if (row.probe_name == "metadata" && row.outcome == "ok" &&
        (!latest_metadata[i] || row.started_us >= latest_metadata[i]->started_us)) {
      latest_metadata[i] = &row;
    }
    if (kFactProbes.contains(row.probe_name) &&
        (row.content_sha256.empty() || parsed.emplace(i, row.content_sha256).second)) {
      for (const auto& f : fingerprint::facts_of(row)) seen[i].facts.insert(f.name + "=" + f.value);
    }
  }
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (!latest_metadata[i]) continue;
    if (auto peers = answer(latest_metadata[i]->result_json, "peers")) {
      seen[i].peers = results::listed_peers(*peers);
    }
  }
  Clustering out;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    const auto& s = servers[i];
    for (const auto& a : s.addresses) {
      if (!differential::is_public(a)) continue;
      saw({"ip", a}, i, "");
      network[{"network", "AS" + (s.asn ? std::to_string(s.asn) : std::string("?")) + " " +
                              differential::subnet_of(a)}]
          .insert(i);
    }
    if (latest_metadata[i]) {
      out.peers[s.server] = seen[i].peers;
      out.peers_observation[s.server] = latest_metadata[i]->observation_id;
    }
    if (seen[i].facts.size() >= options.min_behaviour_facts) {
      std::string text;
      for (const auto& f : seen[i].facts) text += f + "\n";
      out.behaviour[s.server] = results::sha256_hex(text);
    }
  }

  UnionFind sets(servers.size());
  std::vector<Link> links;
  auto names = [&](const auto& members) {
    std::vector<std::string> n;
    for (auto i : members) n.push_back(servers[i].server);
    std::sort(n.begin(), n.end());
    return n;
  };
  for (const auto& [key, seen_by] : strong) {
    if (seen_by.size() < 2) continue;
    std::vector<std::size_t> members;
    std::vector<std::string> observations;
    for (const auto& [i, id] : seen_by) {
      sets.unite(seen_by.begin()->first, i);
      members.push_back(i);
      if (!id.empty()) observations.push_back(id);
    }
    std::sort(observations.begin(), observations.end());
    links.push_back({key.first, true, true, key.second, names(members), std::move(observations)});
  }

  // Weak links, without enumerating pairs of large groups (a default-ElectrumX behaviour group
  // holds most of the network): network and behaviour agree on every pair of a (subnet,
  // behaviour) group, which is joined whole; peer links are pairs already, and each gets the
  // other weak kinds its pair shares.
  std::vector<std::set<std::string>> networks_of(servers.size());
  for (const auto& [key, members] : network) {
    for (auto i : members) networks_of[i].insert(key.second);
    if (members.size() > 1) {
      links.push_back({key.first, false, false, key.second, names(members), {}});
    }
  }
  auto behaviour_of = [&](std::size_t i) -> std::optional<std::string> {
    auto it = out.behaviour.find(servers[i].server);
    if (it == out.behaviour.end()) return std::nullopt;
    return it->second;
  };
  std::map<std::pair<std::string, std::string>, std::set<std::size_t>> network_and_behaviour;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (auto b = behaviour_of(i)) {
      for (const auto& net : networks_of[i]) network_and_behaviour[{net, *b}].insert(i);
    }
  }
  for (const auto& [key, members] : network_and_behaviour) {
    if (members.size() < 2) continue;
    for (auto i : members) sets.unite(*members.begin(), i);
    links.push_back({"network", false, true, key.first, names(members), {}});
    links.push_back({"behaviour", false, true, key.second, names(members), {}});
  }

  auto resolve = [&](const std::string& peer) -> std::optional<std::size_t> {
    if (auto it = index.find(peer); it != index.end()) return it->second;
    if (auto it = by_address.find(peer); it != by_address.end()) return it->second;
    return std::nullopt;
  };
  std::vector<std::set<std::size_t>> points_at(servers.size());
  for (std::size_t i = 0; i < servers.size(); ++i) {
    for (const auto& p : seen[i].peers) {
      if (auto j = resolve(p); j && *j != i) points_at[i].insert(*j);
    }
  }
  auto mostly_at = [&](std::size_t a, std::size_t b) {
    std::size_t inside = 0;
    for (const auto& p : seen[a].peers) {
      auto j = resolve(p);
      inside += j && (*j == b || points_at[b].contains(*j));
    }
    return double(inside) >= options.peer_share * double(seen[a].peers.size());
  };
  for (std::size_t a = 0; a < servers.size(); ++a) {
    for (auto b : points_at[a]) {
      if (a > b || !points_at[b].contains(a) || !mostly_at(a, b) || !mostly_at(b, a)) continue;
      std::vector<std::pair<std::string, std::string>> kinds = {{"peers", "list each other"}};
      for (const auto& net : networks_of[a]) {
        if (networks_of[b].contains(net)) kinds.emplace_back("network", net);
      }
      if (auto ba = behaviour_of(a); ba && ba == behaviour_of(b)) {
        kinds.emplace_back("behaviour", *ba);
      }
      std::set<std::string> distinct;
      for (const auto& [kind, value] : kinds) distinct.insert(kind);
      const bool merge = distinct.size() >= 2;
      if (merge) sets.unite(a, b);
      // The peers link rests on the two metadata answers that list each other.
      std::vector<std::string> listed;
      for (auto i : {a, b}) {
        if (latest_metadata[i]) listed.push_back(latest_metadata[i]->observation_id);
      }
      std::sort(listed.begin(), listed.end());
      for (const auto& [kind, value] : kinds) {
        links.push_back({kind, false, merge, value, names(std::set{a, b}),
                         kind == "peers" ? listed : std::vector<std::string>{}});
      }
    }
  }

  std::map<std::size_t, std::vector<std::size_t>> components;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    components[sets.find(i)].push_back(i);
    out.cluster_of[servers[i].server] = servers[sets.find(i)].server;
  }
  std::stable_sort(links.begin(), links.end(), [](const Link& x, const Link& y) {
    return x.merged != y.merged ? x.merged : false;
  });
  std::map<std::string, std::vector<Link>> evidence_of;  // by cluster id
  for (const auto& link : links) {
    std::set<std::string> touched;
    for (const auto& s : link.servers) touched.insert(out.cluster_of[s]);
    for (const auto& id : touched) evidence_of[id].push_back(link);
  }
  for (const auto& [root, members] : components) {
    if (members.size() < 2) continue;
    Cluster c;
    c.id = servers[root].server;
    c.members = names(members);
    c.evidence = std::move(evidence_of[c.id]);
    std::vector<std::string> implementation, asn;
    for (auto i : members) {
      const auto& s = servers[i];
      implementation.push_back(s.implementation == inventory::kUnknownGroup ? ""
                                                                            : s.implementation);
      asn.push_back(s.asn ? "AS" + std::to_string(s.asn) : "");
    }
    auto name_outliers = [&](const char* what, const std::vector<std::string>& values) {
      auto common = majority(values);
      if (!common) return;
      for (std::size_t k = 0; k < members.size(); ++k) {
        if (!values[k].empty() && values[k] != *common) {
          c.outliers.push_back(servers[members[k]].server + ": " + what + " " + values[k] +
                               " (cluster: " + *common + ")");
        }
      }
    };
    name_outliers("implementation", implementation);
    name_outliers("asn", asn);
    out.clusters.push_back(std::move(c));
  }
  return out;
}

std::vector<std::string> operator_groups(const Clustering& clustering,
                                         const std::vector<inventory::Server>& servers) {
  std::vector<std::string> groups;
  for (const auto& s : servers) groups.push_back(clustering.cluster_of.at(s.server));
  return groups;
}

void save_operators(results::Database& db, const Clustering& clustering) {
  results::Transaction tx(db);
  db.exec("DELETE FROM operator_clusters; DELETE FROM operator_members");
  for (const auto& c : clustering.clusters) {
    json evidence = json::array();
    for (const auto& l : c.evidence) {
      evidence.push_back({{"kind", l.kind},
                          {"strong", l.strong},
                          {"merged", l.merged},
                          {"value", l.value},
                          {"servers", l.servers},
                          {"observations", l.observations}});
    }
    std::string members;
    for (const auto& m : c.members) members += (members.empty() ? "" : ",") + m;
    auto s = db.prepare("INSERT INTO operator_clusters VALUES(?,?,?,?,?)");
    s.add(c.id).add(static_cast<std::int64_t>(c.members.size())).add(members);
    s.add(evidence.dump()).add(json(c.outliers).dump());
    s.run();
  }
  for (const auto& [server, id] : clustering.cluster_of) {
    auto s = db.prepare("INSERT INTO operator_members VALUES(?,?,?)");
    auto behaviour = clustering.behaviour.find(server);
    s.add(server).add(id).add_or_null(behaviour == clustering.behaviour.end() ? std::string()
                                                                              : behaviour->second);
    s.run();
  }
  tx.commit();
}

}  // namespace eo::aggregator::operators
