// The agents of `observatory local`: one per vantage, as separate agent processes would be, each
// with its own engine (politeness state), coordinator link and thread.
#pragma once

#include "agent/bus_sink.h"
#include "agent/engine.h"
#include "agent/remote/coordinator_link.h"
#include "cli/local_tally.h"
#include "common/bus/bus.h"
#include "common/geo/geo.h"

#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace eo::cli {

// One agent; every agent shares the process's one bus producer (the embedded log has one writer
// per directory).
struct LocalAgent {
  std::unique_ptr<agent::BusObservationSink> bus_sink;
  std::unique_ptr<TallySink> sink;
  std::unique_ptr<agent::Engine> engine;
  std::unique_ptr<agent::CoordinatorLink> link;
  std::thread thread;
};

// Stops and joins the agents however `observatory local` leaves, a throw included (a joinable
// std::thread would terminate the process).
struct LocalAgents {
  std::vector<LocalAgent> all;
  void start();
  void stop();
  ~LocalAgents() { stop(); }
};

struct LocalAgentsConfig {
  std::string coordinator;  // the in-process coordinator's loopback address
  unsigned concurrency = 64;
  agent::PolitenessConfig politeness;
  const geo::GeoDatabase* geo = nullptr;  // none: no country/ASN for vantages
};

// An agent per vantage, not yet started. Their probe counters add up in `registry`; the first
// agent's sink also exports the shared producer's counters there.
std::unique_ptr<LocalAgents> make_local_agents(const std::vector<agent::Vantage>& vantages,
                                               const LocalAgentsConfig& config,
                                               bus::Producer& producer,
                                               prometheus::Registry& registry, Tally& tally);

}  // namespace eo::cli
