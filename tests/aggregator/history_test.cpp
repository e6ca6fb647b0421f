// Server histories on known sets: read in one pass or pass by pass they are the same; a server
// down then up, a version change, a certificate rotation, a finding withdrawn and re-opened; and
// a pass with no new observation changes nothing (the watermark).
#include "aggregator/history/history.h"

#include "aggregator/results/results_db.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace eo::aggregator::history {
namespace {

using results::ObservationRow;

constexpr std::int64_t kHour = 3'600'000'000;
constexpr std::int64_t kStart = 1'765'000'800'000'000;  // on an hour

// Server `host` probed from `vantage` in `round` (one round an hour, 10 s apart per vantage).
ObservationRow row(const std::string& host, std::int64_t round, const std::string& vantage,
                   bool answered, const std::string& version = "ElectrumX 1.20.0",
                   const std::string& cert = "cert-a") {
  ObservationRow r;
  r.observation_id = host + "/r" + std::to_string(round) + "/" + vantage;
  r.campaign_id = "c";
  r.round = round;
  r.target_host = host;
  r.target_id = "tls://" + host + ":50002";
  r.transport = "tls";
  r.vantage_id = vantage;
  r.probe_name = "metadata";
  r.started_us = kStart + round * kHour + (vantage == "v1" ? 0 : 10'000'000);
  r.outcome = answered ? "ok" : "timeout";
  r.resolved_ips = "10.0.0.1";
  if (answered) {
    r.server_version = version;
    r.cert_sha256 = cert;
    r.spki_sha256 = "key-of-" + cert;
    r.banner_sha256 = "banner";
    r.result_json = R"({"peers":{"result":[["10.0.0.2","b.example",["v1.4"]]]}})";
  } else {
    r.result_json = "{}";
  }
  return r;
}

// Six hourly rounds from two vantages: a.example steady; b.example down in rounds 2-3, claims
// 1.20.1 from round 4 on; c.example rotates its certificate (and key) in round 3.
std::vector<std::vector<ObservationRow>> rounds() {
  std::vector<std::vector<ObservationRow>> out;
  for (std::int64_t r = 0; r < 6; ++r) {
    std::vector<ObservationRow> rows;
    for (const char* v : {"v1", "v2"}) {
      rows.push_back(row("a.example", r, v, true));
      rows.push_back(
          row("b.example", r, v, r < 2 || r > 3, r >= 4 ? "ElectrumX 1.20.1" : "ElectrumX 1.20.0"));
      rows.push_back(
          row("c.example", r, v, true, "ElectrumX 1.20.0", r >= 3 ? "cert-b" : "cert-a"));
    }
    out.push_back(rows);
  }
  return out;
}

// Every history table as text, rows in key order.
std::string history_dump(results::Database& db) {
  std::string out;
  for (const char* table : {"history_pass", "server_history", "availability_hourly", "server_hours",
                            "server_values", "server_changes", "finding_history"}) {
    auto st = db.prepare(std::string("SELECT * FROM ") + table + " ORDER BY 1, 2, 3, 4");
    out += std::string("# ") + table + "\n";
    while (st.step()) {
      for (int i = 0; i < st.columns(); ++i) {
        out += (i ? "|" : "") + (st.is_null(i) ? std::string("NULL") : st.text(i));
      }
      out += "\n";
    }
  }
  return out;
}

struct Change {
  std::int64_t round = 0;
  std::int64_t changed_us = 0;
  std::string old_value, new_value;
};

std::vector<Change> changes(results::Database& db, const std::string& server,
                            const std::string& attribute) {
  auto st = db.prepare(
      "SELECT round, changed_us, coalesce(old_value, ''), new_value FROM server_changes "
      "WHERE server = ? AND attribute = ? ORDER BY changed_us");
  st.bind(1, server).bind(2, attribute);
  std::vector<Change> out;
  while (st.step()) out.push_back({st.i64(0), st.i64(1), st.text(2), st.text(3)});
  return out;
}

void write(results::ResultsDb& db, const std::vector<ObservationRow>& rows) {
  db.write_batch(rows, {}, {});
}

TEST(History, PassByPassEqualsOnePass) {
  test::TempDir dir;
  results::ResultsDb whole(dir.file("whole.sqlite")), steps(dir.file("steps.sqlite"));
  // Findings and implementations are judged per pass (a verdict has no round), so this compares
  // what the observations alone decide.
  PassInput input;
  for (const auto& r : rounds()) write(whole, r);
  update(whole.database(), input);
  for (const auto& r : rounds()) {
    write(steps, r);
    update(steps.database(), input);
  }
  // A round split over two passes reads as one.
  EXPECT_EQ(history_dump(whole.database()), history_dump(steps.database()));
  results::ResultsDb halves(dir.file("halves.sqlite"));
  for (const auto& r : rounds()) {
    std::vector<ObservationRow> first(r.begin(), r.begin() + 3), second(r.begin() + 3, r.end());
    write(halves, first);
    update(halves.database(), input);
    write(halves, second);
    update(halves.database(), input);
  }
  EXPECT_EQ(history_dump(whole.database()), history_dump(halves.database()));
}

TEST(History, DownThenUp) {
  test::TempDir dir;
  results::ResultsDb db(dir.file("r.sqlite"));
  for (const auto& r : rounds()) {
    write(db, r);
    update(db.database(), {});
  }
  auto& d = db.database();
  auto st = d.prepare(
      "SELECT hour_us, sum(probed), sum(answered) FROM availability_hourly WHERE server = "
      "'b.example' GROUP BY hour_us ORDER BY hour_us");
  std::vector<std::int64_t> answered;
  while (st.step()) {
    EXPECT_EQ(st.i64(0), kStart + std::int64_t(answered.size()) * kHour);
    EXPECT_EQ(st.i64(1), 2);
    answered.push_back(st.i64(2));
  }
  EXPECT_EQ(answered, (std::vector<std::int64_t>{2, 2, 0, 0, 2, 2}));
  auto reach = changes(d, "b.example", "reachability");
  ASSERT_EQ(reach.size(), 3u);
  EXPECT_EQ(reach[1].round, 2);
  EXPECT_EQ(reach[1].new_value, "down");
  EXPECT_EQ(reach[2].round, 4);
  EXPECT_EQ(reach[2].new_value, "up");
  EXPECT_EQ(changes(d, "a.example", "reachability").size(), 1u);

  auto h = d.prepare(
      "SELECT first_seen_us, last_seen_us, probed, answered, uptime_24h, uptime_all "
      "FROM server_history WHERE server = 'b.example'");
  ASSERT_TRUE(h.step());
  EXPECT_EQ(h.i64(0), kStart);
  EXPECT_EQ(h.i64(1), kStart + 5 * kHour + 10'000'000);
  EXPECT_EQ(h.i64(2), 12);
  EXPECT_EQ(h.i64(3), 8);
  EXPECT_DOUBLE_EQ(h.real(4), 8.0 / 12);
  EXPECT_DOUBLE_EQ(h.real(5), 8.0 / 12);

  // The 24 h window slides: 30 hours later only the last round's hour is inside it.
  std::vector<ObservationRow> late = {row("a.example", 30, "v1", true)};
  write(db, late);
  update(db.database(), {});
  auto w = d.prepare(
      "SELECT uptime_24h, uptime_7d, uptime_all FROM server_history WHERE server = 'b.example'");
  ASSERT_TRUE(w.step());
  EXPECT_TRUE(w.is_null(0));  // not probed in the last 24 h
  EXPECT_DOUBLE_EQ(w.real(1), 8.0 / 12);
  EXPECT_DOUBLE_EQ(w.real(2), 8.0 / 12);
}

TEST(History, VersionChangeAtItsRound) {
  test::TempDir dir;
  results::ResultsDb db(dir.file("r.sqlite"));
  for (const auto& r : rounds()) {
    write(db, r);
    update(db.database(), {});
  }
  auto v = changes(db.database(), "b.example", "version");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].round, 0);  // first seen
  EXPECT_EQ(v[0].old_value, "");
  EXPECT_EQ(v[0].new_value, "ElectrumX 1.20.0");
  EXPECT_EQ(v[1].round, 4);  // not at the rounds it was down in
  EXPECT_EQ(v[1].changed_us, kStart + 4 * kHour);
  EXPECT_EQ(v[1].old_value, "ElectrumX 1.20.0");
  EXPECT_EQ(v[1].new_value, "ElectrumX 1.20.1");
  EXPECT_EQ(changes(db.database(), "a.example", "version").size(), 1u);
  EXPECT_EQ(changes(db.database(), "a.example", "peers").size(), 1u);
  EXPECT_EQ(changes(db.database(), "a.example", "peers")[0].new_value, "b.example");
}

TEST(History, CertificateRotation) {
  test::TempDir dir;
  results::ResultsDb db(dir.file("r.sqlite"));
  for (const auto& r : rounds()) write(db, r);
  update(db.database(), {});
  for (const char* attribute : {"certificate", "key"}) {
    auto c = changes(db.database(), "c.example", attribute);
    ASSERT_EQ(c.size(), 2u) << attribute;
    EXPECT_EQ(c[1].round, 3);
    EXPECT_EQ(c[1].old_value, attribute == std::string("key") ? "key-of-cert-a" : "cert-a");
  }
  EXPECT_EQ(changes(db.database(), "a.example", "certificate").size(), 1u);
}

TEST(History, ImplementationChangeAtThePassThatInfersIt) {
  test::TempDir dir;
  results::ResultsDb db(dir.file("r.sqlite"));
  auto all = rounds();
  for (int r = 0; r < 6; ++r) {
    write(db, all[static_cast<std::size_t>(r)]);
    PassInput input;
    input.implementations["a.example"] = r < 3 ? "electrumx" : "fulcrum";
    update(db.database(), input);
  }
  auto i = changes(db.database(), "a.example", "implementation");
  ASSERT_EQ(i.size(), 2u);
  EXPECT_EQ(i[1].round, 3);
  EXPECT_EQ(i[1].old_value, "electrumx");
  EXPECT_EQ(i[1].new_value, "fulcrum");
}

TEST(History, FindingWithdrawnAndReopened) {
  test::TempDir dir;
  results::ResultsDb db(dir.file("r.sqlite"));
  FindingRef f{"f-1", "differential.reachability", "b.example", "tls://b.example:50002", "v2"};
  auto all = rounds();
  // Present after rounds 0-1, gone after 2-3, back after 4-5.
  for (std::size_t r = 0; r < all.size(); ++r) {
    write(db, all[r]);
    PassInput input;
    if (r < 2 || r > 3) input.findings.push_back(f);
    auto s = update(db.database(), input);
    EXPECT_EQ(s.opened, r == 0 || r == 4 ? 1u : 0u) << r;
    EXPECT_EQ(s.withdrawn, r == 2 ? 1u : 0u) << r;
  }
  auto st = db.database().prepare(
      "SELECT opened_us, opened_round, withdrawn_us, withdrawn_round FROM finding_history "
      "WHERE finding_id = 'f-1' ORDER BY opened_us");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.i64(0), kStart + 10'000'000);  // the pass's time: its newest observation
  EXPECT_EQ(st.i64(1), 0);
  EXPECT_EQ(st.i64(2), kStart + 2 * kHour + 10'000'000);
  EXPECT_EQ(st.i64(3), 2);
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.i64(1), 4);
  EXPECT_TRUE(st.is_null(2));
  EXPECT_FALSE(st.step());
}

TEST(History, NoNewObservationsChangeNothing) {
  test::TempDir dir;
  results::ResultsDb db(dir.file("r.sqlite"));
  PassInput input;
  input.implementations["a.example"] = "electrumx";
  input.findings.push_back({"f-1", "operator_cluster", "a.example", "", ""});
  for (const auto& r : rounds()) write(db, r);
  auto first = update(db.database(), input);
  EXPECT_EQ(first.observations, 36u);
  std::string before = history_dump(db.database());
  auto second = update(db.database(), input);
  EXPECT_EQ(second.observations, 0u);
  EXPECT_EQ(second.changes, 0u);
  EXPECT_EQ(second.opened, 0u);
  EXPECT_EQ(second.withdrawn, 0u);
  EXPECT_EQ(history_dump(db.database()), before);
  // A replayed batch (ids already stored) is no new observation either.
  write(db, rounds()[5]);
  EXPECT_EQ(update(db.database(), input).observations, 0u);
  EXPECT_EQ(history_dump(db.database()), before);
}

}  // namespace
}  // namespace eo::aggregator::history
