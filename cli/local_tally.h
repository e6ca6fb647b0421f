// What `observatory local` shows while it runs: a tally of the agents' observations (enough to
// tell "nothing is reachable from here" from "slow") and the one-line progress it prints.
#pragma once

#include "agent/engine.h"

#include "eo/v1/coordinator.pb.h"
#include "eo/v1/observation.pb.h"

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace eo::cli {

// What the agents have observed so far: enough to tell "nothing is reachable from here" from
// "slow". A server was reached when the failure (if any) came after the connection: a TLS,
// protocol or RPC error is a server answering.
class Tally {
 public:
  struct Snapshot {
    std::size_t observations = 0;
    std::size_t targets = 0;
    std::size_t targets_reached = 0;
    std::map<std::string, std::size_t> unreached;  // failure -> observations
  };

  // Thread-safe: every agent's sink adds to one tally.
  void add(const v1::Observation& o);
  Snapshot snapshot() const {
    std::lock_guard lock(mutex_);
    return s_;
  }

 private:
  mutable std::mutex mutex_;
  Snapshot s_;
  std::set<std::string> seen_, reached_;
};

// Passes each observation on and adds it to the tally.
class TallySink final : public agent::ObservationSink {
 public:
  TallySink(agent::ObservationSink& next, Tally& tally) : next_(next), tally_(tally) {}
  void publish(const v1::Observation& observation) override {
    next_.publish(observation);
    tally_.add(observation);
  }

 private:
  agent::ObservationSink& next_;
  Tally& tally_;
};

// "  12 s  round 1/1 [######....] 10 done 2 leased 0 failed / 40 | 3/10 servers answered | running"
std::string progress_line(const v1::CampaignStatus& s, const Tally::Snapshot& t,
                          std::chrono::steady_clock::duration elapsed);
// "5 connect: refused, 2 dns: no such host", most frequent first.
std::string failure_counts(const std::map<std::string, std::size_t>& unreached);

}  // namespace eo::cli
