// Options of the report command; the work is in aggregator/report.
#include "cli/report_command.h"

#include "aggregator/report/report.h"

#include <iostream>

namespace eo::cli {

void add_report_command(CLI::App& app) {
  auto db = std::make_shared<std::string>("results.sqlite");
  auto out = std::make_shared<std::string>("observatory-report");
  auto* cmd = app.add_subcommand(
      "report",
      "Write the report of a results database: one self-contained HTML page, CSV and JSON");
  cmd->footer(
      "Example:\n"
      "  observatory report --db results.sqlite --out report\n"
      "      report/report.html  opens offline: network map, servers, centralization, behaviour\n"
      "                          fingerprints, rate limits, differential findings, operator\n"
      "                          clusters, honeypot suspicion, leaks, privacy recommendations;\n"
      "                          tables sort by clicking a header; findings list their\n"
      "                          evidence ids\n"
      "      report/report.json  every analysis table, one array of row objects per table\n"
      "      report/csv/T.csv    one CSV file per analysis table (RFC 4180, header row, UTF-8)\n"
      "The same database gives byte-identical files. Run 'observatory aggregator' first: the\n"
      "report reads its analysis tables (docs/aggregator.md).");
  cmd->add_option("--db", *db, "SQLite results database written by the aggregator")
      ->check(CLI::ExistingFile)
      ->capture_default_str();
  cmd->add_option("--out", *out, "Directory to write the report into (created if missing)")
      ->capture_default_str();
  cmd->callback([db, out] {
    aggregator::results::ResultsDb results(*db);
    auto files = aggregator::report::write_report(results, *out);
    std::cerr << "report: " << files.servers << " servers, " << files.findings << " findings, "
              << files.tables << " tables\n  " << files.html << "\n  " << files.json << "\n  "
              << files.csv_dir << "/\n";
  });
}

}  // namespace eo::cli
