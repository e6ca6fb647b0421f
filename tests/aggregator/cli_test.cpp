// `observatory aggregator` as a user runs it: --help teaches, --once ingests an embedded log and
// analyses, a second run and a replay leave the database as it was, and the metrics pass promtool.
#include "aggregator/app/metrics.h"
#include "aggregator/results/results_db.h"
#include "common/bus/factory.h"
#include "common/bus/topics.h"
#include "common/telemetry/metrics.h"
#include "tests/aggregator/support.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace eo::aggregator {
namespace {

eo::test::CommandResult run_observatory(const std::string& args) {
  return eo::test::run_command(std::string(EO_OBSERVATORY_BINARY) + " " + args);
}

// 10 servers x 6 vantages x 8 probes (one round), 50 honeypot events and 2 malformed records.
void publish(const std::string& data_dir) {
  bus::BusConfig config;
  config.log_dir = data_dir + "/bus";
  config.client_id = "test-producer";
  auto producer = bus::make_producer(config);
  for (std::uint64_t i = 0; i < 480; ++i) {
    auto o = test::synthetic_observation(i, 10, 6);
    ASSERT_TRUE(
        producer->publish(bus::topics::kObservations, o.target().id(), o.SerializeAsString()).ok());
  }
  for (std::uint64_t i = 0; i < 50; ++i) {
    auto e = test::synthetic_event(i);
    ASSERT_TRUE(
        producer->publish(bus::topics::kHoneypotEvents, e.session_id(), e.SerializeAsString())
            .ok());
  }
  ASSERT_TRUE(producer->publish(bus::topics::kObservations, "x", "not a protobuf \xff").ok());
  ASSERT_TRUE(producer->publish(bus::topics::kHoneypotEvents, "x", "\x0a\xff").ok());
  ASSERT_TRUE(producer->flush(std::chrono::seconds(10)).ok());
}

// Records on findings.v1, read by a fresh group from the start.
std::uint64_t findings_published(const std::string& data_dir, const std::string& group) {
  bus::BusConfig config;
  config.log_dir = data_dir + "/bus";
  auto consumer = bus::make_consumer(config, group, {std::string(bus::topics::kFindings)});
  std::uint64_t n = 0;
  for (;;) {
    auto polled = consumer->poll(1000, std::chrono::milliseconds(300));
    if (polled.messages.empty()) return n;
    n += polled.messages.size();
  }
}

std::uint64_t count(results::ResultsDb& db, const std::string& sql) {
  auto s = db.database().prepare(sql);
  s.step();
  return static_cast<std::uint64_t>(s.i64(0));
}

TEST(AggregatorCommand, HelpTeaches) {
  auto run = run_observatory("aggregator --help");
  ASSERT_EQ(run.status, 0) << run.err;
  for (const char* text :
       {"--kafka", "--data-dir", "--log-dir", "--group", "--db", "--metrics-listen", "--once",
        "--once-timeout", "--kafka-property", "--ingest-only", "--fingerprints", "--suspicion",
        "findings.v1", "Examples", "committed only after"}) {
    EXPECT_NE(run.out.find(text), std::string::npos) << text << "\n" << run.out;
  }
}

// No broker answers, so no partition is ever assigned: --once must not take that for "caught up".
TEST(AggregatorCommand, OnceFailsAndSaysWhyWhenNoPartitionIsAssigned) {
  eo::test::TempDir dir;
  eo::test::ClosedPort no_broker;
  auto run = run_observatory("aggregator --kafka " + no_broker.address() + " --db " +
                             dir.file("r.sqlite") + " --data-dir " + dir.path() +
                             " --once --idle-ms 200 --once-timeout 2 --geo-database none");
  EXPECT_NE(run.status, 0);
  EXPECT_NE(run.err.find("not caught up after 2 s"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("no partition assigned"), std::string::npos) << run.err;
}

TEST(AggregatorCommand, KafkaPropertiesAreCheckedAndNamed) {
  eo::test::TempDir dir;
  // --data-dir: the Kafka spool of findings.v1 lives there (one writer per directory).
  const std::string base = "aggregator --db " + dir.file("r.sqlite") + " --data-dir " + dir.path() +
                           " --once --once-timeout 1 --geo-database none ";
  auto alone = run_observatory(base + "--kafka-property session.timeout.ms=6000");
  EXPECT_NE(alone.status, 0);
  EXPECT_NE(alone.err.find("--kafka"), std::string::npos) << alone.err;
  eo::test::ClosedPort no_broker;
  const std::string kafka = "--kafka " + no_broker.address();
  auto malformed = run_observatory(base + kafka + " --kafka-property session.timeout.ms");
  EXPECT_NE(malformed.status, 0);
  EXPECT_NE(malformed.err.find("'session.timeout.ms': expected KEY=VALUE"), std::string::npos)
      << malformed.err;
  auto guarded = run_observatory(base + kafka + " --kafka-property enable.auto.commit=true");
  EXPECT_NE(guarded.status, 0);
  EXPECT_NE(guarded.err.find("'enable.auto.commit' is set by the bus"), std::string::npos)
      << guarded.err;
  auto unknown = run_observatory(base + kafka + " --kafka-property no.such.property=1");
  EXPECT_NE(unknown.status, 0);
  EXPECT_NE(unknown.err.find("no.such.property"), std::string::npos) << unknown.err;
  // A valid one is applied: the run gets as far as waiting for partitions.
  auto valid = run_observatory(base + kafka + " --kafka-property session.timeout.ms=6000");
  EXPECT_NE(valid.err.find("not caught up after 1 s"), std::string::npos) << valid.err;
}

TEST(AggregatorCommand, OnceIngestsAnalysesAndIsIdempotent) {
  eo::test::TempDir dir;
  publish(dir.path());
  std::string args = "aggregator --data-dir " + dir.path() + " --db " + dir.file("r.sqlite") +
                     " --once --idle-ms 500 --geo-database none";
  auto first = run_observatory(args);
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_NE(first.err.find("480 new observations"), std::string::npos) << first.err;
  std::string before;
  {
    results::ResultsDb db(dir.file("r.sqlite"));
    auto totals = db.totals();
    EXPECT_EQ(totals.observations, 480u);
    EXPECT_EQ(totals.events, 50u);
    EXPECT_EQ(totals.malformed, 2u);
    EXPECT_EQ(count(db, "SELECT count(*) FROM servers"), 10u);
    EXPECT_EQ(count(db, "SELECT count(*) FROM servers WHERE claimed_software = 'ElectrumX'"), 10u);
    EXPECT_EQ(count(db, "SELECT count(*) FROM rate_limits WHERE style = 'electrumx_cost'"), 60u);
    EXPECT_EQ(count(db, "SELECT count(*) FROM concentration_summary"), 5u);  // with operator
    EXPECT_EQ(count(db, "SELECT count(*) FROM operator_members"), 10u);
    // Every vantage alike in the synthetic set: nothing differential to find.
    EXPECT_EQ(count(db, "SELECT count(*) FROM differential WHERE status = 'finding'"), 0u);
    // One /24 and one behaviour for all (two weak kinds), one certificate for the odd ones: one
    // operator cluster of ten, a finding per member.
    EXPECT_EQ(count(db, "SELECT count(*) FROM findings WHERE kind = 'operator_cluster'"), 10u);
    EXPECT_EQ(count(db, "SELECT count(*) FROM suspicion"), 10u);
    EXPECT_GT(count(db, "SELECT count(*) FROM privacy_risk"), 0u);
    EXPECT_EQ(findings_published(dir.path(), "after-first"),
              count(db, "SELECT count(*) FROM findings"));
    before = test::dump(db);
  }
  auto second = run_observatory(args);  // nothing new
  ASSERT_EQ(second.status, 0) << second.err;
  {
    results::ResultsDb db(dir.file("r.sqlite"));
    EXPECT_EQ(test::dump(db), before);
    // Nothing changed: nothing published again.
    EXPECT_EQ(findings_published(dir.path(), "after-second"),
              count(db, "SELECT count(*) FROM findings"));
  }
  publish(dir.path());  // a replay of everything
  auto third = run_observatory(args);
  ASSERT_EQ(third.status, 0) << third.err;
  EXPECT_NE(third.err.find("532 records"), std::string::npos) << third.err;
  EXPECT_NE(third.err.find("530 duplicates"), std::string::npos) << third.err;
  results::ResultsDb db(dir.file("r.sqlite"));
  EXPECT_EQ(test::dump(db), before);
  EXPECT_EQ(findings_published(dir.path(), "after-replay"),
            count(db, "SELECT count(*) FROM findings"));
}

// Two agents' embedded logs into one database: each stored without analysis, then one analysis
// over both; nothing is published before all the data is in.
TEST(AggregatorCommand, IngestOnlyStoresSeveralLogsForOneAnalysis) {
  eo::test::TempDir first, second, out;
  publish(first.path());
  publish(second.path());  // the same records: deduplicated by id
  const std::string common = " --db " + out.file("r.sqlite") + " --idle-ms 300 --geo-database none";
  for (const auto* dir : {&first, &second}) {
    auto stored = run_observatory("aggregator --once --ingest-only --data-dir " + dir->path() +
                                  " --group g" + common);
    ASSERT_EQ(stored.status, 0) << stored.err;
    EXPECT_EQ(stored.err.find("analysis written"), std::string::npos) << stored.err;
    EXPECT_EQ(findings_published(dir->path(), "check"), 0u);
  }
  {
    results::ResultsDb db(out.file("r.sqlite"));
    EXPECT_EQ(db.totals().observations, 480u);
    EXPECT_EQ(count(db, "SELECT count(*) FROM findings"), 0u);
  }
  auto analysed =
      run_observatory("aggregator --once --data-dir " + second.path() + " --group g" + common);
  ASSERT_EQ(analysed.status, 0) << analysed.err;
  results::ResultsDb db(out.file("r.sqlite"));
  EXPECT_EQ(count(db, "SELECT count(*) FROM findings WHERE kind = 'operator_cluster'"), 10u);
  EXPECT_EQ(findings_published(second.path(), "after"), count(db, "SELECT count(*) FROM findings"));

  auto refused = run_observatory("aggregator --ingest-only" + common);
  EXPECT_NE(refused.status, 0);
  EXPECT_NE(refused.err.find("--once"), std::string::npos) << refused.err;
}

TEST(AggregatorMetrics, PassPromtool) {
  EO_SKIP_UNLESS_CI(eo::test::find_program("promtool").empty(), "promtool not installed");
  telemetry::MetricsServer server("aggregator");
  app::AggregatorMetrics metrics(server.registry());
  ingest::IngestStats stats;
  stats.consumed = 10;
  stats.observations = 7;
  stats.observation_duplicates = 2;
  stats.malformed = 1;
  stats.lag_seconds = 1.5;
  stats.committed[{"observations.v1", 0}] = 10;
  metrics.update(stats);
  app::AnalysisSummary summary;
  summary.observations = 7;
  summary.servers = 3;
  summary.targets_fingerprinted = 3;
  summary.modified = 1;
  summary.rate_limits = 2;
  summary.findings_by_kind = {{"honeypot_suspicion", 2}, {"differential.latency", 1}};
  summary.honeypot_sessions = 5;
  summary.honeypot_wallets = 2;
  for (int i = 0; i < 25; ++i) {  // only the 20 highest get a series
    summary.suspicion.emplace_back("s" + std::to_string(i) + ".example:50002:s", 25 - i);
  }
  metrics.update(summary);
  summary.suspicion.erase(summary.suspicion.begin());  // s0 left: its series goes
  metrics.update(summary);
  findings::PublishResult published;
  published.published = 3;
  published.withdrawn = 1;
  metrics.update(published);
  std::string text = server.scrape();
  for (const char* name :
       {"eo_aggregator_records_consumed_total 10", "eo_aggregator_observations_ingested_total 7",
        "eo_aggregator_duplicates_total{kind=\"observation\"} 2",
        "eo_aggregator_malformed_records_total 1", "eo_aggregator_consumer_lag_seconds 1.5",
        "eo_aggregator_servers_known 3", "eo_aggregator_modified_implementations 1",
        "eo_aggregator_findings{kind=\"honeypot_suspicion\"} 2",
        "eo_aggregator_findings{kind=\"differential.latency\"} 1",
        "eo_aggregator_findings{kind=\"query_leak\"} 0", "eo_aggregator_findings_published_total 3",
        "eo_aggregator_findings_withdrawn_total 1",
        "eo_aggregator_committed_offset{partition=\"0\",topic=\"observations.v1\"} 10",
        "eo_aggregator_honeypot_sessions 5", "eo_aggregator_honeypot_wallets 2",
        "eo_aggregator_suspicion_score{server=\"s1.example:50002:s\"} 24",
        "eo_aggregator_suspicion_score{server=\"s20.example:50002:s\"} 5"}) {
    EXPECT_NE(text.find(name), std::string::npos) << name << "\n" << text;
  }
  EXPECT_EQ(text.find("server=\"s0.example"), std::string::npos) << text;
  EXPECT_EQ(text.find("server=\"s21.example"), std::string::npos) << text;
  eo::test::TempDir dir;
  std::ofstream(dir.file("metrics.txt")) << text;
  std::string check = "promtool check metrics <" + dir.file("metrics.txt") + " >" +
                      dir.file("promtool.txt") + " 2>&1";
  int status = std::system(check.c_str());
  std::stringstream promtool;
  promtool << std::ifstream(dir.file("promtool.txt")).rdbuf();
  EXPECT_EQ(status, 0) << promtool.str() << "\n" << text;
}

}  // namespace
}  // namespace eo::aggregator
