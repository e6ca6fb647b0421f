// Options of the aggregator command; the work is in aggregator/app.
#include "cli/aggregator_command.h"

#include "aggregator/app/aggregator_app.h"
#include "aggregator/open_data/exporter.h"
#include "cli/kafka_options.h"

#include <iostream>

namespace eo::cli {

namespace {

// `observatory aggregator export`: the day files of a results database, without a bus.
void add_export_command(CLI::App& aggregator) {
  auto db = std::make_shared<std::string>("results.sqlite");
  auto o = std::make_shared<aggregator::open_data::ExportOptions>();
  auto* cmd = aggregator.add_subcommand(
      "export",
      "Write the open-data day files of a results database: observations-YYYY-MM-DD.jsonl for "
      "every UTC day it holds (merged with files that hold rows retention deleted) and "
      "findings-YYYY-MM-DD.jsonl with the last analysis pass's findings (docs/data.md)");
  cmd->footer("Schema, ethics rules and examples: docs/data.md.");
  cmd->add_option("--db", *db, "SQLite results database")
      ->check(CLI::ExistingFile)
      ->capture_default_str();
  cmd->add_option("--daily", o->dir, "Directory of the day files (created if missing)")->required();
  cmd->add_flag("--client-ips", o->client_ips,
                "Keep honeypot clients' IP addresses in findings (withheld by default)");
  cmd->callback([db, o] {
    aggregator::results::ResultsDb results(*db);
    auto counts = aggregator::open_data::export_all(results, *o);
    std::cout << "exported " << counts.observation_lines << " observations in "
              << counts.observation_days << " day files changed since the last export, "
              << counts.findings << " findings"
              << (counts.findings_day.empty() ? "" : " (" + counts.findings_day + ")") << " to "
              << o->dir << "\n";
    throw CLI::RuntimeError(0);
  });
}

}  // namespace

void add_aggregator_command(CLI::App& app) {
  auto o = std::make_shared<aggregator::app::AggregatorOptions>();
  auto analyze_s = std::make_shared<long>(o->analyze_every.count());
  auto idle_ms = std::make_shared<long>(o->idle.count());
  auto once_timeout_s = std::make_shared<long>(o->once_timeout.count());
  auto window_h = std::make_shared<long>(o->window.count());
  auto* cmd = app.add_subcommand(
      "aggregator",
      "Consume observations and honeypot events into a SQLite results database and keep the "
      "server inventory, implementation fingerprints, rate limits, differential treatment, "
      "operator clusters, findings, honeypot suspicion and the privacy risk summary up to date; "
      "publish new or changed findings on findings.v1, and withdraw those that no longer hold");
  cmd->footer(
      "Examples:\n"
      "  observatory aggregator --data-dir observatory-data --db results.sqlite --once\n"
      "      read everything the agents and honeypots wrote to the embedded log, analyse, exit\n"
      "  observatory aggregator --kafka k1:9092,k2:9092 --group aggregator --db results.sqlite \\\n"
      "      --metrics-listen 0.0.0.0:9466\n"
      "      run as a member of a consumer group (instances split the partitions)\n"
      "  observatory aggregator --export-daily open-data --retention-days 90 ...\n"
      "      publish day files of observations and findings; keep 90 days of raw rows\n"
      "  observatory aggregator export --db results.sqlite --daily open-data\n"
      "      the day files of a database, without a bus\n"
      "Offsets are committed only after a batch is durable in the database and records are\n"
      "deduplicated by id, so restarts and rebalances lose and double-count nothing.\n"
      "Tables: observations, honeypot_events, malformed (ingested); servers, server_reachability,\n"
      "concentration, concentration_summary, fingerprints, rate_limits, differential,\n"
      "operator_clusters, operator_members, findings, suspicion, privacy_risk (analysis);\n"
      "findings_published (what went out on findings.v1, key = server, through the same bus;\n"
      "a published finding that no longer holds goes out once more with withdrawn = true).\n"
      "exported_days: what the open-data day files (--export-daily) hold.\n"
      "See docs/aggregator.md; the reference fingerprints are data/fingerprints.yaml, the\n"
      "suspicion weights data/suspicion.yaml.");
  auto* kafka = cmd->add_option("--kafka", o->kafka,
                                "Kafka brokers HOST:PORT,... (default: the embedded log)");
  add_kafka_property_option(cmd, o->kafka_properties)->needs(kafka);
  cmd->add_option("--data-dir", o->data_dir,
                  "Data directory of the embedded bus (its log is DATA_DIR/bus, as for the agent "
                  "and honeypot)")
      ->capture_default_str();
  cmd->add_option("--log-dir", o->log_dir, "The embedded bus log directory itself")
      ->excludes(kafka);
  cmd->add_option("--group", o->group, "Consumer group")->capture_default_str();
  cmd->add_option("--db", o->db, "SQLite results database (created if missing)")
      ->capture_default_str();
  cmd->add_option("--metrics-listen", o->metrics_listen, "Serve /metrics on ADDR:PORT");
  auto* once = cmd->add_flag("--once", o->once,
                             "Consume until caught up (every held partition read to its current "
                             "end, then no record for --idle-ms), analyse, exit");
  cmd->add_flag("--ingest-only", o->ingest_only,
                "With --once: store what the log holds and exit without analysing or publishing "
                "(several agents' embedded logs into one database; analyse after the last)")
      ->needs(once);
  cmd->add_option("--idle-ms", *idle_ms,
                  "With --once: how long a poll at the end must bring nothing before stopping")
      ->capture_default_str();
  cmd->add_option("--once-timeout", *once_timeout_s,
                  "With --once: fail after this many seconds without a record while still not "
                  "caught up (no partition assigned, brokers away)")
      ->capture_default_str();
  cmd->add_option("--analyze-every", *analyze_s,
                  "Re-run the analyses at most every N seconds, when something changed")
      ->capture_default_str();
  cmd->add_option("--window-hours", *window_h,
                  "Each analysis pass reads the observations and honeypot events of the last N "
                  "hours before the newest observation, so its time and memory do not grow with "
                  "the history; 0 reads everything")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  auto* export_daily =
      cmd->add_option("--export-daily", o->export_daily,
                      "After each analysis pass write the open-data day files here: "
                      "observations-YYYY-MM-DD.jsonl per UTC day (days before the newest "
                      "observation's; with --once that day too) and findings-YYYY-MM-DD.jsonl "
                      "(docs/data.md)");
  cmd->add_flag("--export-client-ips", o->export_client_ips,
                "Keep honeypot clients' IP addresses in exported findings (withheld by default)")
      ->needs(export_daily);
  cmd->add_option("--retention-days", o->retention_days,
                  "Export, then delete, raw observations of whole UTC days more than N days "
                  "before the newest observation (0: keep everything)")
      ->check(CLI::NonNegativeNumber)
      ->needs(export_daily)
      ->capture_default_str();
  cmd->add_option("--batch", o->batch, "Records per poll and per database transaction")
      ->capture_default_str();
  cmd->add_option("--fingerprints", o->fingerprints,
                  "Reference fingerprints YAML (default: data/fingerprints.yaml, built in)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--suspicion", o->suspicion,
                  "Honeypot suspicion weights, thresholds and levels YAML (default: "
                  "data/suspicion.yaml, built in)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--geo-database", o->geo_database,
                  "libloc database for country/ASN (default: Debian's; 'none': no geo data)");
  cmd->add_option("--log-format", o->log_format, "json or text")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  add_export_command(*cmd);
  cmd->callback([o, analyze_s, idle_ms, once_timeout_s, window_h] {
    auto options = *o;
    options.analyze_every = std::chrono::seconds(*analyze_s);
    options.idle = std::chrono::milliseconds(*idle_ms);
    options.once_timeout = std::chrono::seconds(*once_timeout_s);
    options.window = std::chrono::hours(*window_h);
    throw CLI::RuntimeError(aggregator::app::run_aggregator(options));
  });
}

}  // namespace eo::cli
