// Scheduler: the store is the truth; the caches here (parsed specs, the running list) are
// rebuilt from it, so any coordinator can pick up where another stopped.
#include "coordinator/service/scheduler.h"

#include "coordinator/campaign/planner.h"
#include "coordinator/campaign/standing.h"
#include "coordinator/targets/target_list.h"

#include "eo/v1/task.pb.h"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace eo::coordinator {
namespace {

// A failed store call is an outage of the state backend, not a bad request: the caller (a tick,
// an RPC) reports it and retries later.
template <class T>
T checked(store::Result<T> result, const std::string& what) {
  if (!result.ok()) {
    throw std::runtime_error("state store: " + what + ": " + result.status.detail);
  }
  return std::move(result.value);
}

void checked(const store::Status& status, const std::string& what) {
  if (!status.ok()) throw std::runtime_error("state store: " + what + ": " + status.detail);
}

std::string network_name(v1::Network network) {
  return network == v1::NETWORK_TOR ? "tor" : "clearnet";
}

}  // namespace

std::string queue_name(const std::string& campaign_id, const std::string& vantage_class) {
  return campaign_id + "/" + vantage_class;
}

Scheduler::Scheduler(store::StateStore& store, SchedulerOptions options)
    : store_(store), options_(std::move(options)) {}

store::Campaign Scheduler::get(const std::string& campaign_id) {
  auto found = store_.get_campaign(campaign_id);
  if (found.status.code == store::Code::not_found) {
    throw std::invalid_argument("no campaign named " + campaign_id);
  }
  return checked(std::move(found), "get campaign " + campaign_id);
}

const Scheduler::Loaded& Scheduler::load(const store::Campaign& campaign) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = loaded_.find(campaign.id); it != loaded_.end()) return *it->second;
  }
  auto loaded = std::make_shared<Loaded>();
  loaded->spec = parse_campaign_yaml(campaign.spec, campaign.id, options_.known_probes);
  loaded->targets = checked(store_.list_targets(campaign.id), "targets of " + campaign.id);
  std::lock_guard lock(mutex_);
  auto& slot = loaded_[campaign.id];
  if (!slot) slot = std::move(loaded);
  return *slot;
}

RampTimes Scheduler::ramp_times(const std::string& campaign_id) {
  std::map<std::pair<std::string, std::string>, std::int64_t> seen;
  {
    std::lock_guard lock(mutex_);
    const std::string prefix = queue_name(campaign_id, "");
    for (const auto& [path, ms] : ramp_ms_) {
      if (path.second.starts_with(prefix)) seen[path] = ms;
    }
  }
  return [seen = std::move(seen), campaign_id](const store::Target& target,
                                               const std::string& vantage_class) {
    auto it = seen.find({target.id, queue_name(campaign_id, vantage_class)});
    return it == seen.end() ? std::int64_t{0} : it->second;
  };
}

bool Scheduler::ramp_running(const std::string& campaign_id, store::TimeMs now) {
  std::lock_guard lock(mutex_);
  const std::string prefix = queue_name(campaign_id, "");
  return std::any_of(running_ramps_.begin(), running_ramps_.end(), [&](const auto& entry) {
    return entry.second.expires_ms >= now && entry.second.queue.starts_with(prefix);
  });
}

void Scheduler::ramp_ended(const std::string& lease_id, store::TimeMs now) {
  std::lock_guard lock(mutex_);
  auto it = running_ramps_.find(lease_id);
  if (it == running_ramps_.end()) return;
  auto& longest = ramp_ms_[{it->second.target_id, it->second.queue}];
  longest = std::max(longest, now - it->second.leased_ms);
  running_ramps_.erase(it);
}

std::vector<store::Target> Scheduler::planned_targets(const store::Campaign& campaign) {
  const Loaded& loaded = load(campaign);
  std::lock_guard lock(mutex_);
  return loaded.targets;
}

store::TimeMs Scheduler::current_round_start(const store::Campaign& campaign) {
  if (campaign.round_started_ms != 0) return campaign.round_started_ms;
  const CampaignSpec& spec = load(campaign).spec;
  return campaign.created_ms +
         std::int64_t{campaign.round} *
             std::max<std::int64_t>(spec.round_spacing_s * 1000,
                                    round_politeness_bound_ms(spec, planned_targets(campaign)));
}

store::TimeMs Scheduler::next_round_start(const store::Campaign& campaign, store::TimeMs now) {
  const CampaignSpec& spec = load(campaign).spec;
  const std::int64_t step = std::max<std::int64_t>(
      spec.round_spacing_s * 1000,
      round_politeness_bound_ms(spec, planned_targets(campaign), ramp_times(campaign.id)));
  const store::TimeMs planned = current_round_start(campaign) + step;
  // A ramp still running loads its target: the next round's probes would measure that load.
  return ramp_running(campaign.id, now) ? std::max(planned, now + 1) : planned;
}

std::int64_t Scheduler::politeness_bound_ms(const std::string& campaign_id) {
  const Loaded& loaded = load(get(campaign_id));
  auto targets = checked(store_.list_targets(campaign_id), "targets of " + campaign_id);
  const auto gone = gone_ids(campaign_id);  // they get no tasks
  std::erase_if(targets, [&](const store::Target& t) { return gone.count(t.id) > 0; });
  return coordinator::politeness_bound_ms(loaded.spec, targets, ramp_times(campaign_id));
}

std::vector<store::Target> Scheduler::round_targets(const store::Campaign& campaign,
                                                    const CampaignSpec& spec, std::uint32_t round) {
  std::vector<std::string> active;
  std::vector<std::string> gone;
  if (spec.continuous) {
    // A standing campaign takes its seed list again each round: servers added to Electrum's
    // list since (a coordinator upgraded with a newer one) join it, and those it dropped go.
    auto seeds = resolve_targets(spec, options_.builtin_servers_json);
    checked(store_.upsert_targets(campaign.id, seeds), "targets of " + campaign.id);
    std::vector<std::string> seed_ids;
    for (const auto& seed : seeds) seed_ids.push_back(seed.id);
    checked(store_.record_sighting(campaign.id, store::Sighting::listed, seed_ids, round),
            "sightings of " + campaign.id);
    auto sorted = sort_round_targets(standings(campaign.id), round,
                                     spec.targets.discovered.gone_after_rounds);
    checked(
        store_.record_sighting(campaign.id, store::Sighting::announced, sorted.unsighted, round),
        "sightings of " + campaign.id);
    active = std::move(sorted.active);
    gone = std::move(sorted.gone);
  }
  auto targets = checked(store_.list_targets(campaign.id), "targets of " + campaign.id);
  if (!spec.continuous) {
    for (const auto& target : targets) active.push_back(target.id);
  }
  checked(store_.record_plan(campaign.id, round, active, gone), "plan of " + campaign.id);
  // Targets discovered since the standings were read wait for the next round.
  const std::set<std::string> planned(active.begin(), active.end());
  std::erase_if(targets, [&](const store::Target& t) { return !planned.count(t.id); });
  return targets;
}

std::size_t Scheduler::create_round(const store::Campaign& campaign, std::uint32_t round,
                                    store::TimeMs start_ms) {
  const CampaignSpec& spec = load(campaign).spec;
  auto targets = round_targets(campaign, spec, round);
  auto planned = plan_round(spec, targets, round, start_ms, stable_hash(campaign.id));
  {
    std::lock_guard lock(mutex_);
    loaded_.at(campaign.id)->targets = targets;
  }
  auto tasks = to_new_tasks(planned);
  for (auto& task : tasks) task.vantage_class = queue_name(campaign.id, task.vantage_class);
  std::size_t created = checked(store_.create_tasks(tasks),
                                "create round " + std::to_string(round) + " of " + campaign.id);
  std::lock_guard lock(mutex_);
  ensured_round_[campaign.id] = round;
  return created;
}

store::Campaign Scheduler::submit(const std::string& yaml, const std::string& origin,
                                  const std::string& base_dir, store::TimeMs now) {
  CampaignSpec spec = parse_campaign_yaml(yaml, origin, options_.known_probes);
  spec.base_dir = base_dir;
  auto existing = store_.get_campaign(spec.name);
  if (existing.ok()) {
    throw std::invalid_argument(origin + ": name: a campaign named " + spec.name + " exists (" +
                                std::string(store::to_string(existing.value.state)) +
                                "); campaign names are never reused");
  }
  auto targets = resolve_targets(spec, options_.builtin_servers_json);
  if (targets.empty()) throw std::invalid_argument(origin + ": targets: none left to probe");
  store::Campaign campaign{spec.name, spec.name, yaml, store::CampaignState::pending, 0};
  campaign.round_started_ms = now;
  checked(store_.put_campaign(campaign, now), "put campaign " + spec.name);
  checked(store_.upsert_targets(spec.name, targets), "targets of " + spec.name);
  campaign = get(spec.name);
  create_round(campaign, 0, now);
  checked(store_.set_campaign_state(spec.name, store::CampaignState::running, now),
          "start " + spec.name);
  campaign.state = store::CampaignState::running;
  std::lock_guard lock(mutex_);
  running_.emplace_back(campaign.id, loaded_.at(campaign.id)->spec);
  return campaign;
}

TickReport Scheduler::tick(store::TimeMs now) {
  TickReport report;
  report.leases_expired = checked(store_.expire(now), "expire leases");
  auto campaigns =
      checked(store_.list_campaigns(store::CampaignState::running), "list running campaigns");
  std::vector<std::pair<std::string, CampaignSpec>> running;
  for (auto& campaign : campaigns) {
    const CampaignSpec& spec = load(campaign).spec;
    running.emplace_back(campaign.id, spec);
    bool ensured;
    {
      std::lock_guard lock(mutex_);
      auto it = ensured_round_.find(campaign.id);
      ensured = it != ensured_round_.end() && it->second == campaign.round;
    }
    // After a restart the current round is created again: task ids are deterministic, so only
    // what the crash left out is new.
    if (!ensured) {
      report.tasks_created += create_round(campaign, campaign.round, current_round_start(campaign));
    }
    for (;;) {
      const store::TimeMs start = next_round_start(campaign, now);
      if (!spec.round_follows(campaign.round, start) || now < start) break;
      std::uint32_t next = campaign.round + 1;
      report.tasks_created += create_round(campaign, next, start);
      campaign.round = next;
      campaign.round_started_ms = start;
      checked(store_.put_campaign(campaign, now), "advance " + campaign.id);
      ++report.rounds_started;
    }
    if (!spec.round_follows(campaign.round, next_round_start(campaign, now))) {
      auto counts = checked(store_.counts(campaign.id), "counts of " + campaign.id);
      if (counts.queued == 0 && counts.leased == 0) {
        auto status = store_.set_campaign_state(campaign.id, store::CampaignState::done, now);
        if (status.ok()) {
          report.campaigns_done.push_back(campaign.id);
          running.pop_back();
        }
      }
    }
  }
  std::lock_guard lock(mutex_);
  running_ = std::move(running);
  return report;
}

v1::CampaignStatus Scheduler::status(const std::string& campaign_id) {
  store::Campaign campaign = get(campaign_id);
  auto counts = checked(store_.counts(campaign_id), "counts of " + campaign_id);
  v1::CampaignStatus out;
  out.set_campaign_id(campaign.id);
  out.set_name(campaign.name);
  out.set_state(std::string(store::to_string(campaign.state)));
  out.set_round(campaign.round);
  const CampaignSpec& spec = load(campaign).spec;
  out.set_rounds_total(spec.continuous ? 0 : spec.rounds);
  out.set_until_unix_ms(spec.until_ms);
  if (campaign.state == store::CampaignState::running) {
    // As planned now; a ramp still running may hold it back (next_round_start).
    const store::TimeMs next = next_round_start(campaign, 0);
    if (spec.round_follows(campaign.round, next)) out.set_next_round_unix_ms(next);
  }
  out.set_tasks_total(counts.queued + counts.leased + counts.done + counts.failed);
  out.set_tasks_done(counts.done);
  out.set_tasks_leased(counts.leased);
  out.set_tasks_failed(counts.failed);
  out.set_lease_expiries(counts.lease_expiries);
  for (const auto& s : standings(campaign_id)) {
    if (s.gone_round) {
      out.set_targets_gone(out.targets_gone() + 1);
    } else if (!s.joined_round || *s.joined_round > campaign.round) {
      out.set_targets_waiting(out.targets_waiting() + 1);
    } else {
      out.set_targets_active(out.targets_active() + 1);
      if (*s.joined_round == campaign.round) out.set_targets_new(out.targets_new() + 1);
    }
  }
  return out;
}

v1::CampaignStatus Scheduler::cancel(const std::string& campaign_id, store::TimeMs now) {
  get(campaign_id);
  auto status = store_.set_campaign_state(campaign_id, store::CampaignState::cancelled, now);
  if (status.code == store::Code::conflict) throw std::invalid_argument(status.detail);
  checked(status, "cancel " + campaign_id);
  {
    std::lock_guard lock(mutex_);
    std::erase_if(running_, [&](const auto& entry) { return entry.first == campaign_id; });
  }
  return this->status(campaign_id);
}

std::vector<store::Target> Scheduler::targets(const std::string& campaign_id) {
  get(campaign_id);
  return checked(store_.list_targets(campaign_id), "targets of " + campaign_id);
}

std::vector<store::Standing> Scheduler::standings(const std::string& campaign_id) {
  return checked(store_.list_standings(campaign_id), "standings of " + campaign_id);
}

std::set<std::string> Scheduler::gone_ids(const std::string& campaign_id) {
  std::set<std::string> out;
  for (const auto& s : standings(campaign_id)) {
    if (s.gone_round) out.insert(s.target_id);
  }
  return out;
}

std::size_t Scheduler::discover(const v1::DiscoveredTargets& found) {
  auto campaign = store_.get_campaign(found.campaign_id());
  if (!campaign.ok() || campaign.value.state != store::CampaignState::running) return 0;
  const CampaignSpec& spec = load(campaign.value).spec;
  const DiscoveredTargets& limits = spec.targets.discovered;
  if (!limits.enabled) return 0;
  const std::string& id = found.campaign_id();
  auto known = checked(store_.list_targets(id), "targets of " + id);
  const auto gone = gone_ids(id);
  std::set<std::string> ids;
  // Gone targets leave room under max_total: a standing campaign's peers come and go.
  std::uint32_t discovered_total = 0;
  for (const auto& target : known) {
    ids.insert(target.id);
    discovered_total += !gone.count(target.id) &&
                        std::any_of(target.provenance.begin(), target.provenance.end(),
                                    [](const std::string& p) { return p.rfind("peer:", 0) == 0; });
  }
  std::vector<store::Target> added;
  std::vector<std::string> announced;
  {
    std::lock_guard lock(mutex_);
    std::uint32_t& this_round = discovered_in_round_[{id, campaign.value.round}];
    for (const auto& advertised : found.targets()) {
      bool v6 = advertised.host().find(':') != std::string::npos;
      std::string text = (v6 ? "[" + advertised.host() + "]" : advertised.host()) + ":" +
                         std::to_string(advertised.port()) +
                         (advertised.transport() == v1::TRANSPORT_TLS ? ":s" : ":t");
      store::Target target;
      try {
        target = parse_target(text, "peer:" + found.source_target_id(), "discovered");
      } catch (const std::invalid_argument&) {
        continue;  // what a hostile server advertises is data, not an error
      }
      if (spec.opt_out.count(target.host)) continue;
      if (ids.count(target.id)) {
        announced.push_back(target.id);  // keeps a known peer (or brings a gone one back)
        continue;
      }
      if (discovered_total + added.size() >= limits.max_total ||
          this_round + added.size() >= limits.max_new_per_round) {
        continue;
      }
      target.max_concurrency = spec.politeness.max_concurrency_per_target;
      ids.insert(target.id);
      announced.push_back(target.id);
      added.push_back(std::move(target));
    }
    this_round += static_cast<std::uint32_t>(added.size());
  }
  if (!added.empty()) checked(store_.upsert_targets(id, added), "targets of " + id);
  // The round the announcement was made in, never later than the campaign's: a message's round
  // is the agent's word.
  checked(store_.record_sighting(id, store::Sighting::announced, announced,
                                 std::min(found.round(), campaign.value.round)),
          "sightings of " + id);
  return added.size();
}

std::vector<Binding> Scheduler::bindings(const std::vector<v1::Vantage>& vantages) {
  std::lock_guard lock(mutex_);
  std::vector<Binding> out;
  for (const auto& [campaign_id, spec] : running_) {
    for (const auto& selector : spec.vantages) {
      for (const auto& vantage : vantages) {
        if (selector.matches(vantage.region(), network_name(vantage.network()),
                             vantage.provider())) {
          out.push_back({queue_name(campaign_id, selector.vantage_class()), vantage.id()});
          break;
        }
      }
    }
  }
  return out;
}

std::vector<v1::TaskLease> Scheduler::lease(const std::vector<Binding>& bindings,
                                            const std::string& agent_id, store::TimeMs now,
                                            std::size_t max, std::size_t start) {
  std::vector<v1::TaskLease> out;
  for (std::size_t i = 0; i < bindings.size() && out.size() < max; ++i) {
    const Binding& binding = bindings[(start + i) % bindings.size()];
    auto leases =
        checked(store_.lease(binding.queue, agent_id, now, options_.lease_ms, max - out.size()),
                "lease " + binding.queue);
    for (auto& lease : leases) {
      v1::TaskLease message;
      if (!message.mutable_task()->ParseFromString(lease.task.payload)) {
        // Written by our own planner: a payload that does not parse is a bug, not an agent's
        // problem. Fail the task so the campaign can still finish, and say why.
        store_.complete(lease.lease_id, false, "coordinator: task payload does not parse");
        continue;
      }
      message.mutable_task()->set_task_id(lease.task.id);
      message.mutable_task()->set_vantage_id(binding.vantage_id);
      message.set_lease_id(lease.lease_id);
      message.set_lease_expires_unix_us(lease.expires_ms * 1000);
      if (lease.task.ramp) {
        std::lock_guard lock(mutex_);
        running_ramps_[lease.lease_id] = {lease.task.target_id, binding.queue, now,
                                          lease.expires_ms};
      }
      out.push_back(std::move(message));
    }
  }
  return out;
}

bool Scheduler::renew(const std::string& lease_id, store::TimeMs now) {
  bool renewed = checked(store_.renew(lease_id, now, options_.lease_ms), "renew " + lease_id);
  std::lock_guard lock(mutex_);
  if (auto it = running_ramps_.find(lease_id); it != running_ramps_.end()) {
    if (renewed) {
      it->second.expires_ms = now + options_.lease_ms;
    } else {
      running_ramps_.erase(it);  // the lease ran out: the ramp is re-run elsewhere
    }
  }
  return renewed;
}

bool Scheduler::complete(const std::string& lease_id, bool ok, const std::string& failure,
                         store::TimeMs now) {
  bool finished = checked(store_.complete(lease_id, ok, failure), "complete " + lease_id);
  ramp_ended(lease_id, now);
  return finished;
}

std::vector<bool> Scheduler::complete_batch(std::span<const store::Completion> batch,
                                            store::TimeMs now) {
  auto finished = checked(store_.complete_batch(batch), "complete " + std::to_string(batch.size()));
  for (const auto& completion : batch) ramp_ended(completion.lease_id, now);
  return finished;
}

}  // namespace eo::coordinator
