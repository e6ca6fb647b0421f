// `observatory agent --tasks FILE`: the engine with a JSON-lines sink and metrics.
#include "cli/agent_command.h"

#include "agent/bus_sink.h"
#include "agent/engine.h"
#include "common/bus/factory.h"
#include "agent/probes/registry.h"
#include "agent/remote/coordinator_link.h"
#include "cli/kafka_options.h"
#include "common/geo/geo.h"
#include "common/telemetry/log.h"
#include "common/telemetry/metrics.h"

#include <google/protobuf/util/json_util.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

namespace eo::cli {

namespace {

struct AgentOptions {
  std::string tasks;
  std::string out;
  std::string kafka;
  std::map<std::string, std::string> kafka_properties;
  std::string data_dir = "observatory-data";
  unsigned concurrency = 64;
  std::string metrics_listen;
  std::string log_format = "text";
  bool list_probes = false;
  std::string geo_database = geo::GeoDatabase::kDefaultPath;
  // Coordinator mode.
  std::string config;
  agent::LinkOptions link;
};

// One Observation per line as protobuf's canonical JSON (bytes fields in base64), after the bus
// has it.
class JsonLinesSink final : public agent::ObservationSink {
 public:
  JsonLinesSink(agent::ObservationSink& next, const std::string& path) : next_(next) {
    if (!path.empty() && path != "-") {
      file_.open(path, std::ios::app);
      if (!file_) throw std::invalid_argument("cannot write --out " + path);
    }
    enabled_ = !path.empty();
  }
  void publish(const v1::Observation& observation) override {
    next_.publish(observation);
    if (!enabled_) return;
    std::string line;
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    (void)google::protobuf::util::MessageToJsonString(observation, &line, options);
    std::ostream& out = file_.is_open() ? static_cast<std::ostream&>(file_) : std::cout;
    out << line << '\n';
    out.flush();
  }

 private:
  agent::ObservationSink& next_;
  std::ofstream file_;
  bool enabled_ = false;
};

int run_agent(const AgentOptions& options) {
  if (options.list_probes) {
    for (const auto* probe : agent::all_probes()) {
      std::cout << probe->name() << " v" << probe->version() << "\n";
    }
    return 0;
  }
  telemetry::LogOptions log_options;
  telemetry::parse_log_format(options.log_format, log_options.format);
  log_options.component = "agent";
  telemetry::init_logging(log_options);
  const bool served = !options.link.coordinator.empty();
  if (served == options.config.empty() || served == !options.tasks.empty()) {
    std::cerr << "observatory agent: give either --tasks FILE, or --coordinator ADDR with "
                 "--config FILE (see agent/README.md)\n";
    return 2;
  }
  // Signals are taken by one thread (below), not by whichever thread the libraries started.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (served) pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  agent::AgentPlan plan =
      served ? agent::load_task_file(options.config, agent::TaskFileUse::serve_coordinator)
             : agent::load_task_file(options.tasks);
  telemetry::MetricsServer metrics("agent");
  if (!options.metrics_listen.empty()) metrics.listen(options.metrics_listen);
  std::cerr << plan.politeness.describe() << "\n";
  telemetry::log(telemetry::LogLevel::info, "agent starting",
                 {{"agent_id", plan.agent_id},
                  {"vantages", plan.vantages.size()},
                  {"probes_planned", plan.probes.size()},
                  {"concurrency", options.concurrency}});
  bus::BusConfig bus_config;
  bus_config.kafka_brokers = options.kafka;
  bus_config.kafka_overrides = options.kafka_properties;
  bus_config.log_dir = options.data_dir + "/bus";
  bus_config.client_id = "agent-" + plan.agent_id;
  auto producer = bus::make_producer(bus_config);
  agent::BusObservationSink bus_sink(*producer, &metrics.registry());
  JsonLinesSink sink(bus_sink, options.out);
  agent::EngineOptions engine_options;
  engine_options.concurrency = options.concurrency;
  std::unique_ptr<geo::GeoDatabase> geo;
  try {
    geo = std::make_unique<geo::GeoDatabase>(options.geo_database);
    engine_options.geo = geo.get();
  } catch (const std::exception& e) {
    telemetry::log(telemetry::LogLevel::warn, "no country/ASN for vantages", {{"why", e.what()}});
  }
  if (served) {
    agent::LinkOptions link = options.link;
    link.max_tasks = options.concurrency;
    link.probe_timeout = plan.timeout;
    link.probe_deadline = plan.deadline;
    std::string agent_id = plan.agent_id;
    auto vantages = plan.vantages;
    agent::Engine engine(std::move(plan), sink, engine_options, &metrics.registry());
    agent::CoordinatorLink coordinator(engine, agent_id, vantages, link);
    std::thread stopper([&] {
      int signal = 0;
      sigwait(&signals, &signal);
      coordinator.stop();
    });
    stopper.detach();
    auto exit = coordinator.run();
    auto flushed = producer->flush(std::chrono::seconds(30));
    telemetry::log(flushed.ok() ? telemetry::LogLevel::info : telemetry::LogLevel::warn,
                   "agent stopped",
                   {{"tasks_done", coordinator.tasks_done()},
                    {"spool_depth", producer->stats().spool_depth},
                    {"detail", flushed.detail}});
    return exit == agent::LinkExit::refused ? 2 : 0;
  }
  agent::Engine engine(std::move(plan), sink, engine_options, &metrics.registry());
  auto report = engine.run([](std::size_t done, std::size_t total, const v1::Observation& o) {
    std::cerr << "[" << done << "/" << total << "] " << o.probe_name() << " " << o.target().id()
              << " " << v1::Outcome_Name(o.outcome())
              << (o.failure().empty() ? "" : " (" + o.failure() + ")") << "\n";
  });
  auto flushed = producer->flush(std::chrono::seconds(30));
  auto stats = producer->stats();
  nlohmann::json summary = report.by_outcome;
  telemetry::log(flushed.ok() ? telemetry::LogLevel::info : telemetry::LogLevel::warn,
                 flushed.ok() ? "observations delivered"
                              : "observations spooled; they are sent when the bus is back",
                 {{"published", stats.published},
                  {"delivered", stats.delivered},
                  {"spool_depth", stats.spool_depth},
                  {"delivery_errors", stats.delivery_errors},
                  {"detail", flushed.detail},
                  {"bus", options.kafka.empty() ? bus_config.log_dir : options.kafka}});
  telemetry::log(
      telemetry::LogLevel::info, "agent done",
      {{"run", report.run}, {"skipped_opt_out", report.skipped_opt_out}, {"by_outcome", summary}});
  return 0;
}

}  // namespace

void add_agent_command(CLI::App& app) {
  auto options = std::make_shared<AgentOptions>();
  auto* cmd = app.add_subcommand(
      "agent", "Run the probe suite from one or more vantages and publish observations");
  cmd->footer(
      "The task file lists vantages, client profiles, politeness caps and tasks; its\n"
      "format is in agent/README.md. With --coordinator the agent registers its vantages,\n"
      "runs what the coordinator leases (at most --concurrency at once) and reconnects\n"
      "until SIGINT/SIGTERM. Observations go to the bus (topic observations.v1): the\n"
      "embedded log by default, Kafka with --kafka.");
  cmd->add_option("--tasks", options->tasks, "YAML task file: run its tasks and exit")
      ->check(CLI::ExistingFile);
  cmd->add_option("--coordinator", options->link.coordinator,
                  "Serve a coordinator at HOST:PORT instead (tasks arrive over gRPC)");
  cmd->add_option("--config", options->config,
                  "With --coordinator: the task file's format without 'tasks' (agent_id, "
                  "vantages, politeness, timeouts)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--tls-ca", options->link.tls.ca, "CA certificate (PEM) of the coordinator")
      ->check(CLI::ExistingFile);
  cmd->add_option("--tls-cert", options->link.tls.cert,
                  "This agent's certificate (PEM; its CN must be the agent_id)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--tls-key", options->link.tls.key, "This agent's private key (PEM)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--insecure", options->link.insecure,
                "Plaintext gRPC without certificates: loopback coordinators only");
  auto* kafka =
      cmd->add_option("--kafka", options->kafka,
                      "Kafka brokers HOST:PORT,... (default: the embedded log in --data-dir)");
  add_kafka_property_option(cmd, options->kafka_properties)->needs(kafka);
  cmd->add_option("--data-dir", options->data_dir,
                  "Embedded bus log, and the Kafka spool while brokers are away")
      ->capture_default_str();
  cmd->add_option("--out", options->out, "Also write observations as JSON lines: a file or -");
  cmd->add_option("--concurrency", options->concurrency, "Probes in flight at once")
      ->check(CLI::Range(1u, 100000u))
      ->capture_default_str();
  cmd->add_option("--metrics-listen", options->metrics_listen, "Serve /metrics on ADDR:PORT");
  cmd->add_option("--log-format", options->log_format, "json or text")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  cmd->add_option("--geo-database", options->geo_database,
                  "libloc database for the vantages' country and ASN")
      ->capture_default_str();
  cmd->add_flag("--list-probes", options->list_probes, "List the probe suite and exit");
  cmd->callback([options] { throw CLI::RuntimeError(run_agent(*options)); });
}

}  // namespace eo::cli
