#include "cli/coordinator_command.h"

#include "cli/known_probes.h"
#include "cli/kafka_options.h"
#include "common/pki/pki.h"
#include "common/rpc/credentials.h"
#include "common/store/factory.h"
#include "common/telemetry/log.h"
#include "common/telemetry/metrics.h"
#include "coordinator/campaign/power.h"
#include "coordinator/service/server.h"

#include "eo/v1/coordinator.grpc.pb.h"

#include <grpcpp/create_channel.h>

#include <algorithm>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace eo::cli {
namespace {

namespace fs = std::filesystem;

struct CoordinatorOptions {
  std::string listen = "127.0.0.1:50151";
  std::string store = "sqlite:observatory-data/coordinator.sqlite";
  rpc::TlsFiles tls;
  bool insecure = false;
  std::string servers_json;
  std::uint32_t lease_ms = 30000;
  std::size_t max_leases_per_agent = 4096;
  std::string metrics_listen;
  std::string log_format = "text";
  std::string kafka;
  std::map<std::string, std::string> kafka_properties;
  std::string data_dir = "observatory-data";
};

struct OperatorOptions {
  std::string coordinator = "127.0.0.1:50151";
  rpc::TlsFiles tls;
  bool insecure = false;
  std::string file;
  std::string campaign;
  bool watch = false;
  bool gone = false;  // campaign status: also list the gone targets
};

void add_tls_options(CLI::App& cmd, rpc::TlsFiles& tls, bool& insecure, const char* whose) {
  cmd.add_option("--tls-ca", tls.ca, "CA certificate (PEM) that signs every party")
      ->check(CLI::ExistingFile);
  cmd.add_option("--tls-cert", tls.cert, std::string(whose) + " certificate (PEM)")
      ->check(CLI::ExistingFile);
  cmd.add_option("--tls-key", tls.key, std::string(whose) + " private key (PEM)")
      ->check(CLI::ExistingFile);
  cmd.add_flag("--insecure", insecure,
               "Plaintext gRPC without certificates: loopback addresses only");
}

// Blocks SIGINT/SIGTERM in every thread and returns when one arrives.
void wait_for_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int signal = 0;
  sigwait(&set, &signal);
}

void block_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int run_coordinator(const CoordinatorOptions& options) {
  telemetry::LogOptions log_options;
  telemetry::parse_log_format(options.log_format, log_options.format);
  log_options.component = "coordinator";
  telemetry::init_logging(log_options);
  block_signals();
  if (auto url = store::parse_store_url(options.store); url.kind == store::StoreUrl::Kind::sqlite) {
    fs::path dir = fs::path(url.path).parent_path();
    if (!dir.empty() && url.path != ":memory:") fs::create_directories(dir);
  }
  auto state = store::make_store(options.store);
  coordinator::SchedulerOptions scheduler_options;
  scheduler_options.builtin_servers_json =
      options.servers_json.empty() ? default_servers_json() : options.servers_json;
  scheduler_options.known_probes = cli::known_probes();
  scheduler_options.lease_ms = options.lease_ms;
  coordinator::Scheduler scheduler(*state, scheduler_options);
  telemetry::MetricsServer metrics("coordinator");
  if (!options.metrics_listen.empty()) metrics.listen(options.metrics_listen);
  coordinator::ServerOptions server_options;
  server_options.listen = options.listen;
  server_options.tls = options.tls;
  server_options.insecure = options.insecure;
  bus::BusConfig discovery;
  discovery.kafka_brokers = options.kafka;
  discovery.kafka_overrides = options.kafka_properties;
  discovery.log_dir = options.data_dir + "/bus";
  discovery.client_id = "coordinator";
  server_options.discovery = discovery;
  // Three heartbeats per lease: one lost heartbeat does not cost a lease.
  server_options.service.heartbeat_interval_ms =
      std::clamp<std::uint32_t>(options.lease_ms / 3, 200, 5000);
  server_options.service.max_leases_per_agent = options.max_leases_per_agent;
  coordinator::CoordinatorServer server(scheduler, server_options, &metrics.registry());
  auto running = state->list_campaigns(store::CampaignState::running);
  telemetry::log(telemetry::LogLevel::info, "coordinator listening",
                 {{"address", options.listen},
                  {"port", server.port()},
                  {"store", options.store},
                  {"mtls", !options.insecure},
                  {"campaigns_resumed", running.ok() ? running.value.size() : 0}});
  std::thread signals([&] {
    wait_for_signal();
    server.shutdown();
  });
  signals.detach();
  server.wait();
  telemetry::log(telemetry::LogLevel::info, "coordinator stopped", {});
  return 0;
}

std::unique_ptr<v1::Coordinator::Stub> connect(const OperatorOptions& options) {
  auto credentials = rpc::channel_credentials(options.tls, options.coordinator, options.insecure);
  return v1::Coordinator::NewStub(grpc::CreateChannel(options.coordinator, credentials));
}

int rpc_failed(const std::string& what, const grpc::Status& status) {
  std::cerr << "observatory: " << what << ": " << status.error_message() << "\n";
  return status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ? 2 : 1;
}

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void print_status(const v1::CampaignStatus& s, std::ostream& out) {
  out << "campaign " << s.campaign_id() << ": " << s.state() << ", " << round_text(s, unix_ms_now())
      << ", tasks " << s.tasks_done() << " done + " << s.tasks_failed() << " failed / "
      << s.tasks_total() << " (" << s.tasks_leased() << " leased), " << s.agents_connected()
      << " agents, " << s.lease_expiries() << " lease expiries, " << targets_text(s) << "\n";
}

std::string progress_line(const v1::CampaignStatus& s) {
  constexpr int kWidth = 30;
  double finished = double(s.tasks_done() + s.tasks_failed());
  double share = s.tasks_total() == 0 ? 0 : finished / double(s.tasks_total());
  int filled = static_cast<int>(share * kWidth);
  std::ostringstream out;
  out << round_text(s, unix_ms_now()) << " [" << std::string(filled, '#')
      << std::string(kWidth - filled, '.') << "] " << s.tasks_done() << " done " << s.tasks_leased()
      << " leased " << s.tasks_failed() << " failed / " << s.tasks_total() << " | "
      << s.agents_connected() << " agents | " << s.lease_expiries() << " expiries | " << s.state();
  return out.str();
}

int watch(v1::Coordinator::Stub& stub, const std::string& campaign) {
  grpc::ClientContext context;
  v1::CampaignRef ref;
  ref.set_campaign_id(campaign);
  auto reader = stub.WatchCampaign(&context, ref);
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  v1::CampaignStatus status;
  std::string last;
  while (reader->Read(&status)) {
    std::string line = progress_line(status);
    if (tty) {
      std::cerr << "\r" << line << "\033[K" << std::flush;
    } else if (line != last) {
      std::cerr << line << "\n";
    }
    last = line;
  }
  if (tty) std::cerr << "\n";
  auto finished = reader->Finish();
  if (!finished.ok()) return rpc_failed("watch " + campaign, finished);
  print_status(status, std::cout);
  return status.state() == "done" ? 0 : 1;
}

int submit(const OperatorOptions& options) {
  std::ifstream in(options.file);
  if (!in) throw std::invalid_argument("cannot read campaign file " + options.file);
  std::stringstream text;
  text << in.rdbuf();
  // Validate here first: the person submitting gets the error with their file's name.
  const auto parsed =
      coordinator::parse_campaign_yaml(text.str(), options.file, cli::known_probes());
  const auto targets = coordinator::resolve_targets(parsed, default_servers_json());
  const auto classes = static_cast<std::uint32_t>(parsed.vantages.size());
  std::cerr << (parsed.continuous ? coordinator::describe_continuous(classes, targets.size())
                                  : coordinator::describe(coordinator::detection_power(
                                        parsed.rounds, classes, targets.size())))
            << "\n";
  v1::CampaignSpec spec;
  spec.set_yaml(coordinator::inline_target_files(text.str(), options.file));
  auto stub = connect(options);
  grpc::ClientContext context;
  v1::CampaignStatus status;
  auto result = stub->SubmitCampaign(&context, spec, &status);
  if (!result.ok()) return rpc_failed("submit " + options.file, result);
  print_status(status, std::cout);
  return options.watch ? watch(*stub, status.campaign_id()) : 0;
}

// The campaign's gone targets, the round they went in (counted from 1, as status shows rounds).
int list_gone(v1::Coordinator::Stub& stub, const std::string& campaign) {
  grpc::ClientContext context;
  v1::ListTargetsRequest request;
  request.set_campaign_id(campaign);
  v1::ListTargetsResponse response;
  auto result = stub.ListTargets(&context, request, &response);
  if (!result.ok()) return rpc_failed("targets of " + campaign, result);
  std::map<std::uint32_t, std::vector<std::string>> by_round;
  for (const auto& [target, round] : response.gone_round()) by_round[round].push_back(target);
  for (auto& [round, targets] : by_round) {
    std::sort(targets.begin(), targets.end());
    for (const auto& target : targets) {
      std::cout << "gone " << target << " since round " << round + 1 << "\n";
    }
  }
  return 0;
}

int campaign_call(const OperatorOptions& options, const std::string& verb) {
  auto stub = connect(options);
  if (verb == "watch") return watch(*stub, options.campaign);
  grpc::ClientContext context;
  v1::CampaignRef ref;
  ref.set_campaign_id(options.campaign);
  v1::CampaignStatus status;
  grpc::Status result;
  if (verb == "cancel") {
    result = stub->CancelCampaign(&context, ref, &status);
  } else {
    // One status: the first message of a watch.
    auto reader = stub->WatchCampaign(&context, ref);
    if (reader->Read(&status)) context.TryCancel();
    result = reader->Finish();
    if (result.error_code() == grpc::StatusCode::CANCELLED) result = grpc::Status::OK;
  }
  if (!result.ok()) return rpc_failed(verb + " " + options.campaign, result);
  print_status(status, std::cout);
  return verb == "status" && options.gone ? list_gone(*stub, options.campaign) : 0;
}

int list_targets(const OperatorOptions& options) {
  auto stub = connect(options);
  grpc::ClientContext context;
  v1::ListTargetsRequest request;
  request.set_campaign_id(options.campaign);
  v1::ListTargetsResponse response;
  auto result = stub->ListTargets(&context, request, &response);
  if (!result.ok()) return rpc_failed("targets of " + options.campaign, result);
  for (const auto& target : response.targets()) {
    std::cout << target.id() << (target.onion() ? " onion" : "") << " " << target.provenance();
    if (auto gone = response.gone_round().find(target.id()); gone != response.gone_round().end()) {
      std::cout << " gone since round " << gone->second + 1;
    }
    std::cout << "\n";
  }
  std::cerr << response.targets_size() << " targets\n";
  return 0;
}

struct DevCaOptions {
  std::string out = "observatory-pki";
  std::vector<std::string> agents = {"agent-1"};
  std::vector<std::string> hosts = {"localhost", "127.0.0.1"};
  std::uint32_t days = 90;
};

int dev_ca(const DevCaOptions& options) {
  fs::create_directories(options.out);
  auto path = [&](const std::string& name) { return (fs::path(options.out) / name).string(); };
  pki::CertSpec ca_spec;
  ca_spec.common_name = "Electrum Observatory development CA";
  ca_spec.ca = true;
  ca_spec.not_after_offset_s = long(options.days) * 86400;
  auto ca = pki::issue(ca_spec);
  pki::write_files(ca, path("ca.pem"), path("ca.key"));
  auto leaf = [&](const std::string& cn, const std::string& file, bool server) {
    pki::CertSpec spec;
    spec.common_name = cn;
    spec.not_after_offset_s = long(options.days) * 86400;
    if (server) {
      for (const auto& host : options.hosts) {
        bool ip = host.find_first_not_of("0123456789.:abcdefABCDEF") == std::string::npos &&
                  (host.find('.') != std::string::npos || host.find(':') != std::string::npos);
        (ip ? spec.ip_addresses : spec.dns_names).push_back(host);
      }
    }
    pki::write_files(pki::issue(spec, &ca), path(file + ".pem"), path(file + ".key"));
    std::cout << path(file + ".pem") << "  CN=" << cn << "\n";
  };
  leaf("coordinator", "coordinator", true);
  leaf("operator", "operator", false);
  for (const auto& agent : options.agents) leaf(agent, "agent-" + agent, false);
  std::cout << path("ca.pem") << "  the CA every party trusts (its key: " << path("ca.key")
            << "; keep it off the agents)\n";
  return 0;
}

}  // namespace

std::string round_text(const v1::CampaignStatus& s, std::int64_t now_unix_ms) {
  std::ostringstream out;
  if (s.rounds_total() == 0) {
    out << "round " << s.round() + 1 << " (continuous";
    if (s.until_unix_ms() > 0) {
      const std::time_t until = static_cast<std::time_t>(s.until_unix_ms() / 1000);
      std::tm tm{};
      gmtime_r(&until, &tm);
      out << " until " << std::put_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
    }
    out << ")";
  } else {
    out << "round " << std::min(s.round() + 1, s.rounds_total()) << "/" << s.rounds_total();
  }
  if (s.next_round_unix_ms() > 0) {
    out << ", next in " << std::max<std::int64_t>(0, (s.next_round_unix_ms() - now_unix_ms) / 1000)
        << " s";
  }
  return out.str();
}

std::string targets_text(const v1::CampaignStatus& s) {
  std::ostringstream out;
  out << "targets " << s.targets_active() << " active (" << s.targets_new() << " new this round), "
      << s.targets_gone() << " gone";
  if (s.targets_waiting() > 0) out << ", " << s.targets_waiting() << " joining next round";
  return out.str();
}

std::string default_servers_json() {
  const char* kFile = "electrum-servers.json";
  std::vector<fs::path> candidates;
  if (const char* dir = std::getenv("EO_DATA_DIR")) candidates.push_back(fs::path(dir) / kFile);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    // build/cli/observatory in a source tree; <prefix>/bin/observatory when installed.
    candidates.push_back(exe.parent_path() / "../../data" / kFile);
    candidates.push_back(exe.parent_path() / "../share/electrum-observatory" / kFile);
  }
  for (const auto& candidate : candidates) {
    if (fs::exists(candidate)) return fs::weakly_canonical(candidate).string();
  }
  return "data/electrum-servers.json";
}

void add_coordinator_commands(CLI::App& app) {
  auto coordinator_options = std::make_shared<CoordinatorOptions>();
  auto* coord = app.add_subcommand(
      "coordinator", "Serve campaigns to agents over gRPC (mTLS) from Redis or SQLite state");
  coord->footer(
      "Agents register with their vantages and hold a task stream; each round of a running\n"
      "campaign is created when due and leased to the agents whose vantages it requires.\n"
      "Restarted on the same --store, it resumes every running campaign. Servers that targets\n"
      "advertise (targets.discovered.v1) join campaigns that enable discovery. Certificates for a\n"
      "test setup: 'observatory dev-ca'. Campaign files: coordinator/README.md.");
  coord->add_option("--listen", coordinator_options->listen, "gRPC address HOST:PORT")
      ->capture_default_str();
  coord
      ->add_option("--store", coordinator_options->store,
                   "State: sqlite:PATH or redis://HOST:PORT[/PREFIX]")
      ->capture_default_str();
  add_tls_options(*coord, coordinator_options->tls, coordinator_options->insecure,
                  "The coordinator's");
  coord->add_option("--servers-json", coordinator_options->servers_json,
                    "Electrum's server list for 'targets: {builtin: true}' (default: the one "
                    "shipped)");
  coord
      ->add_option("--lease-ms", coordinator_options->lease_ms,
                   "Lease length; an agent's heartbeats renew it, an absent agent loses it")
      ->check(CLI::Range(1000u, 3600000u))
      ->capture_default_str();
  coord
      ->add_option("--max-leases-per-agent", coordinator_options->max_leases_per_agent,
                   "Leases one agent may hold at once, whatever credit (concurrency) it grants; "
                   "the rest of its credit waits for its completions")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}))
      ->capture_default_str();
  coord->add_option("--metrics-listen", coordinator_options->metrics_listen,
                    "Serve /metrics on ADDR:PORT");
  auto* kafka =
      coord->add_option("--kafka", coordinator_options->kafka,
                        "Kafka brokers for the agents' discovered targets (targets.discovered.v1)");
  add_kafka_property_option(coord, coordinator_options->kafka_properties)->needs(kafka);
  coord
      ->add_option("--data-dir", coordinator_options->data_dir,
                   "Without --kafka: the embedded bus the agents on this machine write to")
      ->capture_default_str();
  coord->add_option("--log-format", coordinator_options->log_format, "json or text")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  coord->callback(
      [coordinator_options] { throw CLI::RuntimeError(run_coordinator(*coordinator_options)); });

  auto operator_options = std::make_shared<OperatorOptions>();
  auto add_operator = [&](CLI::App& cmd) {
    cmd.add_option("--coordinator", operator_options->coordinator, "Coordinator HOST:PORT")
        ->capture_default_str();
    add_tls_options(cmd, operator_options->tls, operator_options->insecure,
                    "The operator's (CN operator...)");
  };
  auto* campaign = app.add_subcommand("campaign", "Submit, follow and cancel campaigns");
  campaign->require_subcommand(1);
  auto* submit_cmd = campaign->add_subcommand("submit", "Validate a campaign file and start it");
  submit_cmd->add_option("file", operator_options->file, "Campaign YAML (coordinator/README.md)")
      ->required()
      ->check(CLI::ExistingFile);
  submit_cmd->add_flag("--watch", operator_options->watch, "Then follow it until it ends");
  add_operator(*submit_cmd);
  submit_cmd->callback([operator_options] { throw CLI::RuntimeError(submit(*operator_options)); });
  for (const auto& [verb, help] : std::vector<std::pair<std::string, std::string>>{
           {"status", "Print a campaign's progress once"},
           {"watch", "Follow a campaign with a progress bar until it ends (exit 0 when done)"},
           {"cancel", "Stop leasing a campaign's tasks (running ones finish)"}}) {
    auto* cmd = campaign->add_subcommand(verb, help);
    cmd->add_option("campaign", operator_options->campaign, "Campaign name")->required();
    if (verb == "status") {
      cmd->add_flag("--gone", operator_options->gone,
                    "Also list the gone targets, each with the round it went in");
      cmd->footer(
          "targets: active = planned in the current round (new: for the first time); gone = a\n"
          "continuous campaign's target that no source names any more (dropped from its seed\n"
          "list, or a discovered peer no probed server announced for gone_after_rounds rounds):\n"
          "it gets no tasks until a source names it again (coordinator/README.md).");
    }
    add_operator(*cmd);
    cmd->callback([operator_options, verb = verb] {
      throw CLI::RuntimeError(campaign_call(*operator_options, verb));
    });
  }
  auto* targets = app.add_subcommand("targets", "Inspect a campaign's targets");
  targets->require_subcommand(1);
  auto* list = targets->add_subcommand(
      "list",
      "Every target of a campaign with its provenance (seed, file, inline, peer), and since which "
      "round it is gone if it is");
  list->add_option("campaign", operator_options->campaign, "Campaign name")->required();
  add_operator(*list);
  list->callback([operator_options] { throw CLI::RuntimeError(list_targets(*operator_options)); });

  auto ca_options = std::make_shared<DevCaOptions>();
  auto* ca = app.add_subcommand(
      "dev-ca", "Create a development CA with coordinator, operator and agent certificates");
  ca->footer(
      "Writes ca.pem/ca.key, coordinator.pem/key (SANs from --hosts), operator.pem/key\n"
      "(CN operator) and agent-<id>.pem/key (CN = the agent id the coordinator checks).\n"
      "For tests and trials; production uses the operator's own CA.");
  ca->add_option("--out", ca_options->out, "Directory for the PEM files")->capture_default_str();
  ca->add_option("--agents", ca_options->agents, "Agent ids, one certificate each")
      ->delimiter(',')
      ->capture_default_str();
  ca->add_option("--hosts", ca_options->hosts, "Names and IPs of the coordinator")
      ->delimiter(',')
      ->capture_default_str();
  ca->add_option("--days", ca_options->days, "Validity")->capture_default_str();
  ca->callback([ca_options] { throw CLI::RuntimeError(dev_ca(*ca_options)); });
}

}  // namespace eo::cli
