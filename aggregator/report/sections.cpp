#include "aggregator/report/sections.h"

#include "aggregator/reference/reference.h"

#include "aggregator/report/behaviour_section.h"
#include "aggregator/report/charts.h"
#include "aggregator/report/history_section.h"
#include "aggregator/report/html.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

namespace eo::aggregator::report {

namespace {

using Json = nlohmann::json;
using Row = std::vector<Cell>;

const Table& table_or_empty(const Tables& tables, const std::string& name) {
  static const Table kEmpty;
  auto it = tables.find(name);
  return it == tables.end() ? kEmpty : it->second;
}

// The findings of some kinds (a kind ending in '.' is a prefix), as one table.
std::string findings_table(const Tables& tables, const std::string& id,
                           const std::vector<std::string>& kinds) {
  const Table& t = table_or_empty(tables, "findings");
  HtmlTable out(id, {"finding", "kind", "server", "target", "vantage", "dimension", "score", "p",
                     "q", "summary", "evidence"});
  for (const auto& row : t.rows) {
    const std::string& kind = t.at(row, "kind").text;
    bool wanted = std::any_of(kinds.begin(), kinds.end(), [&](const std::string& k) {
      return k.back() == '.' ? kind.rfind(k, 0) == 0 : kind == k;
    });
    if (!wanted) continue;
    out.add_row({text_cell(t.at(row, "finding_id").text), text_cell(kind),
                 text_cell(t.at(row, "server").text), text_cell(t.at(row, "target_id").text),
                 text_cell(t.at(row, "vantage_id").text), text_cell(t.at(row, "dimension").text),
                 cell_of(t.at(row, "score"), 2), probability_cell(t.at(row, "p")),
                 probability_cell(t.at(row, "q")), text_cell(t.at(row, "summary").text),
                 evidence_cell(t.at(row, "evidence_json").text)});
  }
  return out.render();
}

std::string paragraph(const std::string& text) { return "<p>" + text + "</p>\n"; }

std::string overview_section(const Tables& tables, const Overview& o) {
  const Table& servers = table_or_empty(tables, "servers");
  std::int64_t reachable = 0, modified = 0;
  for (const auto& row : servers.rows) {
    if (servers.at(row, "rounds_reachable").integer > 0) ++reachable;
    if (servers.at(row, "modified").integer != 0) ++modified;
  }
  std::map<std::string, std::int64_t> kinds;
  const Table& findings = table_or_empty(tables, "findings");
  for (const auto& row : findings.rows) ++kinds[findings.at(row, "kind").text];
  std::string html = "<dl class=\"overview\">";
  auto item = [&](const std::string& term, const std::string& value) {
    html += "<dt>" + term + "</dt><dd>" + value + "</dd>";
  };
  item("observations", std::to_string(o.observations));
  item("observed", o.observations ? utc_time(o.first_us) + " – " + utc_time(o.last_us) : "–");
  item("rounds", std::to_string(o.rounds));
  item("vantages", std::to_string(o.vantages));
  item("servers", std::to_string(servers.rows.size()) + " (" + std::to_string(reachable) +
                      " answered at least once, " + std::to_string(modified) +
                      " modified implementations)");
  item("honeypot events", std::to_string(o.honeypot_events));
  std::string by_kind;
  for (const auto& [kind, n] : kinds) {
    by_kind += (by_kind.empty() ? "" : ", ") + escape(kind) + " " + std::to_string(n);
  }
  item("findings", by_kind.empty() ? "none" : by_kind);
  item("results schema", "v" + std::to_string(o.schema_version));
  return html + "</dl>\n";
}

std::string map_section(const Tables& tables, const std::vector<CountryShape>& countries) {
  const Table& servers = table_or_empty(tables, "servers");
  std::map<std::string, std::int64_t> by_country;
  for (const auto& row : servers.rows) ++by_country[servers.at(row, "country").text];
  std::string html;
  if (countries.empty()) {
    html += paragraph(
        "No map: this binary was built without the world-atlas shapes "
        "(run scripts/install-deps.sh, then rebuild).");
  } else {
    html += "<figure>" + map_svg(countries, by_country) + "</figure>\n";
  }
  std::map<std::string, bool> drawn;
  for (const auto& c : countries) drawn[c.alpha2] = true;
  HtmlTable table("table-countries", {"country", "servers", "share", "on the map"});
  for (const auto& [country, n] : by_country) {
    table.add_row({text_cell(country), number_cell(n),
                   real_cell(double(n) / double(servers.rows.size()), 3),
                   text_cell(drawn.count(country) ? "yes" : "no")});
  }
  return html + table.render();
}

std::string servers_section(const Tables& tables) {
  const Table& s = table_or_empty(tables, "servers");
  const Table& r = table_or_empty(tables, "server_reachability");
  std::map<std::string, std::string> reach;
  for (const auto& row : r.rows) {
    std::string& text = reach[r.at(row, "server").text];
    text += (text.empty() ? "" : "; ") + r.at(row, "vantage_id").text + " " +
            r.at(row, "reachable").text + "/" + r.at(row, "probed").text;
  }
  HtmlTable table("table-servers",
                  {"server", "targets", "addresses", "country", "ASN", "AS name", "claims",
                   "implementation (behaviour)", "modified", "TLS certificate", "protocol",
                   "first seen", "last seen", "uptime", "reachable by vantage (rounds)"});
  for (const auto& row : s.rows) {
    auto join = [](std::string a, const std::string& b) {
      return b.empty() ? a : a.empty() ? b : a + " " + b;
    };
    const std::string& cert = s.at(row, "cert_sha256").text;
    HtmlCell tls{cert.empty() ? ""
                              : "<code title=\"" + escape(cert) + "\">" +
                                    escape(cert.substr(0, 16)) + "…</code>",
                 ""};
    std::string protocol = s.at(row, "protocol_min").text;
    if (!s.at(row, "protocol_max").text.empty()) protocol += "–" + s.at(row, "protocol_max").text;
    const Cell& first = s.at(row, "first_seen_us");
    const Cell& last = s.at(row, "last_seen_us");
    const std::string& server = s.at(row, "server").text;
    table.add_row(
        {text_cell(server),
         text_cell(s.at(row, "targets").text),
         text_cell(s.at(row, "addresses").text),
         text_cell(s.at(row, "country").text),
         cell_of(s.at(row, "asn")),
         text_cell(s.at(row, "as_name").text),
         text_cell(join(s.at(row, "claimed_software").text, s.at(row, "claimed_version").text)),
         text_cell(
             join(s.at(row, "implementation").text, s.at(row, "implementation_version").text)),
         text_cell(s.at(row, "modified").integer ? "yes" : "no"),
         tls,
         text_cell(protocol),
         {first.integer > 0 ? utc_time(first.integer) : "never", std::to_string(first.integer)},
         {last.integer > 0 ? utc_time(last.integer) : "never", std::to_string(last.integer)},
         real_cell(s.at(row, "uptime").real, 3),
         text_cell(reach[server])});
  }
  return paragraph(
             "Uptime: rounds with an answer / rounds that probed the server. Country and "
             "ASN from libloc for the server's first address.") +
         table.render();
}

std::string centralization_section(const Tables& tables) {
  const Table& summary = table_or_empty(tables, "concentration_summary");
  const Table& groups = table_or_empty(tables, "concentration");
  HtmlTable table("table-centralization",
                  {"dimension", "servers (group known)", "groups", "HHI", "groups covering half"});
  for (const auto& row : summary.rows) {
    table.add_row({text_cell(summary.at(row, "dimension").text),
                   cell_of(summary.at(row, "servers")), cell_of(summary.at(row, "groups")),
                   cell_of(summary.at(row, "hhi"), 3), cell_of(summary.at(row, "half_cover"))});
  }
  std::string html =
      paragraph(
          "HHI: the sum of squared shares (1/n for n equal groups, 1 for one group). "
          "Groups covering half: the fewest groups holding at least half of the servers.") +
      table.render();
  for (const auto& row : summary.rows) {
    const std::string& dimension = summary.at(row, "dimension").text;
    std::vector<std::pair<std::int64_t, const Row*>> members;
    for (const auto& g : groups.rows) {
      if (groups.at(g, "dimension").text == dimension) {
        members.emplace_back(groups.at(g, "servers").integer, &g);
      }
    }
    std::stable_sort(members.begin(), members.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<Bar> bars;
    for (std::size_t i = 0; i < members.size() && i < 10; ++i) {
      const Row& g = *members[i].second;
      bars.push_back({groups.at(g, "grp").text, groups.at(g, "share").real,
                      std::to_string(members[i].first) + " servers"});
    }
    html += "<h3>" + escape(dimension) + "</h3>\n";
    html += bars.empty() ? "<p class=\"none\">none</p>\n"
                         : "<figure>" + bar_chart_svg("chart-" + dimension, bars) +
                               (members.size() > 10
                                    ? "<figcaption>the 10 largest of " +
                                          std::to_string(members.size()) + " groups</figcaption>"
                                    : "") +
                               "</figure>\n";
  }
  return html;
}

// Whether each reference fingerprint was checked against real server software: a verdict naming
// an implementation whose fingerprint was only read from source is weaker evidence.
std::string confirmation_table() {
  HtmlTable table("table-fingerprint-sources", {"implementation", "fingerprint confirmed on"});
  for (const auto& impl : reference::builtin_reference().implementations) {
    table.add_row({text_cell(impl.display),
                   text_cell(impl.confirmed.empty() ? "read from source only" : impl.confirmed)});
  }
  return "<h3>Reference fingerprints</h3>\n" +
         paragraph(
             "Which fingerprints of the built-in reference were checked against real "
             "server software (docs/fingerprints.md), and which were read from source "
             "only.") +
         table.render();
}

std::string fingerprints_section(const Tables& tables) {
  const Table& f = table_or_empty(tables, "fingerprints");
  HtmlTable table("table-fingerprints", {"target", "claims", "behaves as", "version range",
                                         "facts matched", "facts contradicted", "modified"});
  for (const auto& row : f.rows) {
    std::string claim = f.at(row, "claimed_implementation").text;
    const std::string& version = f.at(row, "claimed_version").text;
    if (!version.empty()) claim += " " + version;
    table.add_row({text_cell(f.at(row, "target_id").text), text_cell(claim),
                   text_cell(f.at(row, "implementation").text),
                   text_cell(f.at(row, "version_range").text), cell_of(f.at(row, "matched")),
                   cell_of(f.at(row, "contradicted")),
                   text_cell(f.at(row, "modified").integer ? "yes" : "no")});
  }
  return paragraph(
             "Implementations inferred from behaviour (framing, error texts and codes, "
             "feature keys, version negotiation) against the reference fingerprints "
             "(data/fingerprints.yaml). Each verdict's facts and observation ids are in "
             "fingerprints.evidence_json (csv/fingerprints.csv, report.json).") +
         table.render() + confirmation_table() + "<h3>Modified implementations</h3>\n" +
         findings_table(tables, "findings-modified", {"modified_implementation"});
}

std::string rate_limits_section(const Tables& tables) {
  const Table& t = table_or_empty(tables, "rate_limits");
  HtmlTable table("table-rate-limits",
                  {"target", "vantage", "ramps", "throttled", "threshold (requests)", "style"});
  for (const auto& row : t.rows) {
    table.add_row({text_cell(t.at(row, "target_id").text), text_cell(t.at(row, "vantage_id").text),
                   cell_of(t.at(row, "observations")), cell_of(t.at(row, "throttled")),
                   cell_of(t.at(row, "threshold")), text_cell(t.at(row, "style").text)});
  }
  return table.render();
}

std::string differential_section(const Tables& tables) {
  const Table& d = table_or_empty(tables, "differential");
  HtmlTable tests("table-differential",
                  {"target", "dimension", "vantage", "vantage differs/alike", "others differ/alike",
                   "p", "q", "direction", "status", "confounders", "evidence"});
  for (const auto& row : d.rows) {
    if (d.at(row, "status").text == "not_significant") continue;
    auto confounders = Json::parse(d.at(row, "confounders_json").text, nullptr, false);
    std::string named;
    if (confounders.is_array()) {
      for (const auto& c : confounders) {
        named += (named.empty() ? "" : "; ") + (c.is_string() ? c.get<std::string>() : c.dump());
      }
    }
    tests.add_row(
        {text_cell(d.at(row, "target_id").text), text_cell(d.at(row, "dimension").text),
         text_cell(d.at(row, "vantage_id").text),
         text_cell(d.at(row, "vantage_differs").text + "/" + d.at(row, "vantage_alike").text),
         text_cell(d.at(row, "rest_differs").text + "/" + d.at(row, "rest_alike").text),
         probability_cell(d.at(row, "p")), probability_cell(d.at(row, "q")),
         text_cell(d.at(row, "direction").text), text_cell(d.at(row, "status").text),
         text_cell(named), evidence_cell(d.at(row, "evidence_json").text)});
  }
  return paragraph(
             "Per target, dimension and vantage over the rounds: Fisher's exact test, "
             "Benjamini–Hochberg across every test of the run; benign confounders named "
             "first (docs/aggregator.md).") +
         findings_table(tables, "findings-differential", {"differential."}) +
         "<h3>Tests that stood out (findings and confounded)</h3>\n" + tests.render();
}

std::string operators_section(const Tables& tables) {
  const Table& c = table_or_empty(tables, "operator_clusters");
  HtmlTable clusters("table-operator-clusters",
                     {"cluster", "servers", "members", "links", "outliers"});
  for (const auto& row : c.rows) {
    std::string links;
    auto evidence = Json::parse(c.at(row, "evidence_json").text, nullptr, false);
    if (evidence.is_array()) {
      for (const auto& link : evidence) {
        if (!link.is_object()) continue;
        std::string value = link.contains("value") && link["value"].is_string()
                                ? link["value"].get<std::string>()
                                : link.value("value", Json()).dump();
        links += "<li>" + escape(link.value("kind", "")) +
                 (link.value("strong", false) ? " (strong)" : "") +
                 (link.value("merged", true) ? "" : " (annotation)") + ": <code>" + escape(value) +
                 "</code></li>";
      }
    }
    auto outliers = Json::parse(c.at(row, "outliers_json").text, nullptr, false);
    clusters.add_row(
        {text_cell(c.at(row, "cluster_id").text),
         cell_of(c.at(row, "servers")),
         text_cell(c.at(row, "members").text),
         {links.empty() ? "" : "<ul>" + links + "</ul>", ""},
         text_cell(outliers.is_discarded() || outliers.empty()
                       ? std::string()
                       : outliers.dump(-1, ' ', false, Json::error_handler_t::replace))});
  }
  return findings_table(tables, "findings-operator-clusters", {"operator_cluster"}) +
         "<h3>Clusters and their links</h3>\n" + clusters.render();
}

std::string suspicion_section(const Tables& tables) {
  const Table& s = table_or_empty(tables, "suspicion");
  std::vector<const Row*> rows;
  for (const auto& row : s.rows) rows.push_back(&row);
  std::stable_sort(rows.begin(), rows.end(), [&](const Row* a, const Row* b) {
    return s.at(*a, "score").real > s.at(*b, "score").real;
  });
  HtmlTable table("table-suspicion", {"server", "score", "level", "indicators"});
  for (const Row* row : rows) {
    std::string list;
    auto indicators = Json::parse(s.at(*row, "indicators_json").text, nullptr, false);
    if (indicators.is_array()) {
      for (const auto& i : indicators) {
        if (!i.is_object()) continue;
        auto number = [&](const char* key) {
          return i.contains(key) && i[key].is_number() ? fixed(i[key].get<double>(), 2)
                                                       : std::string("?");
        };
        list += "<li><b>" + escape(i.value("name", "")) + "</b> weight " + number("weight") +
                " × value " + number("value") + ": " + escape(i.value("explanation", "")) + " " +
                evidence_cell(i.contains("evidence") ? i["evidence"].dump() : "[]").html + "</li>";
      }
    }
    table.add_row({text_cell(s.at(*row, "server").text),
                   cell_of(s.at(*row, "score"), 2),
                   text_cell(s.at(*row, "level").text),
                   {list.empty() ? "" : "<ul>" + list + "</ul>", ""}});
  }
  return paragraph(
             "An explainable score: weighted indicators, each with its evidence; "
             "weights in the configuration (docs/aggregator.md).") +
         table.render() + "<h3>Suspicion findings</h3>\n" +
         findings_table(tables, "findings-suspicion", {"honeypot_suspicion"});
}

std::string leaks_section(const Tables& tables) {
  return paragraph(
             "What our honeypots saw servers or clients do with what they learned: "
             "broadcasts of our own test transactions from elsewhere, and queries for "
             "script hashes only our wallets know.") +
         findings_table(tables, "findings-leaks", {"phishing_broadcast", "query_leak"});
}

std::string privacy_section(const Tables& tables) {
  const Table& p = table_or_empty(tables, "privacy_risk");
  HtmlTable table("table-privacy", {"item", "severity", "finding", "evidence", "recommendation"});
  for (const auto& row : p.rows) {
    table.add_row({text_cell(p.at(row, "item").text), text_cell(p.at(row, "severity").text),
                   text_cell(p.at(row, "finding").text), text_cell(p.at(row, "evidence").text),
                   text_cell(p.at(row, "recommendation").text)});
  }
  return table.render();
}

std::string exports_section(const Tables& tables) {
  std::string list;
  for (const auto& [name, table] : tables) {
    list += "<li><a href=\"csv/" + escape(name) + ".csv\">csv/" + escape(name) + ".csv</a> (" +
            std::to_string(table.rows.size()) + " rows)</li>";
  }
  return paragraph(
             "Every analysis table as CSV (RFC 4180, header row, UTF-8) and all of them in "
             "<a href=\"report.json\">report.json</a> (one object, a table per key, rows as "
             "objects); both load with pandas. The observations behind every evidence id "
             "are in the results database's <code>observations</code> table.") +
         "<ul>" + list + "</ul>\n";
}

}  // namespace

std::vector<Section> report_sections(const Tables& tables, const Overview& overview,
                                     const std::vector<CountryShape>& countries) {
  return {
      {"overview", "Overview", overview_section(tables, overview)},
      {"map", "Network map", map_section(tables, countries)},
      {"servers", "Servers", servers_section(tables)},
      {"history", "Server histories", history_section(tables)},
      {"centralization", "Centralization", centralization_section(tables)},
      {"fingerprints", "Behaviour fingerprints", fingerprints_section(tables)},
      {"behaviour", "Behaviour clusters", behaviour_section(tables)},
      {"rate-limits", "Rate limits", rate_limits_section(tables)},
      {"differential", "Differential findings", differential_section(tables)},
      {"operators", "Operator clusters", operators_section(tables)},
      {"suspicion", "Honeypot suspicion", suspicion_section(tables)},
      {"leaks", "Phishing broadcasts and query leaks", leaks_section(tables)},
      {"privacy", "Privacy recommendations", privacy_section(tables)},
      {"exports", "Exports", exports_section(tables)},
  };
}

}  // namespace eo::aggregator::report
