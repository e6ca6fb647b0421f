#include "cli/local_summary.h"

#include "aggregator/results/results_db.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

namespace eo::cli {

namespace {

using Json = nlohmann::json;
using aggregator::results::Database;

std::set<std::string> split(const std::string& list) {
  std::set<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.insert(item);
  }
  return out;
}

// Observations of the campaign by outcome, and the failures of those that did not succeed.
Json observation_counts(Database& db, const std::string& campaign_id) {
  Json by_outcome = Json::object(), by_failure = Json::object();
  std::uint64_t total = 0;
  auto outcomes =
      db.prepare("SELECT outcome, count(*) FROM observations WHERE campaign_id = ? GROUP BY 1");
  outcomes.bind(1, campaign_id);
  while (outcomes.step()) {
    by_outcome[outcomes.text(0)] = outcomes.i64(1);
    total += std::uint64_t(outcomes.i64(1));
  }
  auto failures = db.prepare(
      "SELECT coalesce(failure, outcome), count(*) FROM observations WHERE campaign_id = ? "
      "AND outcome != 'ok' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 12");
  failures.bind(1, campaign_id);
  while (failures.step()) by_failure[failures.text(0)] = failures.i64(1);
  return {{"total", total}, {"by_outcome", by_outcome}, {"top_failures", by_failure}};
}

Json servers_of(Database& db, const std::set<std::string>& campaign_targets) {
  Json out = Json::array();
  auto st = db.prepare(
      "SELECT server, onion, targets, implementation, coalesce(implementation_version, ''), "
      "coalesce(claimed_software, ''), coalesce(claimed_version, ''), modified, rounds_probed, "
      "rounds_reachable, uptime, country, asn, coalesce(as_name, '') FROM servers ORDER BY server");
  while (st.step()) {
    auto targets = split(st.text(2));
    bool ours = false;
    for (const auto& t : targets) ours = ours || campaign_targets.count(t) > 0;
    if (!ours) continue;
    out.push_back(
        {{"server", st.text(0)},
         {"onion", st.i64(1) != 0},
         {"targets", targets},
         {"reachable", st.i64(9) > 0},
         {"implementation", st.text(3)},
         {"implementation_version", st.text(4)},
         {"claimed_software", st.text(5)},
         {"claimed_version", st.text(6)},
         {"modified", st.i64(7) != 0},
         {"rounds_probed", st.i64(8)},
         {"rounds_reachable", st.i64(9)},
         {"uptime", std::stod(st.text(10))},  // REAL, read as text: Stmt has no double getter
         {"country", st.text(11)},
         {"asn", st.i64(12)},
         {"as_name", st.text(13)}});
  }
  return out;
}

Json modified_of(Database& db, const std::set<std::string>& campaign_targets) {
  Json out = Json::array();
  auto st = db.prepare(
      "SELECT target_id, coalesce(claimed_implementation, ''), coalesce(claimed_version, ''), "
      "implementation, evidence_json FROM fingerprints WHERE modified != 0 ORDER BY target_id");
  while (st.step()) {
    if (!campaign_targets.count(st.text(0))) continue;
    out.push_back({{"target", st.text(0)},
                   {"claimed", st.text(1) + (st.text(2).empty() ? "" : " " + st.text(2))},
                   {"behaves_as", st.text(3)},
                   {"evidence", Json::parse(st.text(4), nullptr, false)}});
  }
  return out;
}

Json rate_limits_of(Database& db, const std::set<std::string>& campaign_targets) {
  Json out = Json::array();
  auto st = db.prepare(
      "SELECT target_id, vantage_id, observations, throttled, threshold, style FROM rate_limits "
      "WHERE throttled > 0 ORDER BY target_id, vantage_id");
  while (st.step()) {
    if (!campaign_targets.count(st.text(0))) continue;
    Json row = {{"target", st.text(0)},   {"vantage", st.text(1)}, {"ramps", st.i64(2)},
                {"throttled", st.i64(3)}, {"style", st.text(5)},   {"threshold", nullptr}};
    if (auto threshold = st.opt_i64(4)) row["threshold"] = *threshold;
    out.push_back(row);
  }
  return out;
}

Json centralization_of(Database& db) {
  Json out = Json::array();
  auto st = db.prepare(
      "SELECT dimension, servers, groups, hhi, half_cover FROM concentration_summary "
      "ORDER BY dimension");
  while (st.step()) {
    Json row = {{"dimension", st.text(0)}, {"servers", st.i64(1)},
                {"groups", st.i64(2)},     {"hhi", std::stod(st.text(3))},
                {"half_cover", st.i64(4)}, {"largest", Json::array()}};
    auto top = db.prepare(
        "SELECT grp, servers, share FROM concentration WHERE dimension = ? "
        "ORDER BY servers DESC, grp LIMIT 3");
    top.bind(1, st.text(0));
    while (top.step()) {
      row["largest"].push_back(
          {{"group", top.text(0)}, {"servers", top.i64(1)}, {"share", std::stod(top.text(2))}});
    }
    out.push_back(row);
  }
  return out;
}

std::string percent(double share) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(0) << share * 100 << "%";
  return out.str();
}

std::string markdown(const Json& r, const std::string& header) {
  std::ostringstream md;
  md << "# Electrum Observatory: local run " << r["campaign_id"].get<std::string>() << "\n\n"
     << header << "\n\n";
  const Json& obs = r["observations"];
  std::string outcomes;
  for (const auto& [outcome, n] : obs["by_outcome"].items()) {
    outcomes += (outcomes.empty() ? "" : ", ") + outcome + " " + n.dump();
  }
  md << "## Observations\n\n" << obs["total"] << " observations (" << outcomes << ").\n";
  if (!obs["top_failures"].empty()) {
    md << "\nMost frequent failures:\n\n";
    for (const auto& [failure, n] : obs["top_failures"].items()) {
      md << "- `" << failure << "`: " << n << "\n";
    }
  }
  const Json& servers = r["servers"];
  md << "\n## Servers\n\n"
     << r["servers_reachable"] << " of " << servers.size()
     << " servers answered in at least one round; " << r["servers_unreachable"] << " did not.\n\n";
  if (!servers.empty()) {
    md << "| server | reachable | implementation (behaviour) | claims | modified | country | ASN "
          "|\n"
          "|---|---|---|---|---|---|---|\n";
    for (const auto& s : servers) {
      std::string impl = s["implementation"].get<std::string>();
      if (!s["implementation_version"].get<std::string>().empty()) {
        impl += " " + s["implementation_version"].get<std::string>();
      }
      md << "| " << s["server"].get<std::string>() << " | "
         << (s["reachable"].get<bool>() ? "yes" : "no") << " | " << impl << " | "
         << s["claimed_software"].get<std::string>() << " "
         << s["claimed_version"].get<std::string>() << " | "
         << (s["modified"].get<bool>() ? "**yes**" : "no") << " | "
         << s["country"].get<std::string>() << " | " << s["asn"] << " |\n";
    }
  }
  md << "\n## Implementations (inferred from behaviour, reachable servers)\n\n";
  for (const auto& [impl, n] : r["implementations"].items())
    md << "- " << impl << ": " << n << "\n";
  md << "\n## Modified implementations\n\n";
  if (r["modified"].empty()) md << "None: no server's behaviour contradicted its claim.\n";
  for (const auto& m : r["modified"]) {
    md << "- " << m["target"].get<std::string>() << " claims " << m["claimed"].get<std::string>()
       << " but behaves as " << m["behaves_as"].get<std::string>()
       << " (evidence in summary.json)\n";
  }
  md << "\n## Rate limits\n\n";
  if (r["rate_limits"].empty()) {
    md << "No throttling seen (the rate_limit_ramp probe runs only when asked for: "
          "`--probes all`).\n";
  }
  for (const auto& l : r["rate_limits"]) {
    md << "- " << l["target"].get<std::string>() << " from " << l["vantage"].get<std::string>()
       << ": " << l["style"].get<std::string>() << " after "
       << (l["threshold"].is_null() ? std::string("?") : l["threshold"].dump()) << " requests\n";
  }
  md << "\n## Centralization (every server in the results database)\n\n";
  if (!r["centralization"].empty()) {
    md << "| dimension | servers | groups | HHI | groups covering half | largest |\n"
          "|---|---|---|---|---|---|\n";
  }
  for (const auto& c : r["centralization"]) {
    std::string largest;
    for (const auto& g : c["largest"]) {
      largest += (largest.empty() ? "" : ", ") + g["group"].get<std::string>() + " " +
                 percent(g["share"].get<double>());
    }
    md << "| " << c["dimension"].get<std::string>() << " | " << c["servers"] << " | " << c["groups"]
       << " | " << std::fixed << std::setprecision(3) << c["hhi"].get<double>() << " | "
       << c["half_cover"] << " | " << largest << " |\n";
  }
  md << "\nEvery observation and analysis table is in `results.sqlite` (see docs/aggregator.md).\n";
  return md.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

}  // namespace

SummaryFiles write_summary(const std::string& db_path, const std::string& out_dir,
                           const std::string& campaign_id, const std::string& header) {
  Database db(db_path);
  std::set<std::string> targets;
  {
    auto st = db.prepare("SELECT DISTINCT target_id FROM observations WHERE campaign_id = ?");
    st.bind(1, campaign_id);
    while (st.step()) targets.insert(st.text(0));
  }
  Json report;
  report["campaign_id"] = campaign_id;
  report["observations"] = observation_counts(db, campaign_id);
  report["servers"] = servers_of(db, targets);
  std::size_t reachable = 0;
  std::map<std::string, std::size_t> implementations;
  for (const auto& s : report["servers"]) {
    if (!s["reachable"].get<bool>()) continue;
    ++reachable;
    ++implementations[s["implementation"].get<std::string>()];
  }
  report["servers_reachable"] = reachable;
  report["servers_unreachable"] = report["servers"].size() - reachable;
  report["implementations"] = implementations;
  report["modified"] = modified_of(db, targets);
  report["rate_limits"] = rate_limits_of(db, targets);
  report["centralization"] = centralization_of(db);

  namespace fs = std::filesystem;
  SummaryFiles files;
  files.json = (fs::path(out_dir) / "summary.json").string();
  files.markdown = (fs::path(out_dir) / "report.md").string();
  files.servers = report["servers"].size();
  files.reachable = reachable;
  write_file(files.json, report.dump(2) + "\n");
  write_file(files.markdown, markdown(report, header));
  return files;
}

}  // namespace eo::cli
