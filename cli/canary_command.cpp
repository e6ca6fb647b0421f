// `observatory canary registry`: every canary a campaign file issues (its targets x vantage
// classes x rounds, from its canary secret), written as the registry file the honeypot's
// --canary-registry reads. Needs the secret: run it where the coordinator's campaign file is.
#include "cli/canary_command.h"

#include "cli/known_probes.h"
#include "cli/coordinator_command.h"
#include "common/canary/registry.h"
#include "coordinator/campaign/campaign_spec.h"
#include "coordinator/campaign/planner.h"
#include "coordinator/targets/target_list.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>

namespace eo::cli {

namespace {

struct RegistryOptions {
  std::string campaign_file;
  std::string servers_json;
  std::vector<std::string> extra_targets;  // e.g. discovered ones (`observatory targets list`)
  std::string out = "-";
};

int run_registry(const RegistryOptions& o) {
  auto spec = coordinator::load_campaign_file(o.campaign_file, cli::known_probes());
  if (spec.canary_secret.empty()) {
    throw std::invalid_argument(o.campaign_file +
                                ": no canary_secret or canary_secret_file: it issues no canaries");
  }
  auto targets = coordinator::resolve_targets(
      spec, o.servers_json.empty() ? default_servers_json() : o.servers_json);
  for (const auto& text : o.extra_targets) {
    targets.push_back(coordinator::parse_target(text, "extra", "--target"));
  }
  const bitcoin::ByteSpan secret(reinterpret_cast<const std::uint8_t*>(spec.canary_secret.data()),
                                 spec.canary_secret.size());
  canary::Registry registry;
  std::size_t issuances = 0;
  for (const auto& target : targets) {
    for (const auto& vantage_class : coordinator::vantage_classes_for(spec, target)) {
      for (std::uint32_t round = 0; round < spec.rounds; ++round) {
        registry.issue(secret, {spec.name, target.id, vantage_class, round});
        ++issuances;
      }
    }
  }
  if (o.out == "-") {
    registry.write(std::cout);
  } else {
    std::ofstream out(o.out);
    if (!out) throw std::invalid_argument("cannot write --out " + o.out);
    registry.write(out);
    if (!out.flush()) throw std::runtime_error("writing " + o.out + " failed");
  }
  std::cerr << "canary registry: campaign " << spec.name << ", secret " << canary::secret_id(secret)
            << ", " << issuances << " issuances, " << registry.size()
            << " canaries, no collision\n";
  return 0;
}

}  // namespace

void add_canary_command(CLI::App& app) {
  auto* canary = app.add_subcommand("canary", "Canary script hashes (docs/canaries.md)");
  canary->require_subcommand(1);
  auto o = std::make_shared<RegistryOptions>();
  auto* cmd = canary->add_subcommand(
      "registry",
      "Write every canary a campaign issues (targets x vantage classes x rounds) as the "
      "registry the honeypot's --canary-registry reads; fails on a collision");
  cmd->add_option("--campaign", o->campaign_file, "Campaign file with canary_secret(_file)")
      ->required();
  cmd->add_option("--servers-json", o->servers_json,
                  "Electrum's servers.json for `targets: builtin` (default: data/)");
  cmd->add_option("--target", o->extra_targets,
                  "Also issue for HOST:PORT:t|s (a discovered target; repeatable)");
  cmd->add_option("--out", o->out, "Registry file ('-': stdout)")->capture_default_str();
  cmd->callback([o] {
    int rc = run_registry(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace eo::cli
