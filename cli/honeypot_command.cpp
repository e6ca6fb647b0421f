// Options of the honeypot and privacy-report commands; the work is in honeypot/app.
#include "cli/honeypot_command.h"

#include "cli/chain_command.h"
#include "cli/kafka_options.h"
#include "common/telemetry/log.h"
#include "honeypot/app/honeypot_app.h"
#include "honeypot/app/privacy_app.h"

namespace eo::cli {

namespace {

void init_log(const std::string& format, const char* component) {
  telemetry::LogOptions log;
  telemetry::parse_log_format(format, log.format);
  log.component = component;
  telemetry::init_logging(log);
}

void add_honeypot(CLI::App& app) {
  auto o = std::make_shared<honeypot::app::HoneypotOptions>();
  auto fund = std::make_shared<honeypot::app::FundingSpec>();
  auto log_format = std::make_shared<std::string>("text");
  auto* cmd = app.add_subcommand(
      "honeypot",
      "Run an Electrum server on a built-in regtest chain (or relaying to a real one) that records "
      "everything an operator sees");
  cmd->footer(
      "Example: observatory honeypot --tcp 127.0.0.1:50001 --profile fulcrum \\\n"
      "           --fund-xpub vpub... --fund-amounts 1.5,0.25\n"
      "         observatory honeypot --tcp 0.0.0.0:50001 --upstream electrum.example:50002:s\n"
      "Events go to the bus (topic honeypot.events.v1); read them with 'observatory "
      "privacy-report'.\nProfiles and rules: honeypot/server/README.md.");
  cmd->add_option("--config", o->config_file, "YAML with server settings and a profile")
      ->check(CLI::ExistingFile);
  cmd->add_option("--tcp", o->tcp, "TCP listener HOST:PORT (repeatable; port 0 picks one)");
  cmd->add_option("--tls", o->tls, "TLS listener HOST:PORT (repeatable; needs --cert, --key)");
  cmd->add_option("--cert", o->cert_file, "PEM certificate chain for TLS")
      ->check(CLI::ExistingFile);
  cmd->add_option("--key", o->key_file, "PEM private key for TLS")->check(CLI::ExistingFile);
  cmd->add_option("--profile", o->profile,
                  "Emulated implementation (electrumx, fulcrum, electrs, eps) or a profile YAML");
  cmd->add_option("--id", o->honeypot_id, "honeypot_id in every event")->capture_default_str();
  cmd->add_flag("--pseudonymize", o->pseudonymize,
                "Record a salted hash of each peer IP instead of the IP");
  cmd->add_option("--salt", o->pseudonym_salt, "Salt for --pseudonymize");
  auto* upstream = cmd->add_option(
      "--upstream", o->upstream,
      "Relay every session to this Electrum server (HOST:PORT:t or HOST:PORT:s) and record it; "
      "no regtest chain then");
  cmd->add_option("--upstream-max-outstanding", o->upstream_max_outstanding,
                  "Forwarded requests awaiting the upstream per session; more get an error")
      ->capture_default_str();
  cmd->add_option("--canary-registry", o->canary_registry_file,
                  "Registry of issued canaries (`observatory canary registry`): requests for them "
                  "also record a canary_sighting event");
  cmd->add_option("--retention-days", o->retention_days,
                  "Delete events older than N days from the embedded log, at start and daily "
                  "(0: keep all; Kafka: use the topic's retention.ms)")
      ->capture_default_str();
  auto* fund_xpub = cmd->add_option("--fund-xpub", fund->xpub,
                                    "Pay a test wallet: its account xpub/ypub/zpub/tpub/upub/vpub");
  upstream->excludes(fund_xpub);
  cmd->add_option("--fund-type", fund->type, "Output type to pay (default: implied by the key)");
  cmd->add_option("--fund-count", fund->count, "Receiving addresses to pay")->capture_default_str();
  cmd->add_option("--fund-amounts", fund->amounts_btc, "BTC per address, cycled")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--mine-after-broadcast-ms", o->mine_after_broadcast_ms,
                  "Mine a block this long after a broadcast is accepted (-1: never)")
      ->capture_default_str();
  cmd->add_option("--block-interval", o->block_interval_s, "Also mine every N seconds (0: off)")
      ->capture_default_str();
  auto* kafka =
      cmd->add_option("--kafka", o->kafka, "Kafka brokers (default: embedded log in --data-dir)");
  add_kafka_property_option(cmd, o->kafka_properties)->needs(kafka);
  cmd->add_option("--data-dir", o->data_dir, "Embedded bus log / Kafka spool")
      ->capture_default_str();
  cmd->add_option("--metrics-listen", o->metrics_listen, "Serve /metrics on ADDR:PORT");
  cmd->add_option("--ready-file", o->ready_file, "Write the bound ports here once listening");
  auto* node_rpc = cmd->add_option(
      "--node-rpc", o->node_rpc.listen,
      "Also serve the regtest chain over Bitcoin Core's JSON-RPC on HOST:PORT (as "
      "'observatory chain' does), so a real Electrum server can index the same chain");
  node_rpc->excludes(upstream);
  add_node_rpc_auth_options(cmd, o->node_rpc);
  cmd->add_option("--log-format", *log_format, "json or text")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  cmd->callback([o, fund, log_format] {
    init_log(*log_format, "honeypot");
    auto options = *o;
    if (!fund->xpub.empty()) options.funding.push_back(*fund);
    throw CLI::RuntimeError(honeypot::app::run_honeypot(options));
  });
}

void add_privacy_report(CLI::App& app) {
  auto o = std::make_shared<honeypot::app::PrivacyOptions>();
  auto* cmd = app.add_subcommand(
      "privacy-report",
      "What the honeypot's operator learned: wallets, their IPs, software, timing, broadcasts");
  cmd->footer("IPs are pseudonymized unless --show-ips (for our own test wallets only).");
  auto* kafka =
      cmd->add_option("--kafka", o->kafka, "Kafka brokers (default: embedded log in --data-dir)");
  add_kafka_property_option(cmd, o->kafka_properties)->needs(kafka);
  cmd->add_option("--data-dir", o->data_dir, "Where the honeypot wrote its events")
      ->capture_default_str();
  cmd->add_option("--json", o->json_out, "Write the report as JSON to this file");
  cmd->add_option("--markdown", o->markdown_out, "Write the readable report here (default stdout)");
  cmd->add_flag("--show-ips", o->show_ips, "Show peer IPs instead of pseudonyms");
  cmd->callback([o] {
    init_log("text", "privacy-report");
    throw CLI::RuntimeError(honeypot::app::run_privacy_report(*o));
  });
}

}  // namespace

void add_honeypot_commands(CLI::App& app) {
  add_honeypot(app);
  add_privacy_report(app);
}

}  // namespace eo::cli
