// Open data (docs/data.md): the day files parse, hold every observation exactly once with the
// schema version, withhold honeypot clients' IPs unless asked, and retention deletes only what a
// day file holds (late rows of a deleted day are merged in, not lost); `aggregator export` and a
// running aggregator write them.
#include "aggregator/open_data/day_files.h"
#include "aggregator/open_data/exporter.h"
#include "aggregator/open_data/records.h"
#include "aggregator/open_data/redact.h"
#include "aggregator/open_data/retention.h"
#include "aggregator/results/derive.h"
#include "aggregator/results/results_db.h"
#include "common/bus/factory.h"
#include "common/bus/topics.h"
#include "tests/aggregator/support.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>

namespace eo::aggregator::open_data {
namespace {

using nlohmann::json;

constexpr std::int64_t kDay0 = 1'796'601'600'000'000;  // 2026-12-07 00:00 UTC
constexpr const char* kClientIp = "203.0.113.77";

// Four days of observations, six a day at four-hour steps, each with a distinct id.
std::vector<results::ObservationRow> four_days() {
  std::vector<results::ObservationRow> rows;
  for (std::uint64_t i = 0; i < 24; ++i) {
    auto row = results::to_row(test::synthetic_observation(i, 3, 2));
    row.started_us = kDay0 + static_cast<std::int64_t>(i) * 4 * 3'600'000'000;
    rows.push_back(row);
  }
  rows[3].result_json = "not json";  // kept as text, the line still parses
  return rows;
}

// A honeypot client that asked for a canary and a finding that quotes it, as query_leak's do.
void add_client_and_finding(results::ResultsDb& db) {
  auto event = results::to_row(test::synthetic_event(1));
  event.peer_ip = kClientIp;
  event.time_us = kDay0 + 3 * kDayUs;
  std::vector<results::EventRow> events{event};
  db.write_batch({}, events, {});
  json details = {{"sources", {kClientIp, "anon-1"}}, {"seen", {{{"source", kClientIp}}}}};
  db.database().exec(("INSERT INTO findings VALUES('f-1','query_leak','server0.example',"
                      "'tcp://server0.example:50001',NULL,NULL,1.0,NULL,NULL,"
                      "'2 of 3 canaries queried again from " +
                      std::string(kClientIp) + " (AS64500)','[\"obs-1\"]','" + details.dump() +
                      "')")
                         .c_str());
}

std::map<std::string, std::vector<json>> read_dir(const std::string& dir) {
  std::map<std::string, std::vector<json>> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    auto& lines = files[entry.path().filename().string()];
    EXPECT_TRUE(read_lines(entry.path().string(), [&](const std::string& line) {
      lines.push_back(json::parse(line));  // throws (fails the test) on a line that is not JSON
    }));
  }
  return files;
}

std::string read_all(const std::string& dir) {
  std::string text;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path());
    text += std::string(std::istreambuf_iterator<char>(in), {});
  }
  return text;
}

// Each observation id once over all observation files, each in the file of its start day.
std::map<std::string, int> observation_ids(const std::map<std::string, std::vector<json>>& files) {
  std::map<std::string, int> seen;
  for (const auto& [name, lines] : files) {
    if (!name.starts_with("observations-")) continue;
    for (const auto& o : lines) {
      EXPECT_EQ(o.at("schema"), "eo.observation");
      EXPECT_EQ(o.at("schema_version"), kSchemaVersion);
      EXPECT_EQ(name, "observations-" + utc_day(o.at("started_us").get<std::int64_t>()) + ".jsonl");
      ++seen[o.at("observation_id").get<std::string>()];
    }
  }
  return seen;
}

TEST(OpenData, DayFilesHoldEveryObservationOnceAndNoClientIp) {
  eo::test::TempDir dir;
  results::ResultsDb db(dir.path() + "/r.sqlite");
  auto rows = four_days();
  db.write_batch(rows, {}, {});
  add_client_and_finding(db);
  const auto out = dir.path() + "/open";
  auto counts = export_all(db, {out});
  EXPECT_EQ(counts.observation_days, 4u);
  EXPECT_EQ(counts.observation_lines, rows.size());
  EXPECT_EQ(counts.findings, 1u);
  EXPECT_EQ(counts.findings_day, "2026-12-10");

  auto files = read_dir(out);
  EXPECT_EQ(files.size(), 5u);
  auto ids = observation_ids(files);
  ASSERT_EQ(ids.size(), rows.size());
  for (const auto& row : rows) EXPECT_EQ(ids[row.observation_id], 1) << row.observation_id;
  const auto& first = files.at("observations-2026-12-07.jsonl").front();
  EXPECT_EQ(first.at("target_id"), rows[0].target_id);
  EXPECT_TRUE(first.at("result").is_object());
  EXPECT_EQ(files.at("observations-2026-12-07.jsonl")[3].at("result"), "not json");
  const auto& finding = files.at("findings-2026-12-10.jsonl").at(0);
  EXPECT_EQ(finding.at("schema"), "eo.finding");
  EXPECT_EQ(finding.at("schema_version"), kSchemaVersion);
  EXPECT_EQ(finding.at("kind"), "query_leak");
  EXPECT_EQ(finding.at("details").at("sources").at(1), "anon-1");  // pseudonyms stay
  EXPECT_EQ(read_all(out).find(kClientIp), std::string::npos);

  // Nothing changed: nothing rewritten. Asked for: the addresses are there.
  EXPECT_EQ(export_all(db, {out}).observation_days, 0u);
  export_all(db, {out, true});
  EXPECT_NE(read_all(out).find(kClientIp), std::string::npos);
}

TEST(OpenData, RetentionDeletesOnlyWhatADayFileHoldsAndMergesLateRows) {
  eo::test::TempDir dir;
  results::ResultsDb db(dir.path() + "/r.sqlite");
  auto rows = four_days();
  db.write_batch(rows, {}, {});
  const auto out = dir.path() + "/open";
  // A pass exported the complete days 0 to 2 (not day 3, the newest observation's); then day 1's
  // file went missing.
  EXPECT_EQ(export_after_pass(db, {out}, kDay0, false).observation_days, 3u);
  std::filesystem::remove(out + "/observations-2026-12-08.jsonl");

  auto expired = expire(db, out, 1);  // newest is on day 3: days 0 and 1 go, 2 and 3 stay
  EXPECT_EQ(expired.days, 2u);
  EXPECT_EQ(expired.deleted, 12u);
  EXPECT_EQ(expired.exported, 6u);  // day 1 again, its file having gone; day 0's was there
  EXPECT_EQ(expired.cutoff_us, kDay0 + 2 * kDayUs);
  EXPECT_EQ(db.totals().observations, 12u);
  EXPECT_EQ(*db.oldest_observation_us(), kDay0 + 2 * kDayUs);
  EXPECT_EQ(expire(db, out, 1).days, 0u);

  // A late observation of a deleted day is merged into its file, beside the six it holds.
  auto late = results::to_row(test::synthetic_observation(99, 3, 2));
  late.started_us = kDay0 + 1000;
  std::vector<results::ObservationRow> batch{late};
  db.write_batch(batch, {}, {});
  rows.push_back(late);
  EXPECT_EQ(export_all(db, {out}).observation_days, 2u);  // day 0 merged, day 3 new
  EXPECT_EQ(expire(db, out, 1).deleted, 1u);

  auto ids = observation_ids(read_dir(out));
  ASSERT_EQ(ids.size(), rows.size());
  for (const auto& row : rows) EXPECT_EQ(ids[row.observation_id], 1) << row.observation_id;
}

TEST(OpenData, RedactionReplacesWholeAddressesOnly) {
  ClientIpRedactor redactor({"10.0.0.1", "::1"});
  EXPECT_EQ(redactor.redact("from 10.0.0.1, not 110.0.0.1 or 10.0.0.12; [::1]:50001 fe80::12"),
            std::string("from ") + kRedactedIp + ", not 110.0.0.1 or 10.0.0.12; [" + kRedactedIp +
                "]:50001 fe80::12");
}

TEST(OpenData, DaysAreUtc) {
  EXPECT_EQ(utc_day(kDay0), "2026-12-07");
  EXPECT_EQ(utc_day(kDay0 - 1), "2026-12-06");
  EXPECT_EQ(day_start_us(kDay0 + kDayUs - 1), kDay0);
}

TEST(OpenData, TheCliExportsADatabase) {
  eo::test::TempDir dir;
  {
    results::ResultsDb db(dir.path() + "/r.sqlite");
    auto rows = four_days();
    db.write_batch(rows, {}, {});
    add_client_and_finding(db);
  }
  auto run = eo::test::run_command(std::string(EO_OBSERVATORY_BINARY) + " aggregator export --db " +
                                   dir.path() + "/r.sqlite --daily " + dir.path() + "/open");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("exported 24 observations in 4 day files"), std::string::npos) << run.out;
  EXPECT_EQ(observation_ids(read_dir(dir.path() + "/open")).size(), 24u);
  EXPECT_EQ(read_all(dir.path() + "/open").find(kClientIp), std::string::npos);
}

// The running aggregator: a pass with --once writes every day's file and the findings, and logs
// what it exported.
TEST(OpenData, TheAggregatorExportsAfterItsPass) {
  eo::test::TempDir dir;
  bus::BusConfig config;
  config.log_dir = dir.path() + "/bus";
  config.client_id = "test-producer";
  {
    auto producer = bus::make_producer(config);
    for (std::uint64_t i = 0; i < 480; ++i) {
      auto o = test::synthetic_observation(i, 10, 6);
      ASSERT_TRUE(
          producer->publish(bus::topics::kObservations, o.target().id(), o.SerializeAsString())
              .ok());
    }
    for (std::uint64_t i = 0; i < 50; ++i) {  // from 192.0.2.0 to 192.0.2.49
      auto e = test::synthetic_event(i);
      ASSERT_TRUE(
          producer->publish(bus::topics::kHoneypotEvents, e.session_id(), e.SerializeAsString())
              .ok());
    }
    ASSERT_TRUE(producer->flush(std::chrono::seconds(10)).ok());
  }
  const auto out = dir.path() + "/open";
  auto run = eo::test::run_command(std::string(EO_OBSERVATORY_BINARY) +
                                   " aggregator --once --geo-database none --data-dir " +
                                   dir.path() + " --db " + dir.path() +
                                   "/r.sqlite --export-daily " + out + " --retention-days 30");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.err.find("open data exported"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("observations_deleted=0"), std::string::npos) << run.err;
  auto files = read_dir(out);
  EXPECT_EQ(observation_ids(files).size(), 480u);
  EXPECT_TRUE(files.contains("findings-2023-11-14.jsonl"));
  EXPECT_EQ(read_all(out).find("192.0.2."), std::string::npos);
}

}  // namespace
}  // namespace eo::aggregator::open_data
