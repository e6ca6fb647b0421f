#include "aggregator/open_data/exporter.h"

#include "aggregator/open_data/day_files.h"
#include "aggregator/open_data/records.h"
#include "aggregator/open_data/redact.h"

#include <chrono>
#include <filesystem>
#include <set>
#include <unordered_set>

namespace eo::aggregator::open_data {

namespace {

constexpr const char* kObservations = "observations";
constexpr const char* kFindings = "findings";

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct DayRecord {
  std::uint64_t db_rows = 0;
  std::uint64_t file_rows = 0;
};

std::optional<DayRecord> recorded(results::Database& db, const char* kind, const std::string& day) {
  auto s = db.prepare("SELECT db_rows, file_rows FROM exported_days WHERE kind = ? AND day = ?");
  s.bind(1, kind).bind(2, day);
  if (!s.step()) return std::nullopt;
  return DayRecord{static_cast<std::uint64_t>(s.i64(0)), static_cast<std::uint64_t>(s.i64(1))};
}

void record(results::Database& db, const char* kind, const std::string& day, std::uint64_t db_rows,
            std::uint64_t file_rows) {
  auto s = db.prepare("INSERT OR REPLACE INTO exported_days VALUES(?,?,?,?,?)");
  s.bind(1, kind).bind(2, day);
  s.bind(3, static_cast<std::int64_t>(db_rows)).bind(4, static_cast<std::int64_t>(file_rows));
  s.bind(5, now_us());
  s.run();
}

std::set<std::string> client_ips(results::Database& db, std::int64_t since_us) {
  std::set<std::string> out;
  auto s = db.prepare(
      "SELECT DISTINCT peer_ip FROM honeypot_events WHERE time_us >= ? AND peer_ip <> ''");
  s.bind(1, since_us);
  while (s.step()) out.insert(s.text(0));
  return out;
}

std::uint64_t write_findings(results::ResultsDb& db, const ExportOptions& options,
                             const FindingContext& context) {
  const ClientIpRedactor redactor(
      options.client_ips
          ? std::set<std::string>{}
          : client_ips(db.database(), context.window_start_us.value_or(results::kAllHistory)));
  AtomicFile out(day_file(options.dir, kFindings, context.day));
  auto s = db.database().prepare(
      "SELECT finding_id, kind, server, target_id, vantage_id, dimension, score, p, q, summary, "
      "evidence_json, details_json FROM findings ORDER BY finding_id");
  auto real = [&](int col) {
    return s.is_null(col) ? std::nullopt : std::optional<double>(s.real(col));
  };
  while (s.step()) {
    FindingRow row{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4),  s.text(5),
                   real(6),   real(7),   real(8),   s.text(9), s.text(10), s.text(11)};
    redactor.redact(row);
    out.line(finding_line(row, context));
  }
  out.commit();
  record(db.database(), kFindings, context.day, out.lines(), out.lines());
  return out.lines();
}

// Days in [from_us, to_us) whose observation count differs from their file's record.
void export_days(results::ResultsDb& db, const std::string& dir, std::int64_t from_us,
                 std::int64_t to_us, ExportCounts& counts) {
  for (auto day = day_start_us(from_us); day < to_us; day += kDayUs) {
    results::Transaction tx(db.database());
    const auto rows = db.count_observations(day, day + kDayUs);
    const auto before = recorded(db.database(), kObservations, utc_day(day));
    if (before ? before->db_rows == rows : rows == 0) continue;
    counts.observation_lines += write_observation_day(db, dir, day);
    ++counts.observation_days;
    tx.commit();
  }
}

}  // namespace

std::uint64_t write_observation_day(results::ResultsDb& db, const std::string& dir,
                                    std::int64_t day_us) {
  std::filesystem::create_directories(dir);
  const auto day = utc_day(day_us);
  const auto path = day_file(dir, kObservations, day);
  const auto before = recorded(db.database(), kObservations, day);
  AtomicFile out(path);
  // The file holds rows the database no longer has (retention deleted them) or rows of another
  // database's export: keep every one of them and add only the new.
  std::unordered_set<std::string> kept;
  if (!before || before->file_rows > before->db_rows) {
    read_lines(path, [&](const std::string& line) {
      if (kept.insert(observation_id_of(line)).second) out.line(line);
    });
  }
  std::uint64_t db_rows = 0;
  db.scan_observations(day_us, day_us + kDayUs, [&](const results::ObservationRow& row) {
    ++db_rows;
    if (!kept.contains(row.observation_id)) out.line(observation_line(row));
  });
  out.commit();
  record(db.database(), kObservations, day, db_rows, out.lines());
  return out.lines();
}

ExportCounts export_after_pass(results::ResultsDb& db, const ExportOptions& options,
                               std::int64_t window_start_us, bool final) {
  ExportCounts counts;
  const auto newest = db.newest_observation_us();
  if (!newest) return counts;
  std::filesystem::create_directories(options.dir);
  const auto from = window_start_us != 0 ? window_start_us : *db.oldest_observation_us();
  const auto to = day_start_us(*newest) + (final ? kDayUs : 0);
  export_days(db, options.dir, from, to, counts);
  const FindingContext context{
      utc_day(*newest), *newest,
      window_start_us != 0 ? std::optional(window_start_us) : std::nullopt};
  results::Transaction tx(db.database());
  counts.findings = write_findings(db, options, context);
  tx.commit();
  counts.findings_day = context.day;
  return counts;
}

ExportCounts export_all(results::ResultsDb& db, const ExportOptions& options) {
  ExportCounts counts;
  const auto newest = db.newest_observation_us();
  if (!newest) return counts;
  std::filesystem::create_directories(options.dir);
  export_days(db, options.dir, *db.oldest_observation_us(), day_start_us(*newest) + kDayUs, counts);
  // The findings table does not say which window its pass read.
  const FindingContext context{utc_day(*newest), *newest, std::nullopt};
  results::Transaction tx(db.database());
  counts.findings = write_findings(db, options, context);
  tx.commit();
  counts.findings_day = context.day;
  return counts;
}

}  // namespace eo::aggregator::open_data
