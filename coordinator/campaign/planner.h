// The round planner: expands a campaign round into store tasks, one per
// (target x vantage class x client profile x probe), with not-before times inside the round's
// sync window, a seeded per-round order, and staggered rate-limit ramps. Also the politeness
// bound: the least wall time a campaign needs under its caps.
#pragma once

#include "common/store/store.h"
#include "coordinator/campaign/campaign_spec.h"

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eo::coordinator {

inline constexpr std::string_view kRampProbe = "rate_limit_ramp";

// A store task plus what the planner decided, for logs and tests. payload is a serialized
// eo.v1.Task (see coordinator/README.md for how its fields are filled).
struct PlannedTask : store::NewTask {
  std::string probe;
  std::string profile;
};

// "<campaign>|r<round>|<target id>|<vantage class>|<profile>|<probe>": deterministic, unique
// (names are validated to [A-Za-z0-9._-], hosts to DNS/IP characters), never contains '#'.
std::string planned_task_id(std::string_view campaign, std::uint32_t round,
                            std::string_view target_id, std::string_view vantage_class,
                            std::string_view profile, std::string_view probe);

// The classes that probe `target`: all of them, except that an .onion target gets only the tor
// classes (clearnet vantages cannot reach it).
std::vector<std::string> vantage_classes_for(const CampaignSpec& spec, const store::Target& target);

// Round `round` of the campaign, starting at start_ms. Deterministic in (spec, targets, round,
// start_ms, rng_seed); the order differs between rounds. Every not_before_ms lies in
// [start_ms, start_ms + sync window). Within one target, the tasks of one (profile, probe) share
// a slot (classes a few ms apart, their order shuffled), slots are spread over the window, and
// ramp tasks are spaced window / ramps apart. Sorted by (not_before_ms, id): the store's lease
// order.
std::vector<PlannedTask> plan_round(const CampaignSpec& spec,
                                    std::span<const store::Target> targets, std::uint32_t round,
                                    store::TimeMs start_ms, std::uint64_t rng_seed);

// A hash that is the same in every build and process (seeds a campaign's plan from its id).
std::uint64_t stable_hash(std::string_view text);

std::vector<store::NewTask> to_new_tasks(std::span<const PlannedTask> planned);

// The ramp's request count: its max_requests param (default 200) capped by the politeness cap.
std::uint32_t ramp_requests(const CampaignSpec& spec);
// Requests one run of `probe` sends (from the probes' READMEs; 10 for a probe not listed).
std::uint32_t estimated_requests(const CampaignSpec& spec, std::string_view probe);
// The ramp's own schedule, unthrottled: start 5/s, x1.5 every 20 requests, up to 50/s.
std::int64_t ramp_duration_ms(std::uint32_t requests);

// How long a ramp on `target` from `vantage_class` has been seen to take on its path (0: never
// seen). A ramp waits for each reply, so a slow path stretches it far past its own schedule.
using RampTimes =
    std::function<std::int64_t(const store::Target& target, const std::string& vantage_class)>;

// One round, under the caps: max(sync window, busiest target's non-ramp requests / rate, the
// busiest target's ramps run one after another, each taking the longer of its own schedule and
// what `observed` says of its path).
std::int64_t round_politeness_bound_ms(const CampaignSpec& spec,
                                       std::span<const store::Target> targets,
                                       const RampTimes& observed = {});
// The campaign: (rounds - 1) x max(round spacing, round bound) + round bound.
std::int64_t politeness_bound_ms(const CampaignSpec& spec, std::span<const store::Target> targets,
                                 const RampTimes& observed = {});

}  // namespace eo::coordinator
