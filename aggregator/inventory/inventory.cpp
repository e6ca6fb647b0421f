// A round counts as reachable when any observation of it got an answer (ok, or a well-formed
// JSON-RPC error): hostile probes end sessions on purpose, so one refused case is not downtime.
#include "aggregator/inventory/inventory.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

namespace eo::aggregator::inventory {

namespace {

using results::ObservationRow;

bool answered(const ObservationRow& row) {
  return row.outcome == "ok" || row.outcome == "rpc_error";
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

void split_into(const std::string& list, std::set<std::string>& out) {
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.insert(item);
  }
}

struct Accumulator {
  Server server;
  std::set<std::string> targets;
  std::set<std::string> addresses;
  std::set<std::pair<std::string, std::int64_t>> rounds, reachable_rounds;
  std::map<std::string, std::set<std::pair<std::string, std::int64_t>>> probed_by, reached_by;
  std::int64_t claim_us = -1, features_us = -1, cert_us = -1;  // latest derived facts

  void add(const ObservationRow& row) {
    targets.insert(row.target_id);
    split_into(row.resolved_ips, addresses);
    if (!row.peer_ip.empty()) addresses.insert(row.peer_ip);
    std::pair round{row.campaign_id, row.round};
    rounds.insert(round);
    probed_by[row.vantage_id].insert(round);
    if (answered(row)) {
      reachable_rounds.insert(round);
      reached_by[row.vantage_id].insert(round);
      if (server.first_seen_us == 0 || row.started_us < server.first_seen_us) {
        server.first_seen_us = row.started_us;
      }
      server.last_seen_us = std::max(server.last_seen_us, row.started_us);
    }
    if (!row.server_version.empty() && row.started_us >= claim_us) {
      claim_us = row.started_us;
      std::tie(server.claimed_software, server.claimed_version) =
          split_software(row.server_version);
    }
    if (!row.protocol_max.empty() && row.started_us >= features_us) {
      features_us = row.started_us;
      server.protocol_min = row.protocol_min;
      server.protocol_max = row.protocol_max;
    }
    if (!row.cert_sha256.empty() && row.started_us >= cert_us) {
      cert_us = row.started_us;
      server.cert_sha256 = row.cert_sha256;
      server.spki_sha256 = row.spki_sha256;
    }
  }

  Server finish(const GeoLookup& geo) {
    server.targets.assign(targets.begin(), targets.end());
    server.addresses.assign(addresses.begin(), addresses.end());
    server.rounds_probed = rounds.size();
    server.rounds_reachable = reachable_rounds.size();
    server.uptime = rounds.empty() ? 0 : double(reachable_rounds.size()) / double(rounds.size());
    for (const auto& [vantage, probed] : probed_by) {
      server.reachability.push_back({vantage, probed.size(), reached_by[vantage].size()});
    }
    if (server.onion) {
      server.country = "onion";
    } else if (geo) {
      for (const auto& address : server.addresses) {
        if (auto info = geo(address)) {
          if (!info->country.empty()) server.country = info->country;
          server.asn = info->asn;
          server.as_name = info->as_name;
          break;
        }
      }
    }
    return std::move(server);
  }
};

}  // namespace

std::pair<std::string, std::string> split_software(const std::string& server_version) {
  auto cut = server_version.find_last_of(" /");
  if (cut == std::string::npos || cut + 1 >= server_version.size() ||
      !std::isdigit(static_cast<unsigned char>(server_version[cut + 1]))) {
    return {server_version, ""};
  }
  return {server_version.substr(0, cut), server_version.substr(cut + 1)};
}

std::vector<Server> build_inventory(std::span<const ObservationRow> rows, const GeoLookup& geo) {
  std::map<std::string, Accumulator> by_host;
  for (const auto& row : rows) {
    auto& acc = by_host[lower(row.target_host)];
    acc.server.server = lower(row.target_host);
    acc.server.onion = row.onion;
    acc.add(row);
  }
  std::vector<Server> out;
  for (auto& [host, acc] : by_host) out.push_back(acc.finish(geo));
  return out;
}

std::vector<Concentration> centralization(const std::vector<Server>& servers) {
  std::vector<std::string> asn, country, claimed, implementation;
  for (const auto& s : servers) {
    asn.push_back(s.asn ? "AS" + std::to_string(s.asn) : kUnknownGroup);
    country.push_back(s.onion ? kUnknownGroup : s.country);
    claimed.push_back(s.claimed_software.empty() ? kUnknownGroup : s.claimed_software);
    implementation.push_back(s.implementation);
  }
  return {concentration("asn", asn), concentration("country", country),
          concentration("claimed_software", claimed),
          concentration("implementation", implementation)};
}

void save_inventory(results::Database& db, const std::vector<Server>& servers,
                    const std::vector<Concentration>& figures) {
  results::Transaction tx(db);
  db.exec(
      "DELETE FROM servers; DELETE FROM server_reachability; DELETE FROM concentration; "
      "DELETE FROM concentration_summary");
  auto join = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
  };
  for (const auto& s : servers) {
    auto st = db.prepare("INSERT INTO servers VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    st.add(s.server).add(s.onion).add(join(s.targets));
    st.add_or_null(join(s.addresses)).add(s.country);
    st.add(std::int64_t{s.asn}).add_or_null(s.as_name);
    st.add_or_null(s.claimed_software).add_or_null(s.claimed_version);
    st.add(s.implementation).add_or_null(s.implementation_version);
    st.add(s.modified);
    st.add_or_null(s.protocol_min).add_or_null(s.protocol_max);
    st.add_or_null(s.cert_sha256).add_or_null(s.spki_sha256);
    st.add(s.first_seen_us).add(s.last_seen_us);
    st.add(static_cast<std::int64_t>(s.rounds_probed));
    st.add(static_cast<std::int64_t>(s.rounds_reachable)).add(s.uptime);
    st.run();
    for (const auto& r : s.reachability) {
      auto rs = db.prepare("INSERT INTO server_reachability VALUES(?,?,?,?)");
      rs.bind(1, s.server).bind(2, r.vantage_id).bind(3, static_cast<std::int64_t>(r.probed));
      rs.bind(4, static_cast<std::int64_t>(r.reachable));
      rs.run();
    }
  }
  for (const auto& c : figures) {
    for (const auto& g : c.groups) {
      auto gs = db.prepare("INSERT INTO concentration VALUES(?,?,?,?)");
      gs.bind(1, c.dimension).bind(2, g.group).bind(3, static_cast<std::int64_t>(g.servers));
      gs.bind(4, g.share);
      gs.run();
    }
    auto ss = db.prepare("INSERT INTO concentration_summary VALUES(?,?,?,?,?)");
    ss.bind(1, c.dimension).bind(2, static_cast<std::int64_t>(c.servers));
    ss.bind(3, static_cast<std::int64_t>(c.groups.size())).bind(4, c.hhi);
    ss.bind(5, static_cast<std::int64_t>(c.half_cover));
    ss.run();
  }
  tx.commit();
}

}  // namespace eo::aggregator::inventory
