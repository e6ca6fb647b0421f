// Inserts use INSERT OR IGNORE against the primary key: the id decides, so a redelivered record
// is a no-op whose count tells the duplicate apart. Statements are prepared once and reused.
#include "aggregator/results/results_db.h"

#include "aggregator/results/schema.h"

#include <algorithm>
#include <numeric>
#include <tuple>
#include <utility>

namespace eo::aggregator::results {

namespace {

constexpr const char* kInsertObservation =
    "INSERT OR IGNORE INTO observations VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
    "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

const std::string kSelectObservations = "SELECT * FROM observations";

constexpr const char* kInsertEvent =
    "INSERT OR IGNORE INTO honeypot_events VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

void bind(Stmt& s, const ObservationRow& r) {
  s.add(r.observation_id).add(r.campaign_id).add(r.round);
  s.add(r.task_id).add(r.agent_id);
  s.add(r.target_id).add(r.target_host).add(r.target_port);
  s.add(r.transport).add(r.onion).add_or_null(r.resolved_ips);
  s.add(r.vantage_id).add(r.vantage_class).add_or_null(r.vantage_region);
  s.add_or_null(r.vantage_provider).add(r.vantage_network);
  s.add_or_null(r.vantage_egress_ip).add(r.vantage_asn);
  s.add_or_null(r.vantage_country).add_or_null(r.tor_exit);
  s.add(r.probe_name).add(r.probe_version).add_or_null(r.client_profile);
  s.add_or_null(r.client_name).add(r.started_us);
  s.add(r.outcome).add_or_null(r.failure).add(r.error_code);
  s.add_or_null(r.error_message);
  s.add(r.dns_us).add(r.connect_us).add(r.tls_us);
  s.add(r.first_byte_us).add(r.total_us).add_or_null(r.peer_ip);
  s.add_or_null(r.server_version).add_or_null(r.protocol);
  s.add_or_null(r.protocol_min).add_or_null(r.protocol_max);
  s.add_or_null(r.banner_sha256).add_or_null(r.donation_address);
  s.add_or_null(r.feature_keys).add_or_null(r.genesis_hash);
  s.add_or_null(r.cert_sha256).add_or_null(r.spki_sha256);
  s.add_or_null(r.cert_subject).add_or_null(r.cert_issuer);
  s.add(r.cert_not_after).add_or_null(r.tls_version);
  s.add_or_null(r.content_sha256);
  s.add(r.ramp_throttled).add(r.ramp_threshold).add_or_null(r.ramp_kind);
  s.add(r.result_json);
}

ObservationRow read_observation(const Stmt& s) {
  ObservationRow r;
  int i = 0;
  r.observation_id = s.text(i++);
  r.campaign_id = s.text(i++);
  r.round = s.i64(i++);
  r.task_id = s.text(i++);
  r.agent_id = s.text(i++);
  r.target_id = s.text(i++);
  r.target_host = s.text(i++);
  r.target_port = s.i64(i++);
  r.transport = s.text(i++);
  r.onion = s.i64(i++) != 0;
  r.resolved_ips = s.text(i++);
  r.vantage_id = s.text(i++);
  r.vantage_class = s.text(i++);
  r.vantage_region = s.text(i++);
  r.vantage_provider = s.text(i++);
  r.vantage_network = s.text(i++);
  r.vantage_egress_ip = s.text(i++);
  r.vantage_asn = s.i64(i++);
  r.vantage_country = s.text(i++);
  r.tor_exit = s.text(i++);
  r.probe_name = s.text(i++);
  r.probe_version = s.i64(i++);
  r.client_profile = s.text(i++);
  r.client_name = s.text(i++);
  r.started_us = s.i64(i++);
  r.outcome = s.text(i++);
  r.failure = s.text(i++);
  r.error_code = s.opt_i64(i++);
  r.error_message = s.text(i++);
  r.dns_us = s.i64(i++);
  r.connect_us = s.i64(i++);
  r.tls_us = s.i64(i++);
  r.first_byte_us = s.i64(i++);
  r.total_us = s.i64(i++);
  r.peer_ip = s.text(i++);
  r.server_version = s.text(i++);
  r.protocol = s.text(i++);
  r.protocol_min = s.text(i++);
  r.protocol_max = s.text(i++);
  r.banner_sha256 = s.text(i++);
  r.donation_address = s.text(i++);
  r.feature_keys = s.text(i++);
  r.genesis_hash = s.text(i++);
  r.cert_sha256 = s.text(i++);
  r.spki_sha256 = s.text(i++);
  r.cert_subject = s.text(i++);
  r.cert_issuer = s.text(i++);
  r.cert_not_after = s.opt_i64(i++);
  r.tls_version = s.text(i++);
  r.content_sha256 = s.text(i++);
  r.ramp_throttled = s.opt_i64(i++);
  r.ramp_threshold = s.opt_i64(i++);
  r.ramp_kind = s.text(i++);
  r.result_json = s.text(i++);
  return r;
}

void bind(Stmt& s, const EventRow& r) {
  s.add(r.event_id).add(r.honeypot_id).add(r.session_id).add(r.kind);
  s.add(r.time_us).add_or_null(r.peer_ip).add(r.peer_port);
  s.add_or_null(r.peer_pseudonym).add_or_null(r.local_address);
  s.add_or_null(r.transport).add_or_null(r.tls_fingerprint);
  s.add_or_null(r.client_name).add_or_null(r.protocol_min);
  s.add_or_null(r.protocol_max).add_or_null(r.method);
  s.add_or_null(r.params_json).add_or_null(r.scripthashes);
  s.add_or_null(r.txid).add(r.latency_us).add_or_null(r.profile);
  s.add_or_null(r.action);
}

EventRow read_event(const Stmt& s) {
  EventRow r;
  int i = 0;
  r.event_id = s.text(i++);
  r.honeypot_id = s.text(i++);
  r.session_id = s.text(i++);
  r.kind = s.text(i++);
  r.time_us = s.i64(i++);
  r.peer_ip = s.text(i++);
  r.peer_port = s.i64(i++);
  r.peer_pseudonym = s.text(i++);
  r.local_address = s.text(i++);
  r.transport = s.text(i++);
  r.tls_fingerprint = s.text(i++);
  r.client_name = s.text(i++);
  r.protocol_min = s.text(i++);
  r.protocol_max = s.text(i++);
  r.method = s.text(i++);
  r.params_json = s.text(i++);
  r.scripthashes = s.text(i++);
  r.txid = s.text(i++);
  r.latency_us = s.i64(i++);
  r.profile = s.text(i++);
  r.action = s.text(i++);
  return r;
}

std::uint64_t count(Database& db, const char* sql) {
  auto s = db.prepare(sql);
  s.step();
  return static_cast<std::uint64_t>(s.i64(0));
}

}  // namespace

ResultsDb::ResultsDb(const std::string& path) : db_(path) { migrate(db_); }

BatchCounts ResultsDb::write_batch(std::span<const ObservationRow> observations,
                                   std::span<const EventRow> events,
                                   std::span<const MalformedRecord> malformed) {
  BatchCounts counts;
  Transaction tx(db_);
  if (!observations.empty()) {
    auto s = db_.prepare(kInsertObservation);
    s.borrow();  // the rows outlive the statement's use
    for (const auto& row : observations) {
      bind(s.reuse(), row);
      s.run();
      (db_.changes() ? counts.observations : counts.observation_duplicates) += 1;
    }
  }
  if (!events.empty()) {
    auto s = db_.prepare(kInsertEvent);
    s.borrow();
    for (const auto& row : events) {
      bind(s.reuse(), row);
      s.run();
      (db_.changes() ? counts.events : counts.event_duplicates) += 1;
    }
  }
  for (const auto& record : malformed) {
    auto s = db_.prepare("INSERT OR IGNORE INTO malformed VALUES(?,?,?,?,?,?,?,?)");
    s.add(record.topic).add(record.sha256).add(record.partition).add(record.offset);
    s.add(record.key).add(record.reason).add(record.size).add(record.head);
    s.run();
    counts.malformed += static_cast<std::uint64_t>(db_.changes());
  }
  tx.commit();
  return counts;
}

std::vector<ObservationRow> ResultsDb::observations(const std::vector<std::string>& probes,
                                                    std::int64_t since_us) {
  std::vector<ObservationRow> out;
  // The whole history is read in storage order; a window through the start-time index, so a pass
  // touches only the window's pages however long the history is.
  const bool windowed = since_us != kAllHistory;
  std::string where = windowed ? " WHERE started_us >= ?" : "";
  if (!probes.empty()) {
    where += windowed ? " AND probe_name IN (?" : " WHERE probe_name IN (?";
    for (std::size_t i = 1; i < probes.size(); ++i) where += ",?";
    where += ")";
  }
  // Read into a vector sized once, then ordered here: an ORDER BY would first copy every ~1 KB
  // record through SQLite's sorter, and the growing vector would move every row again at each
  // doubling.
  {
    auto c = db_.prepare(windowed ? "SELECT count(*) FROM observations WHERE started_us >= ?"
                                  : "SELECT count(*) FROM observations");
    if (windowed) c.bind(1, since_us);
    c.step();
    out.reserve(static_cast<std::size_t>(c.i64(0)));
  }
  auto s = db_.prepare(kSelectObservations + where);
  int at = 1;
  if (windowed) s.bind(at++, since_us);
  for (const auto& probe : probes) s.bind(at++, probe);
  while (s.step()) out.push_back(read_observation(s));
  // By target, start time and id (BINARY collation is memcmp, as std::string compares).
  std::vector<std::size_t> order(out.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& x = out[a];
    const auto& y = out[b];
    return std::tie(x.target_id, x.started_us, x.observation_id) <
           std::tie(y.target_id, y.started_us, y.observation_id);
  });
  // order[i] is the row that belongs at i: follow each cycle once, moving rows, not copying.
  for (std::size_t start = 0; start < order.size(); ++start) {
    if (order[start] == start) continue;
    ObservationRow held = std::move(out[start]);
    std::size_t at = start;
    while (order[at] != start) {
      out[at] = std::move(out[order[at]]);
      at = std::exchange(order[at], at);
    }
    out[at] = std::move(held);
    order[at] = at;
  }
  return out;
}

std::vector<EventRow> ResultsDb::events(std::int64_t since_us) {
  std::vector<EventRow> out;
  auto s =
      db_.prepare("SELECT * FROM honeypot_events WHERE time_us >= ? ORDER BY time_us, event_id");
  s.bind(1, since_us);
  while (s.step()) out.push_back(read_event(s));
  return out;
}

std::optional<std::int64_t> ResultsDb::newest_observation_us() {
  auto s = db_.prepare("SELECT max(started_us) FROM observations");
  s.step();
  return s.opt_i64(0);
}

std::vector<MalformedRecord> ResultsDb::malformed() {
  std::vector<MalformedRecord> out;
  auto s = db_.prepare("SELECT * FROM malformed ORDER BY topic, partition, \"offset\"");
  while (s.step()) {
    out.push_back(
        {s.text(0), s.text(1), s.i64(2), s.i64(3), s.text(4), s.text(5), s.i64(6), s.text(7)});
  }
  return out;
}

Totals ResultsDb::totals() {
  return {count(db_, "SELECT count(*) FROM observations"),
          count(db_, "SELECT count(*) FROM honeypot_events"),
          count(db_, "SELECT count(*) FROM malformed"),
          count(db_, "SELECT count(DISTINCT target_id) FROM observations")};
}

std::optional<std::int64_t> ResultsDb::oldest_observation_us() {
  auto s = db_.prepare("SELECT min(started_us) FROM observations");
  s.step();
  return s.opt_i64(0);
}

void ResultsDb::scan_observations(std::int64_t from_us, std::int64_t to_us,
                                  const std::function<void(const ObservationRow&)>& visit) {
  auto s = db_.prepare(kSelectObservations +
                       " WHERE started_us >= ? AND started_us < ? ORDER BY started_us, "
                       "observation_id");
  s.bind(1, from_us).bind(2, to_us);
  while (s.step()) visit(read_observation(s));
}

std::uint64_t ResultsDb::count_observations(std::int64_t from_us, std::int64_t to_us) {
  auto s =
      db_.prepare("SELECT count(*) FROM observations WHERE started_us >= ? AND started_us < ?");
  s.bind(1, from_us).bind(2, to_us);
  s.step();
  return static_cast<std::uint64_t>(s.i64(0));
}

std::uint64_t ResultsDb::delete_observations(std::int64_t from_us, std::int64_t to_us) {
  auto s = db_.prepare("DELETE FROM observations WHERE started_us >= ? AND started_us < ?");
  s.bind(1, from_us).bind(2, to_us);
  s.run();
  return static_cast<std::uint64_t>(db_.changes());
}

std::int64_t window_start(ResultsDb& db, std::chrono::hours window) {
  if (window.count() <= 0) return kAllHistory;
  auto newest = db.newest_observation_us();
  if (!newest) return kAllHistory;
  return *newest - std::chrono::duration_cast<std::chrono::microseconds>(window).count() + 1;
}

}  // namespace eo::aggregator::results
