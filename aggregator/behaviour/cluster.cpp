#include "aggregator/behaviour/cluster.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace eo::aggregator::behaviour {

namespace {

using Values = std::map<std::string, Value>;

// No value in common, and no implementation allows both: a difference no release or option of one
// program explains.
bool disagree(const Values& a, const Values& b) {
  for (const auto& [norm, va] : a) {
    if (b.contains(norm)) return false;
    for (const auto& [_, vb] : b) {
      if ((va.allowed_by & vb.allowed_by) != 0) return false;
    }
  }
  return true;
}

std::string joined(const Values& values) {
  std::string out;
  for (const auto& [norm, _] : values) out += (out.empty() ? "" : " | ") + norm;
  return out;
}

std::string ratio(std::size_t k, std::size_t n) {
  return n == 0 ? std::string("nowhere else")
                : std::to_string(k) + " of " + std::to_string(n) + " elsewhere";
}

// One fact both vectors showed. Releases of a program differ where its reference states nothing:
// between two servers claiming it, such a fact is not evidence.
bool fact_differs(std::uint64_t a_claims, const FactValues& fa, std::uint64_t b_claims,
                  const FactValues& fb) {
  bool unstated = (a_claims & b_claims & ~fa.listed_by) != 0;
  return !unstated && disagree(fa.values, fb.values);
}

// A vector with its fact names and cases as numbers, for the n² distances of a large network.
struct Flat {
  std::vector<int> names;  // ascending, as the vector's map holds them
  std::vector<int> cases;
  std::vector<const FactValues*> facts;
  std::uint64_t claims = 0;
};

// compare() on flattened vectors: counts only, cases marked with a stamp per pair.
class Distances {
 public:
  Distances(std::size_t cases, const Options& options)
      : shared_(cases, 0), differing_(cases, 0), options_(options) {}

  double operator()(const Flat& a, const Flat& b) {
    ++stamp_;
    std::size_t shared = 0, differing = 0;
    for (std::size_t i = 0, j = 0; i < a.names.size() && j < b.names.size();) {
      if (a.names[i] < b.names[j]) {
        ++i;
      } else if (b.names[j] < a.names[i]) {
        ++j;
      } else {
        int c = a.cases[i];
        if (shared_[c] != stamp_) {
          shared_[c] = stamp_;
          ++shared;
        }
        if (differing_[c] != stamp_ && fact_differs(a.claims, *a.facts[i], b.claims, *b.facts[j])) {
          differing_[c] = stamp_;
          ++differing;
        }
        ++i;
        ++j;
      }
    }
    return shared < options_.min_shared_cases ? kApart : double(differing);
  }

 private:
  std::vector<unsigned> shared_, differing_;
  unsigned stamp_ = 0;
  const Options& options_;
};

std::string serialised(const Vector& v) {
  std::string out;
  for (const auto& [name, fact] : v.facts) {
    out += name;
    for (const auto& [norm, _] : fact.values) out += '\x1f' + norm;
    out += '\x1e';
  }
  return out + std::to_string(v.claims);
}

// Agglomerates distinct vectors (node weight = servers holding it); returns each node's group.
// Each row keeps its nearest column (smallest mean, then smallest index), so a merge rescans
// only the rows that pointed at the merged pair: the first pair by index among the closest is
// merged, as a scan of every pair would.
std::vector<std::size_t> agglomerate(const std::vector<std::vector<double>>& d,
                                     const std::vector<double>& weight, double cut) {
  const std::size_t n = d.size();
  std::vector<std::vector<double>> sum(n, std::vector<double>(n));
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = 0; b < n; ++b) sum[a][b] = weight[a] * weight[b] * d[a][b];
  }
  std::vector<double> w = weight;
  std::vector<std::size_t> group(n), best(n, n);
  for (std::size_t i = 0; i < n; ++i) group[i] = i;
  std::vector<bool> active(n, true);
  auto mean = [&](std::size_t a, std::size_t b) { return sum[a][b] / (w[a] * w[b]); };
  auto rescan = [&](std::size_t a) {
    best[a] = n;
    for (std::size_t b = 0; b < n; ++b) {
      if (b != a && active[b] && (best[a] == n || mean(a, b) < mean(a, best[a]))) best[a] = b;
    }
  };
  for (std::size_t a = 0; a < n; ++a) rescan(a);
  while (true) {
    std::size_t ba = n;
    for (std::size_t a = 0; a < n; ++a) {
      if (!active[a] || best[a] == n || mean(a, best[a]) >= cut) continue;
      if (ba == n || mean(a, best[a]) < mean(ba, best[ba])) ba = a;
    }
    if (ba == n) break;
    std::size_t bb = best[ba];
    if (bb < ba) std::swap(ba, bb);
    for (std::size_t c = 0; c < n; ++c) {
      sum[ba][c] += sum[bb][c];
      sum[c][ba] = sum[ba][c];
    }
    w[ba] += w[bb];
    active[bb] = false;
    for (auto& g : group) {
      if (g == bb) g = ba;
    }
    for (std::size_t c = 0; c < n; ++c) {
      if (!active[c] || c == ba) continue;
      if (best[c] == ba || best[c] == bb) {
        rescan(c);
      } else if (mean(c, ba) < mean(c, best[c]) ||
                 (mean(c, ba) == mean(c, best[c]) && ba < best[c])) {
        best[c] = ba;
      }
    }
    rescan(ba);
  }
  return group;
}

}  // namespace

Comparison compare(const Vector& a, const Vector& b) {
  std::set<std::string> shared, differing;
  auto ia = a.facts.begin();
  auto ib = b.facts.begin();
  while (ia != a.facts.end() && ib != b.facts.end()) {
    if (ia->first < ib->first) {
      ++ia;
    } else if (ib->first < ia->first) {
      ++ib;
    } else {
      std::string c = fingerprint::case_of(ia->first);
      if (fact_differs(a.claims, ia->second, b.claims, ib->second)) differing.insert(c);
      shared.insert(std::move(c));
      ++ia;
      ++ib;
    }
  }
  return {shared.size(), {differing.begin(), differing.end()}};
}

Clustering cluster(std::vector<Vector> vectors, const Options& options) {
  std::sort(vectors.begin(), vectors.end(),
            [](const Vector& a, const Vector& b) { return a.server < b.server; });
  const std::size_t n = vectors.size();
  // Distinct vectors, in the order of their first server.
  std::map<std::string, std::size_t> node_of_key;
  std::vector<std::size_t> node(n), representative;
  std::vector<double> weight;
  for (std::size_t i = 0; i < n; ++i) {
    // A vector too small to compare is its own node: equal on next to nothing is not alike.
    std::set<std::string> cases;
    for (const auto& [name, _] : vectors[i].facts) cases.insert(fingerprint::case_of(name));
    std::string key = cases.size() < options.min_shared_cases ? "\x1d" + vectors[i].server
                                                              : serialised(vectors[i]);
    auto [it, fresh] = node_of_key.emplace(key, representative.size());
    if (fresh) {
      representative.push_back(i);
      weight.push_back(0);
    }
    node[i] = it->second;
    weight[it->second] += 1;
  }
  const std::size_t nodes = representative.size();
  std::map<std::string, int> name_id, case_id;
  for (const auto& v : vectors) {
    for (const auto& [name, _] : v.facts) name_id.emplace(name, 0);
  }
  int next = 0;
  for (auto& [name, id] : name_id) {
    id = next++;
    case_id.emplace(fingerprint::case_of(name), int(case_id.size()));
  }
  std::vector<Flat> flat(nodes);
  for (std::size_t a = 0; a < nodes; ++a) {
    const Vector& v = vectors[representative[a]];
    flat[a].claims = v.claims;
    for (const auto& [name, fact] : v.facts) {
      flat[a].names.push_back(name_id.at(name));
      flat[a].cases.push_back(case_id.at(fingerprint::case_of(name)));
      flat[a].facts.push_back(&fact);
    }
  }
  Distances distance_of(case_id.size(), options);
  std::vector<std::vector<double>> d(nodes, std::vector<double>(nodes, 0.0));
  for (std::size_t a = 0; a < nodes; ++a) {
    for (std::size_t b = a + 1; b < nodes; ++b) d[a][b] = d[b][a] = distance_of(flat[a], flat[b]);
  }
  auto node_group = agglomerate(d, weight, options.cut);
  auto dist = [&](std::size_t i, std::size_t j) { return d[node[i]][node[j]]; };

  std::map<std::size_t, std::vector<std::size_t>> by_root;
  for (std::size_t i = 0; i < n; ++i) by_root[node_group[node[i]]].push_back(i);
  std::vector<std::vector<std::size_t>> parts;
  for (auto& [_, members] : by_root) parts.push_back(std::move(members));
  std::stable_sort(parts.begin(), parts.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });

  Clustering out;
  // Zero-padded, so the ids sort as the groups do.
  const std::size_t width = std::max<std::size_t>(2, std::to_string(parts.size()).size());
  std::vector<std::size_t> group_of(n);
  for (std::size_t g = 0; g < parts.size(); ++g) {
    std::string number = std::to_string(g + 1);
    Group group;
    group.id = "b" + std::string(width - number.size(), '0') + number;
    double total = 0;
    for (std::size_t a : parts[g]) {
      group.members.push_back(vectors[a].server);
      group_of[a] = g;
      for (std::size_t b : parts[g]) total += a < b ? dist(a, b) : 0;
    }
    std::size_t k = parts[g].size();
    group.mean_distance = k > 1 ? total / double(k * (k - 1) / 2) : 0;
    out.groups.push_back(std::move(group));
  }
  auto mean_to = [&](const std::vector<std::size_t>& from, std::size_t g) {
    double total = 0;
    for (std::size_t a : from) {
      for (std::size_t b : parts[g]) total += dist(a, b);
    }
    return total / double(from.size() * parts[g].size());
  };
  for (std::size_t g = 0; g < parts.size(); ++g) {
    for (std::size_t h = 0; h < parts.size(); ++h) {
      if (h == g) continue;
      double m = mean_to(parts[g], h);
      if (m < out.groups[g].nearest_distance || out.groups[g].nearest.empty()) {
        out.groups[g].nearest = out.groups[h].id;
        out.groups[g].nearest_distance = m;
      }
    }
  }

  // Distinguishing facts: held by every member, rare among the other servers showing the fact.
  // Counted over all servers once; a group's outside is the total minus its own.
  using Held = std::map<std::pair<std::string, std::string>, std::size_t>;
  std::map<std::string, std::size_t> named;
  Held valued;
  for (const auto& v : vectors) {
    for (const auto& [name, fact] : v.facts) {
      ++named[name];
      for (const auto& [norm, _] : fact.values) ++valued[{name, norm}];
    }
  }
  for (std::size_t g = 0; g < parts.size(); ++g) {
    if (parts.size() == 1) break;
    Held held;
    std::map<std::string, std::size_t> held_names;
    for (std::size_t a : parts[g]) {
      for (const auto& [name, fact] : vectors[a].facts) {
        ++held_names[name];
        for (const auto& [norm, _] : fact.values) ++held[{name, norm}];
      }
    }
    std::vector<std::pair<double, std::string>> listed;
    for (const auto& [fact, count] : held) {
      if (count != parts[g].size()) continue;
      std::size_t with_name = named.at(fact.first) - held_names.at(fact.first);
      std::size_t with_value = valued.at(fact) - count;
      if (double(with_value) > options.rare_share * double(with_name)) continue;
      double share = with_name ? double(with_value) / double(with_name) : 0;
      listed.emplace_back(
          share, fact.first + " = " + fact.second + " (" + ratio(with_value, with_name) + ")");
    }
    std::stable_sort(listed.begin(), listed.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < listed.size() && i < options.max_listed; ++i) {
      out.groups[g].distinguishing.push_back(listed[i].second);
    }
  }

  bool any_large = std::any_of(parts.begin(), parts.end(), [](auto& p) { return p.size() > 1; });
  for (std::size_t a = 0; a < n; ++a) {
    Member m;
    m.server = vectors[a].server;
    const std::size_t g = group_of[a];
    m.group = out.groups[g].id;
    m.outlier = parts[g].size() == 1;
    std::set<std::string> cases;
    for (const auto& [name, _] : vectors[a].facts) cases.insert(fingerprint::case_of(name));
    m.cases = cases.size();
    if (m.outlier) {
      std::size_t nearest = parts.size();
      for (std::size_t h = 0; h < parts.size(); ++h) {
        if (h == g || (any_large && parts[h].size() < 2)) continue;
        double mean = mean_to({a}, h);
        if (nearest == parts.size() || mean < m.nearest_distance) {
          nearest = h;
          m.nearest_distance = mean;
        }
      }
      if (nearest != parts.size()) {
        m.nearest = out.groups[nearest].id;
        for (const auto& [name, fact] : vectors[a].facts) {
          std::size_t with_name = 0, against = 0;
          std::map<std::string, std::size_t> theirs;
          for (std::size_t b : parts[nearest]) {
            auto it = vectors[b].facts.find(name);
            if (it == vectors[b].facts.end()) continue;
            ++with_name;
            if (fact_differs(vectors[a].claims, fact, vectors[b].claims, it->second)) ++against;
            for (const auto& [norm, _] : it->second.values) ++theirs[norm];
          }
          if (with_name == 0 || 2 * against <= with_name) continue;
          auto common = std::max_element(theirs.begin(), theirs.end(),
                                         [](auto& x, auto& y) { return x.second < y.second; });
          m.differs.push_back(name + ": " + joined(fact.values) + " (" + m.nearest + ": " +
                              common->first + ")");
        }
      }
    }
    out.members.push_back(std::move(m));
  }
  out.vectors = std::move(vectors);
  return out;
}

void save_behaviour(results::Database& db, const Clustering& clustering) {
  results::Transaction tx(db);
  db.exec("DELETE FROM behaviour_clusters");
  db.exec("DELETE FROM behaviour_members");
  auto text = [](const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  // NULL when there is nothing to compare with, or too little in common to compare.
  auto comparable = [](const std::string& nearest, double d) {
    return nearest.empty() || d >= kApart ? std::nullopt : std::optional<double>(d);
  };
  auto members_text = [](const std::vector<std::string>& members) {
    std::string out;
    for (const auto& m : members) out += (out.empty() ? "" : " ") + m;
    return out;
  };
  for (const auto& g : clustering.groups) {
    auto s = db.prepare("INSERT INTO behaviour_clusters VALUES(?,?,?,?,?,?,?)");
    s.bind(1, g.id).bind(2, static_cast<std::int64_t>(g.members.size()));
    s.bind(3, members_text(g.members)).bind(4, g.mean_distance).bind_or_null(5, g.nearest);
    s.bind(6, comparable(g.nearest, g.nearest_distance)).bind(7, text(g.distinguishing));
    s.run();
  }
  for (std::size_t i = 0; i < clustering.members.size(); ++i) {
    const Member& m = clustering.members[i];
    nlohmann::json vector = nlohmann::json::object();
    for (const auto& [name, fact] : clustering.vectors[i].facts) {
      auto& list = vector[name] = nlohmann::json::array();
      for (const auto& [norm, _] : fact.values) list.push_back(norm);
    }
    auto s = db.prepare("INSERT INTO behaviour_members VALUES(?,?,?,?,?,?,?,?)");
    s.bind(1, m.server).bind(2, m.group).bind(3, std::int64_t{m.outlier});
    s.bind(4, static_cast<std::int64_t>(m.cases)).bind_or_null(5, m.nearest);
    s.bind(6, comparable(m.nearest, m.nearest_distance))
        .bind(7, text(m.differs))
        .bind(8, text(vector));
    s.run();
  }
  tx.commit();
}

}  // namespace eo::aggregator::behaviour
