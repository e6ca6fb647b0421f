#include "aggregator/history/availability.h"

#include <algorithm>
#include <optional>
#include <vector>

namespace eo::aggregator::history {

namespace {

struct Cumulative {
  std::int64_t probed = 0, answered = 0;
};

// The running totals of the server's last hour before `hour` (zero when there is none).
Cumulative totals_before(results::Database& db, const std::string& server, std::int64_t hour) {
  auto st = db.prepare(
      "SELECT cum_probed, cum_answered FROM server_hours WHERE server = ? AND hour_us < ? "
      "ORDER BY hour_us DESC LIMIT 1");
  st.bind(1, server).bind(2, hour);
  if (!st.step()) return {};
  return {st.i64(0), st.i64(1)};
}

// Rewrites the running totals from `hour` on: only the hours this pass touched and any after
// them, which is the last hour or two unless old observations arrived late.
void recount_from(results::Database& db, const std::string& server, std::int64_t hour) {
  Cumulative running = totals_before(db, server, hour);
  std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> rows;
  {
    auto st = db.prepare(
        "SELECT hour_us, probed, answered FROM server_hours WHERE server = ? AND hour_us >= ? "
        "ORDER BY hour_us");
    st.bind(1, server).bind(2, hour);
    while (st.step()) rows.emplace_back(st.i64(0), st.i64(1), st.i64(2));
  }
  for (const auto& [h, probed, answered] : rows) {
    running.probed += probed;
    running.answered += answered;
    auto st = db.prepare(
        "UPDATE server_hours SET cum_probed = ?, cum_answered = ? WHERE server = ? AND "
        "hour_us = ?");
    st.bind(1, running.probed).bind(2, running.answered).bind(3, server).bind(4, h);
    st.run();
  }
}

std::optional<double> share(std::int64_t answered, std::int64_t probed) {
  if (probed <= 0) return std::nullopt;
  return double(answered) / double(probed);
}

}  // namespace

std::int64_t hour_of(std::int64_t micros) {
  std::int64_t r = micros % kHourUs;
  return micros - (r < 0 ? r + kHourUs : r);
}

void Availability::add(const Seen& row) {
  std::int64_t hour = hour_of(row.started_us);
  std::int64_t answered = row.answered ? 1 : 0;
  auto& v = by_vantage_[{row.server, hour, row.vantage_id}];
  ++v.probed;
  v.answered += answered;
  auto& h = by_hour_[{row.server, hour}];
  ++h.probed;
  h.answered += answered;

  auto [it, fresh] = spans_.try_emplace(row.server);
  Span& s = it->second;
  if (fresh) s.first_probed = s.last_probed = row.started_us;
  s.first_probed = std::min(s.first_probed, row.started_us);
  s.last_probed = std::max(s.last_probed, row.started_us);
  if (row.answered) {
    s.first_seen = s.first_seen < 0 ? row.started_us : std::min(s.first_seen, row.started_us);
    s.last_seen = std::max(s.last_seen, row.started_us);
  }
  ++s.counts.probed;
  s.counts.answered += answered;
}

void Availability::save(results::Database& db) const {
  for (const auto& [key, c] : by_vantage_) {
    const auto& [server, hour, vantage] = key;
    auto st = db.prepare(
        "INSERT INTO availability_hourly VALUES(?,?,?,?,?) ON CONFLICT DO UPDATE SET "
        "probed = probed + excluded.probed, answered = answered + excluded.answered");
    st.bind(1, server).bind(2, hour).bind(3, vantage).bind(4, c.probed).bind(5, c.answered);
    st.run();
  }
  std::map<std::string, std::int64_t> first_hour;
  for (const auto& [key, c] : by_hour_) {
    const auto& [server, hour] = key;
    first_hour.try_emplace(server, hour);
    auto st = db.prepare(
        "INSERT INTO server_hours VALUES(?,?,?,?,0,0) ON CONFLICT DO UPDATE SET "
        "probed = probed + excluded.probed, answered = answered + excluded.answered");
    st.bind(1, server).bind(2, hour).bind(3, c.probed).bind(4, c.answered);
    st.run();
  }
  for (const auto& [server, hour] : first_hour) recount_from(db, server, hour);

  // min() of SQLite is NULL when either side is: a server that never answered keeps NULL.
  for (const auto& [server, s] : spans_) {
    auto st = db.prepare(
        "INSERT INTO server_history(server, first_probed_us, last_probed_us, first_seen_us, "
        "last_seen_us, probed, answered) VALUES(?,?,?,?,?,?,?) ON CONFLICT DO UPDATE SET "
        "first_probed_us = min(first_probed_us, excluded.first_probed_us), "
        "last_probed_us = max(last_probed_us, excluded.last_probed_us), "
        "first_seen_us = coalesce(min(first_seen_us, excluded.first_seen_us), first_seen_us, "
        "excluded.first_seen_us), "
        "last_seen_us = coalesce(max(last_seen_us, excluded.last_seen_us), last_seen_us, "
        "excluded.last_seen_us), "
        "probed = probed + excluded.probed, answered = answered + excluded.answered");
    st.bind(1, server).bind(2, s.first_probed).bind(3, s.last_probed);
    if (s.first_seen < 0) {
      st.bind_null(4).bind_null(5);
    } else {
      st.bind(4, s.first_seen).bind(5, s.last_seen);
    }
    st.bind(6, s.counts.probed).bind(7, s.counts.answered);
    st.run();
  }
}

void update_uptime(results::Database& db, std::int64_t now_us) {
  constexpr std::int64_t kDay = 24 * kHourUs;
  const std::int64_t first_hour_after = hour_of(now_us) + kHourUs;
  std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> servers;
  {
    auto st = db.prepare("SELECT server, probed, answered FROM server_history ORDER BY server");
    while (st.step()) servers.emplace_back(st.text(0), st.i64(1), st.i64(2));
  }
  for (const auto& [server, probed, answered] : servers) {
    auto st = db.prepare(
        "UPDATE server_history SET uptime_24h = ?, uptime_7d = ?, uptime_30d = ?, "
        "uptime_all = ? WHERE server = ?");
    int column = 1;
    for (std::int64_t window : {kDay, 7 * kDay, 30 * kDay}) {
      Cumulative before = totals_before(db, server, first_hour_after - window);
      st.bind(column++, share(answered - before.answered, probed - before.probed));
    }
    st.bind(4, share(answered, probed)).bind(5, server);
    st.run();
  }
}

}  // namespace eo::aggregator::history
