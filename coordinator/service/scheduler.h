// The scheduling loop over the state store: campaigns submitted, rounds created when due,
// leases handed to the agents whose vantages a campaign requires, campaigns finished. Every
// decision is in the store, so a restarted coordinator (or a second one) resumes from it, and is
// a function of the `now` passed in: the service and the tick loop read it from the injected
// clock (ServiceOptions::clock), so tests run schedules on a ManualClock.
#pragma once

#include "common/store/store.h"
#include "coordinator/campaign/campaign_spec.h"
#include "coordinator/campaign/planner.h"

#include "eo/v1/common.pb.h"
#include "eo/v1/coordinator.pb.h"
#include "eo/v1/task.pb.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace eo::coordinator {

struct SchedulerOptions {
  std::string builtin_servers_json;      // Electrum's list, for `targets: {builtin: true}`
  std::vector<KnownProbe> known_probes;  // the agents' probe suite
  store::TimeMs lease_ms = 30'000;       // renewed by each agent heartbeat while it runs
};

// One queue an agent may lease from: a vantage class of a running campaign, served by one of
// the agent's vantages.
struct Binding {
  std::string queue;       // "<campaign>/<vantage class>": the store's vantage_class
  std::string vantage_id;  // the agent's vantage that serves it
};

// What one tick did (for logs and metrics).
struct TickReport {
  std::size_t rounds_started = 0;
  std::size_t tasks_created = 0;
  std::size_t leases_expired = 0;
  std::vector<std::string> campaigns_done;
};

// The store queue for a campaign's vantage class. A queue per campaign lets a cancelled campaign
// stop at once (its queues are no longer leased) without touching its tasks.
std::string queue_name(const std::string& campaign_id, const std::string& vantage_class);

class Scheduler {
 public:
  Scheduler(store::StateStore& store, SchedulerOptions options);

  // Validates the campaign file, stores its targets and round 0, and starts it. `origin` names
  // the file in errors; relative target files resolve against `base_dir`. Throws
  // std::invalid_argument naming the file and key, or a name already used.
  store::Campaign submit(const std::string& yaml, const std::string& origin,
                         const std::string& base_dir, store::TimeMs now);
  // Expires leases, creates the rounds that are due, finishes campaigns whose last round has
  // nothing queued or leased. Idempotent: safe to call from several coordinators.
  TickReport tick(store::TimeMs now);
  // Throws std::invalid_argument for an unknown campaign.
  v1::CampaignStatus status(const std::string& campaign_id);
  v1::CampaignStatus cancel(const std::string& campaign_id, store::TimeMs now);
  std::vector<store::Target> targets(const std::string& campaign_id);
  // Each target's rounds in the campaign: when it joined, whether (since when) it is gone.
  std::vector<store::Standing> standings(const std::string& campaign_id);
  // Discovery: adds what a target advertised to its campaign when the campaign asks for it
  // (targets.discovered), within its limits (max_new_per_round, max_total of discovered
  // targets that are not gone), leaving out known targets, opt-out hosts and malformed entries.
  // New targets are probed from the next round on. Every entry, known or new, is recorded as
  // announced in the message's round: what keeps a discovered target from going. Returns how
  // many were added.
  std::size_t discover(const v1::DiscoveredTargets& found);

  // The queues these vantages may lease from, over every running campaign.
  std::vector<Binding> bindings(const std::vector<v1::Vantage>& vantages);
  // Up to `max` leases from `bindings`, round-robin from `start` so no queue starves another;
  // each task's vantage_id names the agent's vantage.
  std::vector<v1::TaskLease> lease(const std::vector<Binding>& bindings,
                                   const std::string& agent_id, store::TimeMs now, std::size_t max,
                                   std::size_t start = 0);
  bool renew(const std::string& lease_id, store::TimeMs now);
  // `now` ends the lease's ramp, if it was one: how long it held its lease is what the next
  // round is planned on.
  bool complete(const std::string& lease_id, bool ok, const std::string& failure,
                store::TimeMs now);
  // complete() for many at once (one store transaction where the backend allows).
  std::vector<bool> complete_batch(std::span<const store::Completion> batch, store::TimeMs now);

  // When the round after the campaign's current one starts: the current round's start plus
  // max(spacing, round bound), the bound taking each ramp as long as its path has been seen to
  // make it; and not while a ramp of the campaign still runs (later than `now`).
  store::TimeMs next_round_start(const store::Campaign& campaign, store::TimeMs now);
  // The campaign's politeness bound (planner.h) with the ramp times seen so far, for "wall time
  // <= 1.1 x bound".
  std::int64_t politeness_bound_ms(const std::string& campaign_id);

  store::StateStore& store() { return store_; }
  const SchedulerOptions& options() const { return options_; }

 private:
  struct Loaded {
    CampaignSpec spec;
    std::vector<store::Target> targets;  // as of the last round created
  };
  // A ramp task under lease: at most one per target at a time (the store's cap).
  struct RunningRamp {
    std::string target_id;
    std::string queue;
    store::TimeMs leased_ms = 0;
    store::TimeMs expires_ms = 0;
  };
  const Loaded& load(const store::Campaign& campaign);
  std::vector<store::Target> planned_targets(const store::Campaign& campaign);
  std::set<std::string> gone_ids(const std::string& campaign_id);
  // The current round's start; 0 in files written before the store kept it: then the round's
  // place in the old fixed schedule.
  store::TimeMs current_round_start(const store::Campaign& campaign);
  // The longest ramp seen on each (target, vantage class) path of a campaign.
  RampTimes ramp_times(const std::string& campaign_id);
  // Whether a ramp of the campaign holds an unexpired lease at `now`.
  bool ramp_running(const std::string& campaign_id, store::TimeMs now);
  void ramp_ended(const std::string& lease_id, store::TimeMs now);
  // The targets `round` plans, after recording which are active and which gone (standing.h);
  // a continuous campaign takes its seed sources again first.
  std::vector<store::Target> round_targets(const store::Campaign& campaign,
                                           const CampaignSpec& spec, std::uint32_t round);
  std::size_t create_round(const store::Campaign& campaign, std::uint32_t round,
                           store::TimeMs start_ms);
  store::Campaign get(const std::string& campaign_id);

  store::StateStore& store_;
  SchedulerOptions options_;
  std::mutex mutex_;  // guards the caches below; the store serializes itself
  std::map<std::string, std::shared_ptr<Loaded>> loaded_;
  std::map<std::string, std::uint32_t> ensured_round_;  // rounds this process has (re)created
  // Discovered targets added per (campaign, round) by this process: the per-round limit.
  std::map<std::pair<std::string, std::uint32_t>, std::uint32_t> discovered_in_round_;
  std::vector<std::pair<std::string, CampaignSpec>> running_;  // refreshed by tick()
  // What this process saw of ramps; after a restart the plan falls back to the ramp's own
  // schedule until ramps end again.
  std::map<std::string, RunningRamp> running_ramps_;                     // by lease id
  std::map<std::pair<std::string, std::string>, std::int64_t> ramp_ms_;  // (target, queue): longest
};

}  // namespace eo::coordinator
