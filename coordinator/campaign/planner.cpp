// Round planning. Randomness is a seeded splitmix64 with our own shuffle, not std::shuffle or
// std::uniform_int_distribution, whose algorithms differ between standard libraries: a plan must
// be the same on every coordinator that shares a store.
#include "coordinator/campaign/planner.h"

#include "common/canary/derive.h"
#include "eo/v1/task.pb.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <tuple>

namespace eo::coordinator {

namespace {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound); bound > 0. The modulo bias is below 2^-40 for our bounds.
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }
  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
  }

 private:
  std::uint64_t state_;
};

bool canary_probe(std::string_view name) {
  return name == "address_formats" || name == "xpub_gap_scan";
}

bool applies(const KnownProbe& probe, const store::Target& target) {
  return !probe.tls_only || target.transport == "tls";
}

eo::v1::Target to_proto(const store::Target& t) {
  eo::v1::Target out;
  out.set_id(t.id);
  out.set_host(t.host);
  out.set_port(t.port);
  out.set_transport(t.transport == "tls" ? eo::v1::TRANSPORT_TLS : eo::v1::TRANSPORT_TCP);
  out.set_onion(t.onion);
  std::string provenance;
  for (const auto& p : t.provenance) provenance += (provenance.empty() ? "" : ",") + p;
  out.set_provenance(provenance);
  return out;
}

std::string payload(const CampaignSpec& spec, const PlannedTask& task, const store::Target& target,
                    const ClientProfile& profile, const KnownProbe& probe, std::size_t classes,
                    store::TimeMs window_end_ms) {
  eo::v1::Task out;
  out.set_task_id(task.id);
  out.set_campaign_id(task.campaign_id);
  out.set_round(task.round);
  *out.mutable_target() = to_proto(target);
  // vantage_id stays empty: any agent of the task's vantage class runs it from its vantage.
  auto* p = out.mutable_client_profile();
  p->set_name(profile.name);
  p->set_client_name(profile.client_name);
  p->set_protocol_min(profile.protocol_min);
  p->set_protocol_max(profile.protocol_max);
  p->set_tls_min_version(profile.tls_min_version);
  p->set_tls_send_sni(profile.tls_send_sni);
  p->set_request_spacing_ms(profile.request_spacing_ms);
  auto* spec_probe = out.add_probes();
  spec_probe->set_name(probe.name);
  spec_probe->set_version(probe.version);
  if (auto it = spec.params.find(probe.name); it != spec.params.end()) {
    for (const auto& [k, v] : it->second) (*spec_probe->mutable_params())[k] = v;
  }
  if (probe.name == kRampProbe) {
    (*spec_probe->mutable_params())["max_requests"] = std::to_string(ramp_requests(spec));
  }
  // The agent gets this issuance's key only: it can derive this task's canaries, not the
  // secret nor any other target's, vantage's or round's.
  if (!spec.canary_secret.empty() && canary_probe(probe.name)) {
    const bitcoin::ByteSpan secret(reinterpret_cast<const std::uint8_t*>(spec.canary_secret.data()),
                                   spec.canary_secret.size());
    auto key = canary::task_key(secret,
                                {task.campaign_id, task.target_id, task.vantage_class, task.round});
    (*spec_probe->mutable_params())["canary_key"] = canary::to_hex(key);
    out.set_campaign_secret_id(canary::secret_id(secret));
  }
  // The caps hold per target over every vantage: each class gets its share of the rate.
  auto* caps = out.mutable_politeness();
  caps->set_max_concurrency_per_target(spec.politeness.max_concurrency_per_target);
  const double share = double(std::max<std::size_t>(1, classes));
  caps->set_max_requests_per_second_per_target(spec.politeness.max_requests_per_second_per_target /
                                               share);
  caps->set_max_ramp_requests(spec.politeness.max_ramp_requests);
  caps->set_backoff_after_error_ms(spec.politeness.backoff_after_error_ms);
  out.set_not_before_unix_us(task.not_before_ms * 1000);
  out.set_deadline_unix_us(window_end_ms * 1000);
  return out.SerializeAsString();
}

struct Pending {
  std::string vantage_class;
  const ClientProfile* profile;
  const KnownProbe* probe;
  store::TimeMs offset_ms = 0;
};

// Offsets within the window for one target's tasks (see plan_round's contract).
void schedule_target(std::vector<Pending>& tasks, std::int64_t window_ms, Rng& rng) {
  std::vector<Pending*> ramps;
  std::map<std::pair<const ClientProfile*, const KnownProbe*>, std::vector<Pending*>> groups;
  for (auto& t : tasks) {
    if (t.probe->name == kRampProbe) {
      ramps.push_back(&t);
    } else {
      groups[{t.profile, t.probe}].push_back(&t);
    }
  }
  std::vector<std::vector<Pending*>> slots;
  for (auto& [key, members] : groups) slots.push_back(members);
  rng.shuffle(slots);
  if (!slots.empty()) {
    std::int64_t width = std::max<std::int64_t>(1, window_ms / std::int64_t(slots.size()));
    std::int64_t phase = std::int64_t(rng.below(std::uint64_t(width)));
    for (std::size_t j = 0; j < slots.size(); ++j) {
      rng.shuffle(slots[j]);
      std::int64_t base = phase + std::int64_t(j) * window_ms / std::int64_t(slots.size());
      for (std::size_t k = 0; k < slots[j].size(); ++k) {
        slots[j][k]->offset_ms = std::min(window_ms - 1, base + std::int64_t(k));
      }
    }
  }
  if (!ramps.empty()) {
    rng.shuffle(ramps);
    std::int64_t spacing = window_ms / std::int64_t(ramps.size());
    std::int64_t phase = spacing > 0 ? std::int64_t(rng.below(std::uint64_t(spacing))) : 0;
    for (std::size_t k = 0; k < ramps.size(); ++k) {
      ramps[k]->offset_ms = std::min(window_ms - 1, phase + std::int64_t(k) * spacing);
    }
  }
}

}  // namespace

std::string planned_task_id(std::string_view campaign, std::uint32_t round,
                            std::string_view target_id, std::string_view vantage_class,
                            std::string_view profile, std::string_view probe) {
  std::string id;
  id.append(campaign).append("|r").append(std::to_string(round)).append("|");
  id.append(target_id).append("|").append(vantage_class).append("|");
  id.append(profile).append("|").append(probe);
  return id;
}

std::vector<std::string> vantage_classes_for(const CampaignSpec& spec,
                                             const store::Target& target) {
  std::vector<std::string> out;
  for (const auto& v : spec.vantages) {
    if (target.onion && !v.tor()) continue;
    out.push_back(v.vantage_class());
  }
  return out;
}

std::vector<PlannedTask> plan_round(const CampaignSpec& spec,
                                    std::span<const store::Target> targets, std::uint32_t round,
                                    store::TimeMs start_ms, std::uint64_t rng_seed) {
  const std::int64_t window_ms = spec.sync_window_s * 1000;
  std::vector<PlannedTask> planned;
  for (const auto& target : targets) {
    auto classes = vantage_classes_for(spec, target);
    std::vector<Pending> tasks;
    for (const auto& vantage_class : classes) {
      for (const auto& profile : spec.profiles) {
        for (const auto& probe : spec.probes) {
          if (applies(probe, target)) tasks.push_back({vantage_class, &profile, &probe});
        }
      }
    }
    // One stream per (seed, round, target): a target's schedule does not depend on the others.
    Rng rng(rng_seed ^ (std::uint64_t(round) * 0xd1b54a32d192ed03ULL) ^ stable_hash(target.id));
    schedule_target(tasks, window_ms, rng);
    for (const auto& t : tasks) {
      PlannedTask task;
      task.id = planned_task_id(spec.name, round, target.id, t.vantage_class, t.profile->name,
                                t.probe->name);
      task.campaign_id = spec.name;
      task.round = round;
      task.target_id = target.id;
      task.vantage_class = t.vantage_class;
      task.ramp = t.probe->name == kRampProbe;
      task.not_before_ms = start_ms + t.offset_ms;
      task.probe = t.probe->name;
      task.profile = t.profile->name;
      task.payload =
          payload(spec, task, target, *t.profile, *t.probe, classes.size(), start_ms + window_ms);
      planned.push_back(std::move(task));
    }
  }
  std::sort(planned.begin(), planned.end(), [](const PlannedTask& a, const PlannedTask& b) {
    return std::tie(a.not_before_ms, a.id) < std::tie(b.not_before_ms, b.id);
  });
  return planned;
}

std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

std::vector<store::NewTask> to_new_tasks(std::span<const PlannedTask> planned) {
  return {planned.begin(), planned.end()};
}

std::uint32_t ramp_requests(const CampaignSpec& spec) {
  std::uint32_t requested = 200;
  if (auto it = spec.params.find(std::string(kRampProbe)); it != spec.params.end()) {
    if (auto m = it->second.find("max_requests"); m != it->second.end()) {
      try {
        requested = static_cast<std::uint32_t>(std::stoul(m->second));
      } catch (const std::exception&) {
        // A bad value is the agent's to reject; the cap below still bounds the load.
      }
    }
  }
  return std::min(requested, spec.politeness.max_ramp_requests);
}

std::uint32_t estimated_requests(const CampaignSpec& spec, std::string_view probe) {
  static const std::map<std::string_view, std::uint32_t> loads = {
      {"metadata", 9},       {"version_matrix", 6}, {"tls_certificate", 1}, {"address_formats", 15},
      {"xpub_gap_scan", 31}, {"hostile_input", 20}, {"latency", 6}};
  if (probe == kRampProbe) return ramp_requests(spec);
  auto it = loads.find(probe);
  return it == loads.end() ? 10 : it->second;
}

std::int64_t ramp_duration_ms(std::uint32_t requests) {
  // Mirrors agent/probes/rate_limit_ramp: request i waits 1 / rate(i) before the next.
  double ms = 0;
  for (std::uint32_t i = 0; i < requests; ++i) {
    double rate = std::min(50.0, 5.0 * std::pow(1.5, double(i / 20)));
    ms += 1000.0 / rate;
  }
  return static_cast<std::int64_t>(std::ceil(ms));
}

std::int64_t round_politeness_bound_ms(const CampaignSpec& spec,
                                       std::span<const store::Target> targets,
                                       const RampTimes& observed) {
  std::int64_t bound = spec.sync_window_s * 1000;
  const std::int64_t ramp_ms = ramp_duration_ms(ramp_requests(spec));
  for (const auto& target : targets) {
    const auto classes = vantage_classes_for(spec, target);
    const auto runs = std::uint64_t(classes.size()) * spec.profiles.size();
    std::uint64_t requests = 0;
    bool ramp = false;
    for (const auto& probe : spec.probes) {
      if (!applies(probe, target)) continue;
      if (probe.name == kRampProbe) {
        ramp = true;
      } else {
        requests += runs * estimated_requests(spec, probe.name);
      }
    }
    std::int64_t ramps_ms = 0;
    if (ramp) {
      for (const auto& vantage_class : classes) {
        const std::int64_t seen = observed ? observed(target, vantage_class) : 0;
        ramps_ms += std::int64_t(spec.profiles.size()) * std::max(ramp_ms, seen);
      }
    }
    // The epsilon keeps 27 requests at 0.1/s at 270000 ms, not 270001.
    auto rate_ms = static_cast<std::int64_t>(std::ceil(
        1000.0 * double(requests) / spec.politeness.max_requests_per_second_per_target - 1e-6));
    bound = std::max({bound, rate_ms, ramps_ms});
  }
  return bound;
}

std::int64_t politeness_bound_ms(const CampaignSpec& spec, std::span<const store::Target> targets,
                                 const RampTimes& observed) {
  const std::int64_t round = round_politeness_bound_ms(spec, targets, observed);
  const std::int64_t step = std::max(spec.round_spacing_s * 1000, round);
  return std::int64_t(spec.rounds - 1) * step + round;
}

}  // namespace eo::coordinator
