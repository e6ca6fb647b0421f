// `observatory local`: the parts run in this process, wired as the separate roles would be (the
// coordinator on a loopback gRPC port, agents through their CoordinatorLink, the aggregator over
// the bus log), so one command exercises the same code paths as a distributed deployment.
#include "cli/local_command.h"

#include "cli/known_probes.h"
#include "aggregator/app/aggregator_app.h"
#include "aggregator/report/report.h"
#include "cli/coordinator_command.h"
#include "cli/local_agents.h"
#include "cli/local_summary.h"
#include "cli/local_tally.h"
#include "cli/local_vantages.h"
#include "cli/server_list.h"
#include "common/bus/factory.h"
#include "common/geo/geo.h"
#include "common/store/factory.h"
#include "common/telemetry/log.h"
#include "common/telemetry/metrics.h"
#include "coordinator/campaign/power.h"
#include "coordinator/service/server.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

namespace eo::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kExitIncomplete = 1;  // timed out, interrupted or cancelled: partial results
constexpr int kExitUsage = 2;
constexpr int kExitNothingReachable = 3;
constexpr int kExitInterrupted = 130;

// "Nothing reachable" is decided early so an offline machine hears it within a minute: once
// this many distinct targets (or all of them) have failed before any server answered and the
// first probes of live servers have had time to finish (a refused connection ends in
// milliseconds, a successful probe in seconds), or at the first deadline with at least one
// failure, or at the second with none finished at all.
constexpr std::size_t kDecisiveTargets = 12;
constexpr auto kDecisiveAfter = 15s;
constexpr auto kUnreachableAfter = 45s;
constexpr auto kNothingFinishedAfter = 55s;

struct LocalOptions {
  std::string data_dir = "observatory-data";
  std::string out = "observatory-report";
  std::string campaign;
  std::vector<std::string> targets;
  std::vector<std::string> probes;
  std::string tor_socks = "127.0.0.1:9050";
  std::string tor_control;  // empty: exits are not recorded
  std::string tor_cookie;   // empty: the file tor names (PROTOCOLINFO)
  bool no_tor = false;
  unsigned concurrency = 64;
  std::uint32_t sync_window_s = 60;
  std::string metrics_listen;
  std::string log_format = "text";
  std::uint32_t timeout_s = 1800;
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::vector<std::string> default_probes() {
  std::vector<std::string> out;
  for (const auto& probe : cli::known_probes()) {
    // The ramp pushes servers to their limits: only when asked for.
    if (probe.name != "rate_limit_ramp") out.push_back(probe.name);
  }
  return out;
}

// A name no earlier run on this state used: local-YYYYMMDD-HHMMSS[-N].
std::string fresh_campaign_name(store::StateStore& state) {
  std::time_t t = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&t, &utc);
  std::ostringstream base;
  base << "local-" << std::put_time(&utc, "%Y%m%d-%H%M%S");
  std::string name = base.str();
  for (int n = 2; state.get_campaign(name).ok(); ++n) name = base.str() + "-" + std::to_string(n);
  return name;
}

std::string builtin_campaign_yaml(const std::string& name, const LocalOptions& options, bool tor) {
  std::ostringstream yaml;
  yaml << "name: " << name << "\n";
  if (options.targets.empty()) {
    yaml << "targets: {builtin: true}\n";
  } else {
    yaml << "targets:\n  list:\n";
    for (const auto& target : options.targets) {
      parse_server_address(target);  // names a bad one before the YAML could garble it
      yaml << "    - \"" << target << "\"\n";
    }
  }
  bool all = options.probes.size() == 1 && options.probes.front() == "all";
  yaml << "probes: "
       << (all ? std::string("all")
               : "[" + join(options.probes.empty() ? default_probes() : options.probes, ", ") + "]")
       << "\n";
  yaml << "vantages:\n  - {network: clearnet}\n" << (tor ? "  - {network: tor}\n" : "");
  yaml << "rounds: 1\nsync_window_s: " << options.sync_window_s << "\n";
  return yaml.str();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read campaign file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// SIGINT/SIGTERM: the first ends the campaign early (partial results are still aggregated), a
// second exits at once.
std::atomic<bool> g_interrupted{false};

void watch_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // inherited by every thread started after this
  std::thread([set] {
    for (;;) {
      int signal = 0;
      sigwait(&set, &signal);
      if (g_interrupted.exchange(true)) std::_Exit(kExitInterrupted);
      std::cerr << "\nobservatory local: stopping (again to quit at once)\n";
    }
  }).detach();
}

enum class Ending { done, nothing_reachable, timed_out, interrupted, ended };

// Campaigns an interrupted earlier run left running would be resumed and served by this run's
// agents; this command runs one campaign.
void cancel_leftovers(store::StateStore& state) {
  auto left = state.list_campaigns(store::CampaignState::running);
  if (!left.ok()) return;
  for (const auto& campaign : left.value) {
    state.set_campaign_state(campaign.id, store::CampaignState::cancelled, now_ms());
    std::cerr << "cancelled campaign " << campaign.id << ", left running by an earlier run\n";
  }
}

// The campaign this run submits: --campaign's file, or the built-in one.
struct LocalCampaign {
  std::string yaml;
  std::string origin = "built-in campaign";
  std::string base_dir;
  coordinator::CampaignSpec spec;
};

LocalCampaign load_campaign(const LocalOptions& options, store::StateStore& state, bool tor) {
  LocalCampaign c;
  if (!options.campaign.empty()) {
    // As `campaign submit` does: the stored campaign must parse again without its directory.
    c.yaml = coordinator::inline_target_files(read_text(options.campaign), options.campaign);
    c.origin = options.campaign;
    c.base_dir = fs::absolute(options.campaign).parent_path().string();
  } else {
    c.yaml = builtin_campaign_yaml(fresh_campaign_name(state), options, tor);
  }
  c.spec = coordinator::parse_campaign_yaml(c.yaml, c.origin, cli::known_probes());
  return c;
}

// A vantage class nobody here serves would wait for its tasks until the timeout: false, after
// saying which.
bool served_here(const LocalCampaign& c, const std::vector<agent::Vantage>& vantages,
                 const LocalOptions& options, bool tor) {
  for (const auto& selector : c.spec.vantages) {
    bool served = false;
    for (const auto& v : vantages) {
      served = served || selector.matches(v.region, v.tor ? "tor" : "clearnet", v.provider);
    }
    if (!served) {
      std::cerr << "observatory local: " << c.origin << ": vantage class "
                << selector.vantage_class() << " is not served on this machine (vantages: "
                << "region=local,network=clearnet,provider=local"
                << (tor ? "; region=local,network=tor,provider=tor"
                        : "; no Tor SOCKS port at " + options.tor_socks)
                << ")\n";
      return false;
    }
  }
  return true;
}

agent::PolitenessConfig agents_politeness(const coordinator::CampaignSpec& spec) {
  agent::PolitenessConfig politeness;
  politeness.max_concurrency_per_target = spec.politeness.max_concurrency_per_target;
  politeness.max_requests_per_second_per_target =
      spec.politeness.max_requests_per_second_per_target;
  politeness.backoff_after_error =
      std::chrono::milliseconds(spec.politeness.backoff_after_error_ms);
  politeness.opt_out_hosts = spec.opt_out;
  return politeness;
}

std::string tor_description(const LocalOptions& options, bool tor) {
  if (tor) {
    return ", Tor via " + options.tor_socks +
           (options.tor_control.empty()
                ? " (exits not recorded: no --tor-control)"
                : " (exit of each stream from the control port " + options.tor_control + ")");
  }
  return options.no_tor
             ? " (Tor off: --no-tor)"
             : " (no Tor SOCKS port at " + options.tor_socks + ": .onion servers are skipped)";
}

// How the campaign went, as the watch loop left it.
struct Watched {
  Ending ending = Ending::ended;
  v1::CampaignStatus status;
  Tally::Snapshot seen;
  Clock::duration elapsed{};
};

// Prints progress (a live line on a terminal, a line per change at most every 5 s otherwise)
// until the campaign ends, nothing is reachable, the user interrupts, or --timeout-s.
Watched watch_campaign(coordinator::Scheduler& scheduler, const std::string& campaign_id,
                       const Tally& tally, const LocalOptions& options, Clock::time_point started,
                       std::size_t probed_targets) {
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  const auto give_up = started + std::chrono::seconds(options.timeout_s);
  std::string last_line, printed;
  auto last_print = Clock::now() - 1h;
  Watched w;
  for (;;) {
    w.status = scheduler.status(campaign_id);
    w.seen = tally.snapshot();
    auto now = Clock::now();
    w.elapsed = now - started;
    std::string line = progress_line(w.status, w.seen, w.elapsed);
    if (tty) {
      std::cerr << "\r" << line << "\033[K" << std::flush;
    } else if (line != last_line && now - last_print >= 5s) {
      std::cerr << line << "\n";
      last_print = now;
      printed = line;
    }
    last_line = line;
    if (w.status.state() == "done") {
      // A short campaign can end before the early verdict below: the same verdict, on all of it.
      w.ending = w.seen.targets_reached == 0 ? Ending::nothing_reachable : Ending::done;
      break;
    }
    if (w.status.state() != "running" && w.status.state() != "pending") break;
    if (w.seen.targets_reached == 0 &&
        ((w.seen.targets >= std::min(kDecisiveTargets, probed_targets) && w.seen.targets > 0 &&
          w.elapsed >= kDecisiveAfter) ||
         (w.elapsed >= kUnreachableAfter && w.seen.observations > 0) ||
         w.elapsed >= kNothingFinishedAfter)) {
      w.ending = Ending::nothing_reachable;
      break;
    }
    if (g_interrupted) {
      w.ending = Ending::interrupted;
      break;
    }
    if (now >= give_up) {
      w.ending = Ending::timed_out;
      break;
    }
    std::this_thread::sleep_for(250ms);
  }
  if (w.ending != Ending::done && w.ending != Ending::ended && w.status.state() != "done") {
    w.status = scheduler.cancel(campaign_id, now_ms());
  }
  // The final state (a cancellation included) replaces the live line.
  std::string final_line = progress_line(w.status, w.seen, w.elapsed);
  if (tty) {
    std::cerr << "\r" << final_line << "\033[K\n";
  } else if (final_line != printed) {
    std::cerr << final_line << "\n";
  }
  return w;
}

int exit_code(const Watched& w, const LocalOptions& options, const std::string& campaign_id) {
  switch (w.ending) {
    case Ending::done:
      return 0;
    case Ending::interrupted:
      std::cerr << "interrupted: the results cover what finished before\n";
      return kExitInterrupted;
    case Ending::timed_out:
      std::cerr << "timed out after " << options.timeout_s
                << " s (--timeout-s): the results cover what finished before\n";
      return kExitIncomplete;
    default:
      std::cerr << "campaign " << campaign_id << " ended " << w.status.state() << "\n";
      return kExitIncomplete;
  }
}

// The aggregator over the run's bus log, then summary.json, report.md and the full report.
int aggregate_and_report(const LocalOptions& options, const std::string& campaign_id,
                         const std::string& header) {
  aggregator::app::AggregatorOptions aggregate;
  aggregate.data_dir = options.data_dir;
  aggregate.db = (fs::path(options.out) / "results.sqlite").string();
  // One consumer group per results database: a new --out gets everything in the data dir, a
  // reused one only what it has not ingested yet.
  aggregate.group =
      "local-" + std::to_string(std::hash<std::string>{}(fs::absolute(options.out).string()));
  aggregate.once = true;
  aggregate.idle = 1s;  // the embedded log is complete: the agents have flushed and stopped
  aggregate.log_format = options.log_format;
  std::cerr << "aggregating into " << aggregate.db << "\n";
  int aggregated = aggregator::app::run_aggregator(aggregate);
  if (aggregated != 0) return aggregated;
  auto summary = write_summary(aggregate.db, options.out, campaign_id, header);
  aggregator::results::ResultsDb results(aggregate.db);
  auto report = aggregator::report::write_report(results, options.out);
  std::cout << summary.reachable << " of " << summary.servers << " servers answered\n"
            << "report:  " << summary.markdown << "\n"
            << "         " << summary.json << "\n"
            << "         " << report.html << "  (every analysis table: " << report.json << ", "
            << report.csv_dir << "/)\n"
            << "results: " << aggregate.db << "  (sqlite3 " << aggregate.db
            << " 'SELECT server, implementation, modified, uptime FROM servers')\n";
  return 0;
}

int run_local(const LocalOptions& options) {
  watch_signals();
  telemetry::LogOptions log_options;
  telemetry::parse_log_format(options.log_format, log_options.format);
  log_options.component = "local";
  telemetry::init_logging(log_options);
  const auto started = Clock::now();

  // First, so that a malformed --tor-socks or --tor-control is refused before anything is
  // written.
  if (!options.tor_control.empty()) split_host_port(options.tor_control, "--tor-control");
  const bool tor = !options.no_tor && tcp_reachable(options.tor_socks, 2s);
  fs::create_directories(options.data_dir);
  fs::create_directories(options.out);
  const std::string state_path = (fs::path(options.data_dir) / "coordinator.sqlite").string();
  auto state = store::make_store("sqlite:" + state_path);
  cancel_leftovers(*state);
  const auto vantages =
      local_vantages(tor, {options.tor_socks, options.tor_control, options.tor_cookie});
  const LocalCampaign source = load_campaign(options, *state, tor);
  if (!served_here(source, vantages, options, tor)) return kExitUsage;

  coordinator::SchedulerOptions scheduler_options;
  scheduler_options.builtin_servers_json = default_servers_json();
  scheduler_options.known_probes = cli::known_probes();
  coordinator::Scheduler scheduler(*state, scheduler_options);
  telemetry::MetricsServer metrics("local");
  if (!options.metrics_listen.empty()) metrics.listen(options.metrics_listen);
  bus::BusConfig bus_config;
  bus_config.log_dir = (fs::path(options.data_dir) / "bus").string();
  bus_config.client_id = "local";
  coordinator::ServerOptions server_options;
  server_options.listen = "127.0.0.1:0";
  server_options.insecure = true;
  server_options.service.heartbeat_interval_ms = 2000;
  // Servers the targets advertise join campaigns whose file enables discovery (next round on).
  server_options.discovery = bus_config;
  coordinator::CoordinatorServer server(scheduler, server_options, &metrics.registry());
  const std::string coordinator_address = "127.0.0.1:" + std::to_string(server.port());
  auto producer = bus::make_producer(bus_config);
  std::unique_ptr<geo::GeoDatabase> geo;
  try {
    geo = std::make_unique<geo::GeoDatabase>(geo::GeoDatabase::kDefaultPath);
  } catch (const std::exception& e) {
    telemetry::log(telemetry::LogLevel::warn, "no country/ASN for vantages", {{"why", e.what()}});
  }
  const agent::PolitenessConfig politeness = agents_politeness(source.spec);
  Tally tally;
  auto agents =
      make_local_agents(vantages, {coordinator_address, options.concurrency, politeness, geo.get()},
                        *producer, metrics.registry(), tally);

  auto campaign = scheduler.submit(source.yaml, source.origin, source.base_dir, now_ms());
  agents->start();
  auto targets = scheduler.targets(campaign.id);
  std::size_t onion = 0;
  for (const auto& t : targets) onion += t.onion ? 1 : 0;
  std::cerr << "observatory local: coordinator on " << coordinator_address
            << " (plaintext, loopback), state " << state_path << ", bus " << bus_config.log_dir
            << "\nvantages: clearnet from this machine" << tor_description(options, tor) << "\n"
            << source.spec.describe() << "\n"
            << (source.spec.continuous
                    ? coordinator::describe_continuous(
                          static_cast<std::uint32_t>(source.spec.vantages.size()), targets.size())
                    : coordinator::describe(coordinator::detection_power(
                          source.spec.rounds,
                          static_cast<std::uint32_t>(source.spec.vantages.size()), targets.size())))
            << "\nagents' " << politeness.describe() << "\n"
            << targets.size() << " targets (" << onion << " .onion), "
            << scheduler.status(campaign.id).tasks_total()
            << " tasks in round 1; the politeness caps allow it to finish in no less than "
            << scheduler.politeness_bound_ms(campaign.id) / 1000 << " s; giving up after "
            << options.timeout_s << " s\n";

  const Watched w = watch_campaign(scheduler, campaign.id, tally, options, started,
                                   tor ? targets.size() : targets.size() - onion);
  agents->stop();
  auto flushed = producer->flush(10s);
  if (!flushed.ok()) {
    telemetry::log(telemetry::LogLevel::warn, "observations not yet delivered to the bus log",
                   {{"detail", flushed.detail}});
  }
  agents.reset();
  producer.reset();
  server.shutdown();

  if (w.ending == Ending::nothing_reachable) {
    std::cerr << "nothing reachable from this machine: " << failure_counts(w.seen.unreached) << " ("
              << w.seen.observations << " observations of " << w.seen.targets << " servers in "
              << std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count()
              << " s; no server answered). Is this machine online? Observations are in "
              << bus_config.log_dir << "\n";
    return kExitNothingReachable;
  }
  std::ostringstream header;
  header << "Campaign `" << campaign.id << "` (" << w.status.state()
         << "): " << w.status.tasks_done() << " tasks done, " << w.status.tasks_failed()
         << " failed of " << w.status.tasks_total() << ", " << targets.size()
         << " targets, vantages: clearnet" << (tor ? " and Tor" : " only") << ", "
         << std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count()
         << " s.";
  if (int code = aggregate_and_report(options, campaign.id, header.str()); code != 0) return code;
  return exit_code(w, options, campaign.id);
}

}  // namespace

void add_local_command(CLI::App& app) {
  auto options = std::make_shared<LocalOptions>();
  auto* cmd = app.add_subcommand(
      "local",
      "Run the whole observatory on this machine: coordinator, agents, one campaign, aggregator "
      "and a report");
  cmd->footer(
      "What it does:\n"
      "  1. starts a coordinator on a loopback port (state: DATA_DIR/coordinator.sqlite) and one\n"
      "     agent per vantage: clearnet from this machine, plus Tor when a SOCKS port answers at\n"
      "     --tor-socks (.onion servers need it; with --tor-control it records each stream's\n"
      "     exit relay);\n"
      "  2. runs one campaign: by default every server of Electrum's public list\n"
      "     (data/electrum-servers.json), the probe suite without rate_limit_ramp, one round in a\n"
      "     --sync-window-s window; progress on stderr; observations to the bus log DATA_DIR/bus;\n"
      "  3. aggregates into OUT/results.sqlite and writes OUT/report.md and OUT/summary.json\n"
      "     (servers reachable, implementations inferred from behaviour, modified claims, rate\n"
      "     limits, centralization) and the full report: OUT/report.html (opens offline),\n"
      "     OUT/report.json and OUT/csv/ (every analysis table; as 'observatory report').\n"
      "Exit status: 0 done; 1 timed out (--timeout-s), 130 interrupted (both with partial\n"
      "results written); 2 bad input; 3 nothing reachable from this machine (decided within a\n"
      "minute, e.g. when offline).\n"
      "Examples:\n"
      "  observatory local\n"
      "  observatory local --targets electrum.example.org:50002:s --probes metadata,latency\n"
      "  observatory local --campaign my-campaign.yaml --out my-report   (coordinator/README.md)\n"
      "Politeness: at most 2 sessions and 5 requests/s per target over all vantages by default;\n"
      "the caps in force are printed at start.");
  cmd->add_option("--data-dir", options->data_dir,
                  "Coordinator state and the bus log; reused runs add to it")
      ->capture_default_str();
  cmd->add_option("--out", options->out, "Where results.sqlite and the report go")
      ->capture_default_str();
  auto* campaign = cmd->add_option(
      "--campaign", options->campaign,
      "Campaign YAML instead of the built-in one; its vantage classes must be served here "
      "(network=clearnet, or tor with a Tor SOCKS port)");
  campaign->check(CLI::ExistingFile);
  cmd->add_option("--targets", options->targets,
                  "Servers instead of Electrum's public list: host:port:t (TCP) or :s (TLS), "
                  "comma-separated")
      ->delimiter(',')
      ->excludes(campaign);
  cmd->add_option("--probes", options->probes,
                  "Probes to run, comma-separated, or 'all' (default: every probe but "
                  "rate_limit_ramp; 'observatory agent --list-probes')")
      ->delimiter(',')
      ->excludes(campaign);
  cmd->add_option("--sync-window-s", options->sync_window_s,
                  "Seconds within which every vantage probes a target (the round's spread)")
      ->check(CLI::Range(1u, 3600u))
      ->excludes(campaign)
      ->capture_default_str();
  auto* tor_socks =
      cmd->add_option("--tor-socks", options->tor_socks,
                      "Tor SOCKS port; a Tor vantage is added when it accepts a TCP connection")
          ->capture_default_str();
  auto* tor_control = cmd->add_option(
      "--tor-control", options->tor_control,
      "Tor control port HOST:PORT: the Tor vantage records each stream's exit relay (fingerprint "
      "and address)");
  auto* tor_cookie =
      cmd->add_option("--tor-cookie", options->tor_cookie,
                      "Tor's control_auth_cookie for --tor-control (default: the file tor names; "
                      "null authentication when it asks for none)")
          ->needs(tor_control);
  cmd->add_flag("--no-tor", options->no_tor, "Clearnet only, even when Tor is running")
      ->excludes(tor_socks)
      ->excludes(tor_control)
      ->excludes(tor_cookie);
  cmd->add_option("--concurrency", options->concurrency, "Probes in flight per vantage")
      ->check(CLI::Range(1u, 10000u))
      ->capture_default_str();
  cmd->add_option("--metrics-listen", options->metrics_listen,
                  "Serve /metrics of coordinator and agents on ADDR:PORT");
  cmd->add_option("--log-format", options->log_format, "json or text")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  cmd->add_option("--timeout-s", options->timeout_s,
                  "Overall cap: cancel the campaign after this many seconds and report what "
                  "finished")
      ->check(CLI::Range(10u, 7u * 24 * 3600))
      ->capture_default_str();
  cmd->callback([options] { throw CLI::RuntimeError(run_local(*options)); });
}

}  // namespace eo::cli
