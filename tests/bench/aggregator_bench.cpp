// The aggregator benchmark: S servers x V vantages x P probes of synthetic observations (shaped
// like the agent's, see tests/aggregator/support.h) published to the embedded log, then ingested
// by the real Ingestor into a fresh results database (one transaction per batch, synchronous=FULL)
// and analysed once (inventory, fingerprints, rate limits), then reported (observatory report's
// files). Prints observations/s for ingest alone and for ingest + analysis (one-shot, and as a
// running aggregator that analyses every 60 s would sustain them), the CPU time of
// decoding and of writing, and the time from the last observation to finished analysis tables and
// to the finished report; CPU time too, since wall-clock rates move with the machine's load. Usage:
//   aggregator_bench [--servers 1000] [--vantages 6] [--probes 25] [--batch 5000] [--dir DIR]
//                    [--events N]   (N honeypot events on their topic too, ingested by the same
//                    run)
//                    [--captured VERSION-CONFIG | --bare]
// Observations are shaped like the agent's real ones: each probe's exchanges, request and reply
// bytes and result come from a captured run against a real ElectrumX
// (agent/probes/<probe>/testdata/electrumx-2.0.0-default.jsonl by default); identity fields
// (target, vantage, ids, times, TLS chain) are synthetic, and so are the metadata and
// rate_limit_ramp results, which the analysis needs to differ per server. --bare: the synthetic
// envelopes alone, as before (no exchanges, small results).
#include "aggregator/app/analyze.h"
#include "aggregator/ingest/decode.h"
#include "aggregator/ingest/ingestor.h"
#include "aggregator/report/report.h"
#include "common/bus/factory.h"
#include "common/bus/topics.h"
#include "tests/aggregator/support.h"
#include "tests/support/process.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <map>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <time.h>

namespace {

using Clock = std::chrono::steady_clock;
using namespace eo;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds of this thread.
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

// CPU seconds of the whole process (every thread), user + system.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto s = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return s(usage.ru_utime) + s(usage.ru_stime);
}

// The captured observation of each probe (the second line of its testdata file).
std::map<std::string, v1::Observation> load_captured(const std::string& which) {
  std::map<std::string, v1::Observation> out;
  for (const char* probe : {"metadata", "version_matrix", "tls_certificate", "address_formats",
                            "xpub_gap_scan", "hostile_input", "rate_limit_ramp", "latency"}) {
    const std::string path =
        std::string(EO_PROBES_DIR) + "/" + probe + "/testdata/electrumx-" + which + ".jsonl";
    std::ifstream in(path);
    std::string header, line;
    if (!std::getline(in, header) || !std::getline(in, line)) {
      throw std::runtime_error("no captured observation in " + path);
    }
    v1::Observation o;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    if (!google::protobuf::util::JsonStringToMessage(line, &o, options).ok()) {
      throw std::runtime_error("cannot parse the observation in " + path);
    }
    out.emplace(probe, std::move(o));
  }
  return out;
}

// A synthetic observation with the captured one's exchanges, bytes and (but for metadata and the
// ramp, which the analysis needs per server) result.
void shape_like(v1::Observation& o, const v1::Observation& captured) {
  o.set_request_bytes(captured.request_bytes());
  o.set_response_bytes(captured.response_bytes());
  *o.mutable_exchanges() = captured.exchanges();
  if (o.probe_name() != "metadata" && o.probe_name() != "rate_limit_ramp") {
    o.set_result_json(captured.result_json());
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t servers = 1000, vantages = 6, probes = 25, batch = 5000, events = 0;
  std::string dir_arg, captured_run = "2.0.0-default";
  bool bare = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--bare")) {
      bare = true;
      continue;
    }
    if (i + 1 >= argc) break;
    if (!std::strcmp(argv[i], "--captured")) captured_run = argv[i + 1];
    if (!std::strcmp(argv[i], "--servers")) servers = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--vantages")) vantages = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--probes")) probes = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--batch")) batch = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--dir")) dir_arg = argv[i + 1];
    if (!std::strcmp(argv[i], "--events")) events = std::stoull(argv[i + 1]);
    ++i;
  }
  eo::test::TempDir temp;
  std::string dir = dir_arg.empty() ? temp.path() : dir_arg;
  std::filesystem::create_directories(dir);
  const std::uint64_t n = servers * vantages * probes;

  bus::BusConfig config;
  config.log_dir = dir + "/bus";
  config.client_id = "bench";
  auto start = Clock::now();
  std::uint64_t bytes = 0, exchanges = 0;
  const auto captured =
      bare ? std::map<std::string, v1::Observation>{} : load_captured(captured_run);
  {
    auto producer = bus::make_producer(config);
    for (std::uint64_t i = 0; i < n; ++i) {
      auto o = aggregator::test::synthetic_observation(i, servers, vantages);
      if (auto c = captured.find(o.probe_name()); c != captured.end()) shape_like(o, c->second);
      exchanges += static_cast<std::uint64_t>(o.exchanges_size());
      std::string value = o.SerializeAsString();
      bytes += value.size();
      if (!producer->publish(bus::topics::kObservations, o.target().id(), value).ok()) return 1;
    }
    for (std::uint64_t i = 0; i < events; ++i) {
      auto e = aggregator::test::synthetic_event(i);
      if (!producer->publish(bus::topics::kHoneypotEvents, e.session_id(), e.SerializeAsString())
               .ok()) {
        return 1;
      }
    }
    if (!producer->flush(std::chrono::seconds(60)).ok()) return 1;
  }
  std::printf("published   %llu observations (%.0f bytes, %.1f exchanges each; %s) in %.2f s\n",
              static_cast<unsigned long long>(n), double(bytes) / double(n),
              double(exchanges) / double(n),
              bare ? "bare synthetic envelopes"
                   : ("shaped like the captured run electrumx-" + captured_run).c_str(),
              seconds_since(start));

  aggregator::results::ResultsDb db(dir + "/results.sqlite");
  std::vector<std::string> topics = {std::string(bus::topics::kObservations)};
  if (events > 0) topics.emplace_back(bus::topics::kHoneypotEvents);
  auto consumer = bus::make_consumer(config, "bench", topics);
  aggregator::ingest::Ingestor ingestor(
      *consumer, db, {.max_batch = batch, .poll_timeout = std::chrono::milliseconds(200)});
  start = Clock::now();
  double cpu_start = cpu_seconds();
  while (ingestor.stats().observations < n || ingestor.stats().events < events) {
    if (ingestor.step() == 0) break;
  }
  double ingest_s = seconds_since(start);
  double ingest_cpu_s = cpu_seconds() - cpu_start;
  if (ingestor.stats().observations != n || ingestor.stats().events != events) {
    std::fprintf(stderr, "ingested %llu of %llu\n",
                 static_cast<unsigned long long>(ingestor.stats().observations),
                 static_cast<unsigned long long>(n));
    return 1;
  }
  std::printf("ingested    %.0f observations/s (%.2f s, batches of %llu, %llu transactions)\n",
              double(n) / ingest_s, ingest_s, static_cast<unsigned long long>(batch),
              static_cast<unsigned long long>(ingestor.stats().batches));
  std::printf(
      "  CPU       %.1f us per observation (both threads): %.0f observations per "
      "CPU-second\n",
      1e6 * ingest_cpu_s / double(n), double(n) / ingest_cpu_s);
  if (events > 0) {
    std::printf(
        "  with     %llu honeypot events in the same run: %.0f records/s, %.1f us CPU "
        "per record\n",
        static_cast<unsigned long long>(events), double(n + events) / ingest_s,
        1e6 * ingest_cpu_s / double(n + events));
  }

  start = Clock::now();
  auto summary = aggregator::app::analyze(db, aggregator::reference::builtin_reference(), {});
  double analyze_s = seconds_since(start);
  std::printf("analysed    %llu servers, %llu fingerprints, %llu rate limits in %.2f s\n",
              static_cast<unsigned long long>(summary.servers),
              static_cast<unsigned long long>(summary.targets_fingerprinted),
              static_cast<unsigned long long>(summary.rate_limits), analyze_s);
  std::printf(
      "ingested and analysed once (aggregator --once): %.0f observations/s; last "
      "observation to finished analysis: %.2f s\n",
      double(n) / (ingest_s + analyze_s), analyze_s);
  // A running aggregator starts a pass every --analyze-every (60 s) and ingests in between.
  constexpr double kAnalyzeEvery = 60;
  std::printf(
      "ingested and analysed by a running aggregator (a pass as long as this one every "
      "%.0f s, ingest paused during it): %.0f observations/s\n",
      kAnalyzeEvery,
      double(n) / ingest_s * std::max(0.0, kAnalyzeEvery - analyze_s) / kAnalyzeEvery);

  // The report (report.html, report.json, csv/) from the analysed database: what a reader waits
  // for after the last observation arrived is the analysis pass plus this.
  start = Clock::now();
  auto report = aggregator::report::write_report(db, dir + "/report");
  double report_s = seconds_since(start);
  std::printf("report      %zu tables, %zu servers, report.html %.1f MB in %.2f s\n", report.tables,
              report.servers, double(std::filesystem::file_size(report.html)) / 1e6, report_s);
  std::printf("last observation to finished report (analysis + report): %.2f s\n",
              analyze_s + report_s);

  // Decoding alone (protobuf + derived columns) and writing alone (pre-decoded rows into a second
  // database), one after the other on this thread: CPU time of each, to split the ingest.
  {
    auto again =
        bus::make_consumer(config, "bench-split", {std::string(bus::topics::kObservations)});
    aggregator::results::ResultsDb second(dir + "/split.sqlite");
    double decode_cpu = 0, write_cpu = 0;
    std::uint64_t decoded = 0;
    aggregator::ingest::DecodedBatch rows;  // recycled, as ingest does
    while (decoded < n) {
      auto polled = again->poll(batch, std::chrono::milliseconds(200));
      if (polled.messages.empty()) break;
      double t = thread_cpu_seconds();
      aggregator::ingest::decode(polled.messages, rows);
      decode_cpu += thread_cpu_seconds() - t;
      decoded += rows.observations.size();
      t = thread_cpu_seconds();
      second.write_batch(rows.observations, rows.events, rows.malformed);
      write_cpu += thread_cpu_seconds() - t;
    }
    std::printf(
        "ingest CPU split: decoding %.1f us, writing %.1f us per observation "
        "(fsync waits not counted)\n",
        1e6 * decode_cpu / double(decoded), 1e6 * write_cpu / double(decoded));
  }

  return summary.servers == servers ? 0 : 1;
}
