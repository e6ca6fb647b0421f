#include "aggregator/report/report.h"

#include "aggregator/report/document.h"
#include "aggregator/report/exports.h"
#include "aggregator/report/tables.h"
#include "aggregator/report/world_map.h"
#include "aggregator/results/schema.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace eo::aggregator::report {

namespace {

namespace fs = std::filesystem;

std::int64_t scalar(results::Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  return st.step() ? st.i64(0) : 0;
}

void write_file(const fs::path& path, const std::string& text) {
  fs::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + temporary.string());
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) throw std::runtime_error("cannot write " + path.string() + ": " + error.message());
}

}  // namespace

Overview read_overview(results::ResultsDb& db) {
  auto& d = db.database();
  Overview o;
  o.observations = scalar(d, "SELECT count(*) FROM observations");
  o.honeypot_events = scalar(d, "SELECT count(*) FROM honeypot_events");
  o.vantages = scalar(d, "SELECT count(DISTINCT vantage_id) FROM observations");
  o.rounds =
      scalar(d, "SELECT count(*) FROM (SELECT DISTINCT campaign_id, round FROM observations)");
  o.first_us = scalar(d, "SELECT coalesce(min(started_us), 0) FROM observations");
  o.last_us = scalar(d, "SELECT coalesce(max(started_us), 0) FROM observations");
  o.schema_version = results::schema_version(d);
  return o;
}

std::string render_report(results::ResultsDb& db) {
  auto tables = read_analysis_tables(db.database());
  return render_document(report_sections(tables, read_overview(db), builtin_countries()));
}

ReportFiles write_report(results::ResultsDb& db, const std::string& out_dir) {
  auto tables = read_analysis_tables(db.database());
  fs::path dir(out_dir);
  fs::create_directories(dir / "csv");
  ReportFiles files;
  files.html = (dir / "report.html").string();
  files.json = (dir / "report.json").string();
  files.csv_dir = (dir / "csv").string();
  files.tables = tables.size();
  if (auto it = tables.find("servers"); it != tables.end()) files.servers = it->second.rows.size();
  if (auto it = tables.find("findings"); it != tables.end()) {
    files.findings = it->second.rows.size();
  }

  for (const auto& [name, table] : tables) write_file(dir / "csv" / (name + ".csv"), to_csv(table));
  write_file(files.json,
             to_json(tables).dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  write_file(files.html,
             render_document(report_sections(tables, read_overview(db), builtin_countries())));
  return files;
}

}  // namespace eo::aggregator::report
