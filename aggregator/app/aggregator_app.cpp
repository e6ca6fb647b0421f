// The loop: ingest batches, and analyse when something changed and the last analysis is older
// than analyze_every (--once: when caught up, then exit). SIGINT/SIGTERM end it after the batch
// in hand, whose offsets are committed only if its transaction was; an interrupted run resumes
// where it stopped.
#include "aggregator/app/aggregator_app.h"

#include "aggregator/app/analyze.h"
#include "aggregator/app/metrics.h"
#include "aggregator/findings/publish.h"
#include "aggregator/ingest/ingestor.h"
#include "aggregator/open_data/exporter.h"
#include "aggregator/open_data/retention.h"
#include "common/bus/factory.h"
#include "common/bus/topics.h"
#include "common/geo/geo.h"
#include "common/telemetry/log.h"
#include "common/telemetry/metrics.h"

#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace eo::aggregator::app {

namespace {

using telemetry::LogLevel;

std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop = true; }

std::int64_t wall_clock_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inventory::GeoLookup geo_lookup(const std::string& path,
                                std::shared_ptr<geo::GeoDatabase>& holder) {
  if (path == "none") return {};
  try {
    holder =
        std::make_shared<geo::GeoDatabase>(path.empty() ? geo::GeoDatabase::kDefaultPath : path);
  } catch (const std::exception& e) {
    telemetry::log(LogLevel::warn, "no geo data: countries and ASNs are unknown",
                   {{"why", e.what()}});
    return {};
  }
  return [db = holder](const std::string& ip) -> std::optional<inventory::Geo> {
    auto info = db->lookup(ip);
    if (!info) return std::nullopt;
    return inventory::Geo{info->country, info->asn, info->as_name};
  };
}

void progress(const ingest::IngestStats& s) {
  std::cerr << "aggregator: " << s.consumed << " records, " << s.observations
            << " new observations, " << s.events << " new honeypot events, "
            << s.observation_duplicates + s.event_duplicates << " duplicates, " << s.malformed
            << " malformed, lag " << s.lag_seconds << " s\n";
}

// The open-data files of this pass, then retention (which relies on them). A failure to write is
// logged and retried next pass: the rows stay in the database until a file holds them.
void export_and_expire(results::ResultsDb& db, const AggregatorOptions& options,
                       std::int64_t window_start_us) {
  if (options.export_daily.empty()) return;
  try {
    auto exported = open_data::export_after_pass(
        db, {options.export_daily, options.export_client_ips}, window_start_us, options.once);
    telemetry::log(LogLevel::info, "open data exported",
                   {{"dir", options.export_daily},
                    {"observation_days", exported.observation_days},
                    {"observation_lines", exported.observation_lines},
                    {"findings", exported.findings},
                    {"findings_day", exported.findings_day}});
    if (options.retention_days <= 0) return;
    auto expired = open_data::expire(db, options.export_daily, options.retention_days);
    telemetry::log(LogLevel::info, "retention",
                   {{"keep_days", options.retention_days},
                    {"days_expired", expired.days},
                    {"observations_exported", expired.exported},
                    {"observations_deleted", expired.deleted},
                    {"cutoff_us", expired.cutoff_us}});
  } catch (const std::exception& e) {
    telemetry::log(LogLevel::warn,
                   "open data not all written; rows no file holds are kept; trying again next pass",
                   {{"why", e.what()}});
  }
}

}  // namespace

int run_aggregator(const AggregatorOptions& options) {
  if (options.retention_days > 0 && options.export_daily.empty()) {
    throw std::invalid_argument("retention needs --export-daily: old rows are exported, not lost");
  }
  telemetry::LogOptions log_options;
  telemetry::parse_log_format(options.log_format, log_options.format);
  log_options.component = "aggregator";
  telemetry::init_logging(log_options);

  const reference::Reference reference = options.fingerprints.empty()
                                             ? reference::builtin_reference()
                                             : reference::load_reference_file(options.fingerprints);
  const suspicion::Config suspicion = options.suspicion.empty()
                                          ? suspicion::builtin_config()
                                          : suspicion::load_config_file(options.suspicion);
  std::shared_ptr<geo::GeoDatabase> geo_db;
  auto geo = geo_lookup(options.geo_database, geo_db);
  results::ResultsDb db(options.db);

  bus::BusConfig bus_config;
  bus_config.kafka_brokers = options.kafka;
  bus_config.kafka_overrides = options.kafka_properties;
  bus_config.log_dir = options.log_dir.empty() ? options.data_dir + "/bus" : options.log_dir;
  bus_config.client_id = "aggregator-" + options.group;
  auto consumer = bus::make_consumer(
      bus_config, options.group,
      {std::string(bus::topics::kObservations), std::string(bus::topics::kHoneypotEvents)});
  auto producer = bus::make_producer(bus_config);  // findings.v1

  telemetry::MetricsServer metrics_server("aggregator");
  if (!options.metrics_listen.empty()) metrics_server.listen(options.metrics_listen);
  AggregatorMetrics metrics(metrics_server.registry());
  telemetry::log(
      LogLevel::info, "aggregator starting",
      {{"bus", options.kafka.empty() ? bus_config.log_dir : options.kafka},
       {"group", options.group},
       {"db", options.db},
       {"fingerprints", options.fingerprints.empty() ? "built in" : options.fingerprints},
       {"suspicion", options.suspicion.empty() ? "built in" : options.suspicion},
       {"once", options.once}});

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  ingest::IngestOptions ingest_options;
  ingest_options.max_batch = options.batch;
  if (options.once) ingest_options.poll_timeout = options.idle;
  ingest::Ingestor ingestor(*consumer, db, ingest_options);
  std::optional<std::chrono::steady_clock::time_point> last_analysis;
  auto last_progress = std::chrono::steady_clock::now();
  auto last_record = last_progress;
  std::uint64_t analysed_at = ~0ull;  // observations + events ingested at the last analysis
  while (!g_stop) {
    std::size_t polled = ingestor.step();
    const auto& stats = ingestor.stats();
    metrics.update(stats);
    auto now = std::chrono::steady_clock::now();
    if (polled > 0) last_record = now;
    if (polled > 0 && now - last_progress >= std::chrono::seconds(2)) {
      progress(stats);
      last_progress = now;
    }
    if (options.once && polled > 0) continue;
    if (options.once) {
      auto where = consumer->read_position(std::chrono::seconds(5));
      if (!where.caught_up()) {
        std::string why = !where.status.ok() ? where.status.detail
                          : where.partitions_held == 0
                              ? "no partition assigned yet (the group is joining, or other "
                                "members hold them all)"
                              : std::to_string(where.partitions_behind) + " of " +
                                    std::to_string(where.partitions_held) +
                                    " partitions not read to their end";
        if (now - last_record >= options.once_timeout) {
          throw std::runtime_error("--once: not caught up after " +
                                   std::to_string(options.once_timeout.count()) +
                                   " s without a record: " + why);
        }
        if (now - last_progress >= std::chrono::seconds(5)) {
          telemetry::log(LogLevel::info, "--once: not caught up yet", {{"why", why}});
          last_progress = now;
        }
        continue;
      }
    }
    // A busy stream still gets analysed every analyze_every; --once analyses when caught up.
    bool due = options.once || !last_analysis || now - *last_analysis >= options.analyze_every;
    if (due && !options.ingest_only && stats.observations + stats.events != analysed_at) {
      auto summary = analyze(db, reference, geo, suspicion, options.window);
      auto published =
          findings::publish_new(db.database(), *producer, summary.findings, wall_clock_us());
      metrics.update(summary);
      metrics.update(published);
      if (!published.status.ok()) {
        telemetry::log(LogLevel::warn, "findings not all published; trying again next pass",
                       {{"published", published.published},
                        {"withdrawn", published.withdrawn},
                        {"why", std::string(bus::to_string(published.status.code)) + ": " +
                                    published.status.detail}});
      }
      export_and_expire(db, options, summary.window_start_us);
      last_analysis = now;
      analysed_at = stats.observations + stats.events;
      telemetry::log(LogLevel::info, "analysis written",
                     {{"observations", summary.observations},
                      {"window_start_us", summary.window_start_us},
                      {"servers", summary.servers},
                      {"fingerprinted", summary.targets_fingerprinted},
                      {"modified", summary.modified},
                      {"rate_limits", summary.rate_limits},
                      {"differential_findings", summary.differential_findings},
                      {"operator_clusters", summary.operator_clusters},
                      {"findings", summary.findings.size()},
                      {"suspicious", summary.suspicious},
                      {"privacy_risks", summary.privacy_risks},
                      {"findings_published", published.published},
                      {"findings_unchanged", published.unchanged},
                      {"findings_withdrawn", published.withdrawn}});
    }
    if (options.once) break;
  }
  progress(ingestor.stats());
  // Published findings are durable locally already; this hands them to Kafka before exit.
  if (auto flushed = producer->flush(std::chrono::seconds(10)); !flushed.ok()) {
    telemetry::log(LogLevel::warn, "findings.v1 not yet delivered; the spool keeps them",
                   {{"why", flushed.detail}});
  }
  auto totals = db.totals();
  telemetry::log(LogLevel::info, "aggregator stopped",
                 {{"observations_stored", totals.observations},
                  {"honeypot_events_stored", totals.events},
                  {"malformed_stored", totals.malformed},
                  {"targets", totals.targets}});
  return 0;
}

}  // namespace eo::aggregator::app
