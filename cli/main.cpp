// observatory: one binary, one subcommand per role, so one container image serves every role.
#include "cli/agent_command.h"
#include "cli/aggregator_command.h"
#include "cli/canary_command.h"
#include "cli/chain_command.h"
#include "cli/coordinator_command.h"
#include "cli/honeypot_command.h"
#include "cli/local_command.h"
#include "cli/probe_command.h"
#include "cli/report_command.h"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{
      "Electrum Observatory: measures what Electrum servers can see of light-wallet users and "
      "whether some behave like surveillance honeypots.",
      "observatory"};
  app.require_subcommand(1);
  app.footer("Run 'observatory <command> --help' for a command's options.");
  eo::cli::add_probe_command(app);
  eo::cli::add_agent_command(app);
  eo::cli::add_honeypot_commands(app);
  eo::cli::add_chain_command(app);
  eo::cli::add_aggregator_command(app);
  eo::cli::add_coordinator_commands(app);
  eo::cli::add_local_command(app);
  eo::cli::add_report_command(app);
  eo::cli::add_canary_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "observatory: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
