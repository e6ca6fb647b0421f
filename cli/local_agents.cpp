#include "cli/local_agents.h"

namespace eo::cli {

void LocalAgents::start() {
  for (auto& a : all) a.thread = std::thread([link = a.link.get()] { link->run(); });
}

void LocalAgents::stop() {
  for (auto& a : all) a.link->stop();
  for (auto& a : all) {
    if (a.thread.joinable()) a.thread.join();
  }
}

std::unique_ptr<LocalAgents> make_local_agents(const std::vector<agent::Vantage>& vantages,
                                               const LocalAgentsConfig& config,
                                               bus::Producer& producer,
                                               prometheus::Registry& registry, Tally& tally) {
  auto agents = std::make_unique<LocalAgents>();
  for (std::size_t i = 0; i < vantages.size(); ++i) {
    agent::AgentPlan plan;
    plan.agent_id = "local-" + vantages[i].id;
    plan.vantages = {vantages[i]};
    plan.politeness = config.politeness;
    LocalAgent a;
    // One sink exports the shared producer's counters; a second would export the same numbers.
    a.bus_sink =
        std::make_unique<agent::BusObservationSink>(producer, i == 0 ? &registry : nullptr);
    a.sink = std::make_unique<TallySink>(*a.bus_sink, tally);
    agent::EngineOptions engine_options;
    engine_options.concurrency = config.concurrency;
    engine_options.geo = config.geo;
    agent::LinkOptions link;
    link.coordinator = config.coordinator;
    link.insecure = true;
    link.max_tasks = config.concurrency;
    link.probe_timeout = plan.timeout;
    link.probe_deadline = plan.deadline;
    a.engine = std::make_unique<agent::Engine>(plan, *a.sink, engine_options, &registry);
    a.link =
        std::make_unique<agent::CoordinatorLink>(*a.engine, plan.agent_id, plan.vantages, link);
    agents->all.push_back(std::move(a));
  }
  return agents;
}

}  // namespace eo::cli
