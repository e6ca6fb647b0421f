// The report: hostile server strings come out inert, CSV is RFC 4180, two runs are
// byte-identical, and the map colours the countries that hold servers.
#include "aggregator/app/analyze.h"
#include "aggregator/report/document.h"
#include "aggregator/report/exports.h"
#include "aggregator/report/html.h"
#include "aggregator/report/report.h"
#include "aggregator/report/world_map.h"
#include "aggregator/results/derive.h"
#include "tests/aggregator/support.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace eo::aggregator {
namespace {

namespace fs = std::filesystem;
using report::Cell;
using report::Table;

// What a hostile server can put in its banner or version string.
const std::string kHostile =
    "</script><img src=x onerror=alert(1)><script>alert(2)</script>\"'&<svg onload=alert(3)>";

std::string read(const fs::path& path) {
  std::stringstream s;
  s << std::ifstream(path, std::ios::binary).rdbuf();
  return s.str();
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// 10 servers x 3 vantages x 8 probes, analysed, with the servers in three countries, then
// findings, suspicion and privacy rows carrying hostile text as the parallel analyses would.
void make_database(results::ResultsDb& db) {
  std::vector<results::ObservationRow> rows;
  for (std::uint64_t i = 0; i < 240; ++i) {
    rows.push_back(results::to_row(test::synthetic_observation(i, 10, 3)));
  }
  db.write_batch(rows, {}, {});
  auto geo = [](const std::string& ip) -> std::optional<inventory::Geo> {
    int last = std::stoi(ip.substr(ip.rfind('.') + 1));
    static const char* kCountries[] = {"DE", "DE", "DE", "US", "FR"};
    return inventory::Geo{kCountries[last % 5], std::uint32_t(64500 + last % 3), "AS-TEST"};
  };
  app::analyze(db, reference::builtin_reference(), geo);
  auto& d = db.database();
  auto hostile = d.prepare("UPDATE servers SET claimed_software = ?, as_name = ?");
  hostile.bind(1, kHostile).bind(2, kHostile);
  hostile.run();
  auto finding = d.prepare("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  finding.add(std::string("f-1"))
      .add(std::string("differential.reachability"))
      .add(std::string("server-1.example"))
      .add(std::string("server-1.example:50002:s"))
      .add(std::string("v2"))
      .add(std::string("reachability"))
      .add(1.0)
      .add(7.0e-6)
      .add(2.1e-4)
      .add("refused one vantage: " + kHostile)
      .add(std::string(R"(["obs-11","obs-35"])"))
      .add(std::string("{}"));
  finding.run();
  auto suspicion = d.prepare("INSERT INTO suspicion VALUES (?, ?, ?, ?)");
  suspicion.add(std::string("server-1.example"))
      .add(0.7)
      .add(std::string("high"))
      .add(nlohmann::json::array({{{"name", "certificate_reuse"},
                                   {"weight", 0.4},
                                   {"value", 1.0},
                                   {"explanation", kHostile},
                                   {"evidence", {"obs-3", "obs-4"}}}})
               .dump());
  suspicion.run();
}

TEST(ReportHtml, EscapesEverySpecialCharacter) {
  EXPECT_EQ(report::escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(report::escape("caf\xC3\xA9 \xFF"), "caf\xC3\xA9 \xEF\xBF\xBD");
}

TEST(ReportHtml, HostileServerStringsComeOutInert) {
  eo::test::TempDir dir;
  results::ResultsDb db(dir.file("r.sqlite"));
  make_database(db);
  std::string html = report::render_report(db);
  // The only script is ours, and no server text opened an element.
  EXPECT_EQ(occurrences(html, "<script"), 1u);
  EXPECT_EQ(occurrences(html, "</script>"), 1u);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<svg onload"), std::string::npos);
  EXPECT_EQ(html.find("onerror=alert(1)>"), std::string::npos);
  EXPECT_NE(html.find("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  // The Content-Security-Policy allows exactly our script, by hash, and no fetch.
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(html.find("script-src " + report::script_hash_source(report::sort_script()) + "\""),
            std::string::npos);
  EXPECT_NE(html.find("<script>" + report::sort_script() + "</script>"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // namespace only
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(ReportHtml, FindingsShowTheirEvidenceAndEmptyTablesSayNone) {
  eo::test::TempDir dir;
  results::ResultsDb db(dir.file("r.sqlite"));
  make_database(db);
  db.database().exec("DELETE FROM privacy_risk");
  std::string html = report::render_report(db);
  EXPECT_NE(html.find("<code>obs-11 obs-35</code>"), std::string::npos);
  EXPECT_NE(html.find("<code>obs-3 obs-4</code>"), std::string::npos);  // an indicator's
  EXPECT_NE(html.find(">7e-06</td>"), std::string::npos);               // p and q keep their digits
  EXPECT_NE(html.find(">0.00021</td>"), std::string::npos);
  // No privacy rows (deleted), no leak findings: those sections say so.
  EXPECT_NE(html.find("<p class=\"none\" id=\"table-privacy\">none</p>"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"none\" id=\"findings-leaks\">none</p>"), std::string::npos);
  for (const char* heading :
       {"Overview", "Network map", "Servers", "Centralization", "Behaviour fingerprints",
        "Differential findings", "Operator clusters", "Honeypot suspicion",
        "Privacy recommendations"}) {
    EXPECT_NE(html.find(">" + std::string(heading) + "</h2>"), std::string::npos) << heading;
  }
}

TEST(ReportHtml, SaysWhichFingerprintsWereConfirmedOnRealSoftware) {
  eo::test::TempDir dir;
  results::ResultsDb db(dir.file("r.sqlite"));
  make_database(db);
  const std::string html = report::render_report(db);
  const auto table = html.find("id=\"table-fingerprint-sources\"");
  ASSERT_NE(table, std::string::npos);
  const std::string rows = html.substr(table, html.find("</table>", table) - table);
  EXPECT_NE(rows.find("genuine e-x 1.16.0"), std::string::npos) << rows;     // ElectrumX's
  EXPECT_NE(rows.find("read from source only"), std::string::npos) << rows;  // Fulcrum's
}

TEST(ReportCsv, QuotesPerRfc4180) {
  EXPECT_EQ(report::csv_field("plain"), "plain");
  EXPECT_EQ(report::csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(report::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(report::csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(report::csv_field("cr\r"), "\"cr\r\"");
  EXPECT_EQ(report::csv_field(""), "");
  Table t;
  t.name = "t";
  t.columns = {"id", "text", "share"};
  Cell id{Cell::Kind::integer, "7", 7, 0}, text{Cell::Kind::text, "x,\"y\"", 0, 0},
      share{Cell::Kind::real, "0.25", 0, 0.25}, null;
  t.rows = {{id, text, share}, {id, null, null}};
  EXPECT_EQ(report::to_csv(t), "id,text,share\r\n7,\"x,\"\"y\"\"\",0.25\r\n7,,\r\n");
  auto json = report::to_json(t);
  EXPECT_EQ(json.dump(),
            R"([{"id":7,"share":0.25,"text":"x,\"y\""},{"id":7,"share":null,"text":null}])");
}

TEST(ReportFiles, TwoRunsAreByteIdenticalAndExportEveryAnalysisTable) {
  eo::test::TempDir dir;
  results::ResultsDb db(dir.file("r.sqlite"));
  make_database(db);
  auto first = report::write_report(db, dir.file("one"));
  auto second = report::write_report(db, dir.file("two"));
  EXPECT_GE(first.tables, 12u);
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir.file("one"))) {
    if (!entry.is_regular_file()) continue;
    ++files;
    auto other = fs::path(dir.file("two")) / fs::relative(entry.path(), dir.file("one"));
    EXPECT_EQ(read(entry.path()), read(other)) << entry.path();
  }
  EXPECT_EQ(files, first.tables + 2);  // csv/* + report.json + report.html
  for (const char* table : {"servers", "findings", "suspicion", "privacy_risk", "differential",
                            "operator_clusters", "concentration_summary", "fingerprints"}) {
    EXPECT_TRUE(fs::exists(dir.file("one") + "/csv/" + table + ".csv")) << table;
  }
  EXPECT_FALSE(fs::exists(dir.file("one") + "/csv/observations.csv"));  // ingested, not analysis
  EXPECT_FALSE(fs::exists(dir.file("one") + "/csv/findings_published.csv"));  // bookkeeping
  auto json = nlohmann::json::parse(read(first.json));
  EXPECT_EQ(json["servers"].size(), 10u);
  EXPECT_EQ(json["servers"][0]["claimed_software"], kHostile);
  EXPECT_EQ(json["findings"][0]["p"], 7.0e-6);
  auto privacy = db.database().prepare("SELECT count(*) FROM privacy_risk");
  privacy.step();
  EXPECT_EQ(json["privacy_risk"].size(), std::size_t(privacy.i64(0)));
  std::string csv = read(dir.file("one") + "/csv/servers.csv");
  EXPECT_EQ(csv.rfind("server,onion,targets,", 0), 0u) << csv.substr(0, 200);
}

TEST(ReportMap, DecodesTheBuiltInAtlas) {
  const auto& countries = report::builtin_countries();
  ASSERT_GE(countries.size(), 170u);  // world-atlas 110m has 177
  std::map<std::string, std::string> by_code;
  for (const auto& c : countries) by_code[c.alpha2] = c.name;
  EXPECT_EQ(by_code["DE"], "Germany");
  EXPECT_EQ(by_code["US"], "United States of America");
  EXPECT_EQ(by_code["JP"], "Japan");
  EXPECT_EQ(by_code["XK"], "Kosovo");
  // The projection: the null meridian and the equator at the centre, north up.
  auto centre = report::project(0, 0);
  EXPECT_NEAR(centre.x, report::kMapWidth / 2, 1e-9);
  EXPECT_NEAR(centre.y, report::map_height() / 2, 1e-9);
  EXPECT_LT(report::project(0, 60).y, centre.y);
  EXPECT_LT(report::project(-90, 0).x, centre.x);
  // Germany's shape lies around 10°E 51°N.
  auto germany = report::project(10, 51);
  for (const auto& c : countries) {
    if (c.alpha2 != "DE") continue;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(c.path, m, std::regex("^M([0-9.]+),([0-9.]+)"))) << c.path;
    EXPECT_NEAR(std::stod(m[1]), germany.x, 25);
    EXPECT_NEAR(std::stod(m[2]), germany.y, 25);
  }
  // Every coordinate is a number.
  for (const auto& c : countries) {
    EXPECT_EQ(c.path.find("nan"), std::string::npos) << c.name;
  }
}

TEST(ReportMap, ColoursCountriesByServers) {
  std::string svg =
      report::map_svg(report::builtin_countries(), {{"DE", 30}, {"US", 1}, {"unknown", 5}});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m,
                                std::regex("class=\"country (c[0-9])\" data-cc=\"DE\" "
                                           "data-servers=\"30\"")));
  EXPECT_EQ(m[1], "c5");
  ASSERT_TRUE(std::regex_search(svg, m,
                                std::regex("class=\"country (c[0-9])\" data-cc=\"US\" "
                                           "data-servers=\"1\"")));
  EXPECT_EQ(m[1], "c1");
  ASSERT_TRUE(std::regex_search(svg, m, std::regex("class=\"country (c[0-9])\" data-cc=\"FR\"")));
  EXPECT_EQ(m[1], "c0");
  EXPECT_EQ(occurrences(svg, "class=\"country c0\""), report::builtin_countries().size() - 2);
  EXPECT_NE(svg.find("<title>Germany (DE): 30 servers</title>"), std::string::npos);
}

TEST(ReportMap, BadAtlasGivesNoShapesAndTheReportSaysSo) {
  EXPECT_TRUE(report::decode_countries("{", "{}").empty());
  EXPECT_TRUE(report::decode_countries(R"({"type":"Topology"})", "").empty());
  EXPECT_TRUE(report::decode_countries(
                  R"({"transform":{"scale":[1,1],"translate":[0,0]},"arcs":[[[0,0],["x",1]]],)"
                  R"("objects":{"countries":{"geometries":[]}}})",
                  "")
                  .empty());
}

}  // namespace
}  // namespace eo::aggregator
