#include "aggregator/history/history.h"

#include "aggregator/history/availability.h"
#include "aggregator/history/changes.h"
#include "aggregator/history/finding_history.h"
#include "aggregator/results/json_scan.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace eo::aggregator::history {

namespace {

// Rows are read and put in time order a chunk at a time, so a first pass over a long history
// needs no more memory than this many rows.
constexpr std::int64_t kChunk = 50'000;

struct Watermark {
  std::int64_t rowid = 0;  // the last observation rowid read
  RoundKey now;            // the newest observation's time and round
};

Watermark read_watermark(results::Database& db) {
  auto st = db.prepare(
      "SELECT observations_rowid, now_us, campaign_id, round FROM history_pass WHERE id = 1");
  if (!st.step()) return {};
  return {st.i64(0), {st.text(2), st.i64(3), st.i64(1)}};
}

void write_watermark(results::Database& db, const Watermark& w) {
  auto st = db.prepare("INSERT OR REPLACE INTO history_pass VALUES(1,?,?,?,?)");
  st.bind(1, w.rowid).bind(2, w.now.started_us).bind(3, w.now.campaign_id).bind(4, w.now.round);
  st.run();
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Reads rows (after, last] in rowid order; returns the last rowid read, `after` when none.
std::int64_t read_chunk(results::Database& db, std::int64_t after, std::int64_t last,
                        std::vector<Seen>& out) {
  out.clear();
  auto st = db.prepare(
      "SELECT rowid, observation_id, campaign_id, round, target_host, vantage_id, started_us, "
      "outcome IN ('ok', 'rpc_error'), resolved_ips, peer_ip, server_version, banner_sha256, "
      "cert_sha256, spki_sha256, CASE WHEN probe_name = 'metadata' THEN result_json END "
      "FROM observations WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?");
  st.bind(1, after).bind(2, last).bind(3, kChunk);
  std::int64_t read = after;
  while (st.step()) {
    read = st.i64(0);
    Seen s;
    s.observation_id = st.text(1);
    s.campaign_id = st.text(2);
    s.round = st.i64(3);
    s.server = lower(st.text(4));
    s.vantage_id = st.text(5);
    s.started_us = st.i64(6);
    s.answered = st.i64(7) != 0;
    s.resolved_ips = st.text(8);
    s.peer_ip = st.text(9);
    s.server_version = st.text(10);
    s.banner_sha256 = st.text(11);
    s.cert_sha256 = st.text(12);
    s.spki_sha256 = st.text(13);
    if (!st.is_null(14)) {
      std::string result = st.text(14);
      if (auto peers = results::member_text(result, "peers")) s.peers_json = *peers;
    }
    out.push_back(std::move(s));
  }
  return read;
}

}  // namespace

UpdateSummary update(results::Database& db, const PassInput& input) {
  results::Transaction tx(db);
  Watermark mark = read_watermark(db);
  std::int64_t last = 0;
  {
    auto st = db.prepare("SELECT coalesce(max(rowid), 0) FROM observations");
    if (st.step()) last = st.i64(0);
  }

  UpdateSummary summary;
  Availability availability;
  Changes changes(db);
  std::vector<Seen> chunk;
  while (mark.rowid < last) {
    mark.rowid = read_chunk(db, mark.rowid, last, chunk);
    if (chunk.empty()) break;
    std::sort(chunk.begin(), chunk.end(), [](const Seen& a, const Seen& b) {
      return a.started_us != b.started_us ? a.started_us < b.started_us
                                          : a.observation_id < b.observation_id;
    });
    for (const auto& row : chunk) {
      availability.add(row);
      changes.observe(row);
      if (row.started_us >= mark.now.started_us) {
        mark.now = {row.campaign_id, row.round, row.started_us};
      }
    }
    summary.observations += chunk.size();
  }
  for (const auto& [server, implementation] : input.implementations) {
    changes.infer(server, implementation, mark.now);
  }
  availability.save(db);
  summary.changes = changes.save();
  if (summary.observations > 0) update_uptime(db, mark.now.started_us);
  auto counts = update_findings(db, input.findings, mark.now);
  summary.opened = counts.opened;
  summary.withdrawn = counts.withdrawn;
  write_watermark(db, mark);
  tx.commit();
  return summary;
}

}  // namespace eo::aggregator::history
