// The history benchmark (issue #19): does one analysis pass cost the same after a week, a month
// and three months of a continuous campaign? Synthetic history goes straight into a results
// database (bulk inserts, no bus): hourly rounds in which every vantage probes every server with
// `metadata` (a server is down one hour in 20), plus the rest of the suite once a day; rows
// shaped like the agent's (tests/aggregator/support.h, and each probe's result from the captured
// ElectrumX 2.0.0 run but for metadata and the ramp, which the analysis needs per server). At
// each size a first pass catches the history rollups up (as a running aggregator's passes would
// have), one more round arrives, and the measured pass runs in a child process with the default
// analysis window: its CPU time (user + system; the better of two runs) and peak RSS come from
// wait4, so neither the generator's memory nor another size's pass counts. Prints the table and
// exits 1 unless the pass's CPU time and peak memory at every size stay within 1.5x of the week's.
// Usage:
//   history_bench [--servers 1000] [--vantages 5] [--days 7,30,91] [--dir DIR]
#include "aggregator/app/analyze.h"
#include "aggregator/results/derive.h"
#include "aggregator/results/results_db.h"
#include "tests/aggregator/support.h"
#include "tests/support/process.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace eo;
using Clock = std::chrono::steady_clock;
using aggregator::results::ObservationRow;

constexpr std::int64_t kHourUs = 3'600'000'000;
constexpr std::int64_t kStartUs = 1'788'220'800'000'000;  // 2026-09-01 00:00 UTC
constexpr std::uint64_t kProbes = 8;                      // the suite of support.h, in its order
constexpr double kFlat = 1.5;

// The captured run's result of each probe (the second line of its testdata file).
std::map<std::string, std::string> captured_results() {
  std::map<std::string, std::string> out;
  for (const char* probe : {"version_matrix", "tls_certificate", "address_formats", "xpub_gap_scan",
                            "hostile_input", "latency"}) {
    const std::string path =
        std::string(EO_PROBES_DIR) + "/" + probe + "/testdata/electrumx-2.0.0-default.jsonl";
    std::ifstream in(path);
    std::string header, line;
    v1::Observation o;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    if (!std::getline(in, header) || !std::getline(in, line) ||
        !google::protobuf::util::JsonStringToMessage(line, &o, options).ok()) {
      throw std::runtime_error("no captured observation in " + path);
    }
    out.emplace(probe, o.result_json());
  }
  return out;
}

// Per server, vantage and probe, the row every round copies (identity and result); the round
// sets its id, round, task and time.
class Generator {
 public:
  Generator(std::uint64_t servers, std::uint64_t vantages)
      : servers_(servers), vantages_(vantages) {
    const auto captured = captured_results();
    for (std::uint64_t s = 0; s < servers; ++s) {
      for (std::uint64_t v = 0; v < vantages; ++v) {
        for (std::uint64_t p = 0; p < kProbes; ++p) {
          auto o = aggregator::test::synthetic_observation((s * vantages + v) * kProbes + p,
                                                           servers, vantages);
          if (auto c = captured.find(o.probe_name()); c != captured.end()) {
            o.set_result_json(c->second);
          }
          templates_.push_back(aggregator::results::to_row(o));
        }
      }
    }
  }

  // The rows of round `hour`: metadata from every vantage, and the whole suite on the day's
  // first round.
  void round(std::uint64_t hour, std::vector<ObservationRow>& out) {
    const bool full_suite = hour % 24 == 0;
    for (std::uint64_t s = 0; s < servers_; ++s) {
      const bool down = (s * 7919 + hour * 104729) % 20 == 0;
      for (std::uint64_t v = 0; v < vantages_; ++v) {
        for (std::uint64_t p = 0; p < (full_suite ? kProbes : 1); ++p) {
          ObservationRow row = templates_[(s * vantages_ + v) * kProbes + p];
          char id[32];
          std::snprintf(id, sizeof id, "h%015llu", static_cast<unsigned long long>(next_id_++));
          row.observation_id = id;
          row.round = static_cast<std::int64_t>(hour);
          row.task_id = "history|r" + std::to_string(hour) + "|" + row.target_id + "|" +
                        row.vantage_class + "|default|" + row.probe_name;
          row.campaign_id = "history";
          // Spread over the round's 60 s sync window.
          row.started_us =
              kStartUs + static_cast<std::int64_t>(hour) * kHourUs +
              static_cast<std::int64_t>((s * vantages_ + v) * kProbes + p) % 60'000'000;
          if (down) {
            row.outcome = "timeout";
            row.failure = "connect timed out";
            row.result_json = "{}";
            row.server_version.clear();
            row.content_sha256.clear();
            row.banner_sha256.clear();
          }
          out.push_back(std::move(row));
        }
      }
    }
  }

 private:
  std::uint64_t servers_, vantages_;
  std::vector<ObservationRow> templates_;
  std::uint64_t next_id_ = 0;
};

struct Pass {
  std::uint64_t observations = 0;  // in the window
  std::uint64_t servers = 0;
  double cpu_s = 0, wall_s = 0;
  double peak_mb = 0;
};

// `history_bench --measure DB`: one pass with the default window; what it read, on stdout.
int measure(const std::string& db_path) {
  aggregator::results::ResultsDb db(db_path);
  auto summary = aggregator::app::analyze(db, aggregator::reference::builtin_reference(), {});
  std::printf("%llu %llu\n", static_cast<unsigned long long>(summary.observations),
              static_cast<unsigned long long>(summary.servers));
  return 0;
}

Pass run_pass(const std::string& db_path) {
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe");
  auto start = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    execl("/proc/self/exe", "history_bench", "--measure", db_path.c_str(), nullptr);
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buffer[256];
  for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) > 0;) text.append(buffer, n);
  close(out[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("pass failed");
  auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  Pass pass;
  pass.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  pass.cpu_s = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  pass.peak_mb = double(usage.ru_maxrss) / 1024;  // KiB on Linux
  std::istringstream(text) >> pass.observations >> pass.servers;
  return pass;
}

std::uint64_t file_bytes(const std::string& path) {
  std::uint64_t total = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path + suffix, ec);
    if (!ec) total += size;
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && !std::strcmp(argv[1], "--measure")) return measure(argv[2]);
  std::uint64_t servers = 1000, vantages = 5;
  std::vector<std::uint64_t> days = {7, 30, 91};
  std::string dir_arg;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--servers")) servers = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--vantages")) vantages = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--dir")) dir_arg = argv[i + 1];
    if (!std::strcmp(argv[i], "--days")) {
      days.clear();
      std::stringstream list(argv[i + 1]);
      for (std::string d; std::getline(list, d, ',');) days.push_back(std::stoull(d));
    }
  }
  eo::test::TempDir temp;
  const std::string dir = dir_arg.empty() ? temp.path() : dir_arg;
  std::filesystem::create_directories(dir);
  const std::string db_path = dir + "/history.sqlite";
  std::filesystem::remove(db_path);

  std::printf(
      "history: %llu servers x %llu vantages, hourly metadata rounds + the suite daily; "
      "analysis window %lld h\n",
      static_cast<unsigned long long>(servers), static_cast<unsigned long long>(vantages),
      static_cast<long long>(aggregator::app::kDefaultWindow.count()));
  Generator generator(servers, vantages);
  aggregator::results::ResultsDb db(db_path);
  std::vector<ObservationRow> batch;
  std::uint64_t hour = 0, rows = 0;
  double insert_s = 0;
  auto insert_until = [&](std::uint64_t end_hour) {
    auto start = Clock::now();
    for (; hour < end_hour; ++hour) {
      generator.round(hour, batch);
      if (batch.size() >= 50'000 || hour + 1 == end_hour) {
        rows += db.write_batch(batch, {}, {}).observations;
        batch.clear();
      }
    }
    insert_s += std::chrono::duration<double>(Clock::now() - start).count();
  };

  struct Row {
    std::uint64_t days, observations, bytes;
    Pass catch_up, pass;
  };
  std::vector<Row> table;
  for (auto d : days) {
    insert_until(d * 24 - 1);
    auto catch_up = run_pass(db_path);  // the rollups up to date, as earlier passes left them
    insert_until(d * 24);
    db.database().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    // Best of two for the CPU time: other work on the machine only ever adds to it.
    auto pass = run_pass(db_path);
    pass.cpu_s = std::min(pass.cpu_s, run_pass(db_path).cpu_s);
    table.push_back({d, rows, file_bytes(db_path), catch_up, pass});
    std::fprintf(stderr, "  %llu days: %llu observations inserted (%.0f/s so far)\n",
                 static_cast<unsigned long long>(d), static_cast<unsigned long long>(rows),
                 double(rows) / insert_s);
  }

  std::printf(
      "\n| history | observations | database | bytes per observation | read by the pass | pass "
      "CPU | pass wall | peak RSS | CPU vs first | RSS vs first |\n"
      "|---|---|---|---|---|---|---|---|---|---|\n");
  const auto& first = table.front().pass;
  bool ok = true;
  for (const auto& r : table) {
    const double cpu_ratio = r.pass.cpu_s / first.cpu_s;
    const double rss_ratio = r.pass.peak_mb / first.peak_mb;
    ok = ok && cpu_ratio <= kFlat && rss_ratio <= kFlat && r.pass.servers == servers;
    std::printf(
        "| %llu days | %llu | %.1f MB | %.0f | %llu | %.2f s | %.2f s | %.0f MB | %.2fx | "
        "%.2fx |\n",
        static_cast<unsigned long long>(r.days), static_cast<unsigned long long>(r.observations),
        double(r.bytes) / 1e6, double(r.bytes) / double(r.observations),
        static_cast<unsigned long long>(r.pass.observations), r.pass.cpu_s, r.pass.wall_s,
        r.pass.peak_mb, cpu_ratio, rss_ratio);
  }
  std::printf("\ncatch-up passes before each (not measured): ");
  for (const auto& r : table) std::printf("%.1f s CPU  ", r.catch_up.cpu_s);
  std::printf("\ninsert: %.0f observations/s\n", double(rows) / insert_s);
  std::printf(
      "%s: pass CPU time and peak RSS within %.1fx of the %llu-day history's at every "
      "size, every server analysed\n",
      ok ? "PASS" : "FAIL", kFlat, static_cast<unsigned long long>(days.front()));
  return ok ? 0 : 1;
}
