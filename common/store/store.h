// The coordinator's state seam: campaigns, targets, agents and the task queue with its leases.
// Pure interface: no SQLite, no hiredis here (backends live in sqlite/ and redis/).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eo::store {

// Every time in this seam is Unix time in milliseconds, passed in by the caller (an injected
// clock): the store never reads the wall clock, so tests and several coordinators agree.
using TimeMs = std::int64_t;

// Expected failures cross the seam as values. Misconfiguration at start-up (a bad URL, a file
// that cannot be opened, a server that does not answer) throws from make_store instead.
enum class Code : std::uint8_t {
  ok,
  not_found,         // no campaign/agent/task with that id
  invalid_argument,  // empty id, unknown target in a task, a '#' in a task id, ...
  conflict,          // a state transition that is not allowed from the current state
  unavailable,       // the server went away (Redis) or the database stayed locked (SQLite);
                     // a write may or may not have happened (check with get_task/get_campaign)
  io_error,          // anything else the backend reported; detail says what
};

std::string_view to_string(Code code);

struct Status {
  Code code = Code::ok;
  std::string detail;

  bool ok() const { return code == Code::ok; }
  static Status success() { return {}; }
};

template <class T>
struct Result {
  Status status;
  T value{};

  bool ok() const { return status.ok(); }
};

// pending -> running <-> paused; running -> done; pending|running|paused -> cancelled.
// done and cancelled are final. A coordinator that starts resumes every `running` campaign.
enum class CampaignState : std::uint8_t { pending, running, paused, done, cancelled };

std::string_view to_string(CampaignState state);
std::optional<CampaignState> campaign_state_from(std::string_view name);
bool transition_allowed(CampaignState from, CampaignState to);

struct Campaign {
  std::string id;
  std::string name;
  std::string spec;  // the campaign file as submitted (opaque to the store)
  CampaignState state = CampaignState::pending;
  std::uint32_t round = 0;  // the round the coordinator is scheduling; it resumes from here
  TimeMs created_ms = 0;    // set by the store on first put
  TimeMs updated_ms = 0;
  TimeMs round_started_ms = 0;  // when `round` started; the next round is planned from it
};

// One server to probe. Targets are shared by all campaigns and deduplicated by `id` (e.g.
// "host:port:transport"); the per-target cap holds across campaigns, vantages and coordinators.
struct Target {
  std::string id;
  std::string host;
  std::uint16_t port = 0;
  std::string transport;  // "tcp" | "tls"
  bool onion = false;
  std::uint32_t max_concurrency = 1;    // leased tasks of this target at once; 0 is taken as 1
  std::vector<std::string> provenance;  // where it came from: "seed", "file:x", "peer:<id>"
};

// A target's standing in one campaign. A continuous campaign takes its sources again each round
// and marks gone the targets none of them names any more (coordinator/README.md, "Gone targets");
// the store keeps the rounds, the scheduler decides.
struct Standing {
  std::string target_id;
  std::optional<std::uint32_t> listed_round;     // last round a seed source (list, file) named it
  std::optional<std::uint32_t> announced_round;  // last round a probed server advertised it
  std::optional<std::uint32_t> joined_round;     // first round it was planned in
  std::optional<std::uint32_t> gone_round;       // gone since that round; none: active

  bool operator==(const Standing&) const = default;
};

enum class Sighting : std::uint8_t { listed, announced };

struct Agent {
  std::string id;
  std::string vantage_class;  // the vantages it serves, e.g. "eu-clearnet", "tor"
  std::string info;           // opaque (region, version, ...)
  TimeMs last_heartbeat_ms = 0;
};

enum class TaskState : std::uint8_t { queued, leased, done, failed };

std::string_view to_string(TaskState state);

// What the coordinator creates for a round.
struct NewTask {
  std::string id;  // unique across campaigns; no '#'
  std::string campaign_id;
  std::uint32_t round = 0;
  std::string target_id;      // must be a target already upserted
  std::string vantage_class;  // only agents of this class lease it
  bool ramp = false;          // a rate-limit ramp: at most one leased ramp task per target
  TimeMs not_before_ms = 0;   // not leased before this time
  std::string payload;        // opaque bytes, e.g. a serialized eo.v1.Task
};

struct Task : NewTask {
  TaskState state = TaskState::queued;
  std::uint32_t attempts = 0;  // leases handed out so far
  std::uint32_t expiries = 0;  // leases that ran out (agent gone)
  std::string agent_id;        // current holder (leased) or last holder
  TimeMs lease_expires_ms = 0;
  std::string failure;  // failed: the agent's reason
};

// A lease names one attempt at one task: "<task id>#<attempt>". Only the current attempt of a
// leased task can renew or complete it.
struct Lease {
  std::string lease_id;
  TimeMs expires_ms = 0;
  Task task;
};

// One completion for complete_batch().
struct Completion {
  std::string lease_id;
  bool ok = true;
  std::string failure;
};

struct TaskCounts {
  std::uint64_t queued = 0;  // includes tasks whose not_before is still ahead
  std::uint64_t leased = 0;
  std::uint64_t done = 0;
  std::uint64_t failed = 0;
  std::uint64_t lease_expiries = 0;  // leases of this campaign's tasks that ran out

  bool operator==(const TaskCounts&) const = default;
};

// Guarantees (every implementation; checked by tests/common/store/store_contract_test.cpp):
//  - Durable state: everything a call reported ok is there after the store is closed and opened
//    again on the same file / server (Redis: as durable as the server's persistence settings).
//  - Atomic leases across processes: lease, renew, complete and expire are each atomic against
//    every other store on the same backend (SQLite: one IMMEDIATE transaction on the shared file;
//    Redis: one Lua script). Hence a task is never held by two leases at once, and complete counts
//    a task at most once. Several coordinators may share one backend.
//  - Politeness: at any moment, per target, leased tasks <= max_concurrency and leased ramp tasks
//    <= 1, whatever the vantage class or campaign.
//  - Order: lease hands out ready tasks by (not_before_ms, id), skipping those a cap blocks.
// Thread-safe: a store serializes its own calls; use one store per thread for parallelism.
class StateStore {
 public:
  virtual ~StateStore() = default;

  // --- campaigns ---
  // Creates or replaces name, spec, state, round and round_started_ms; keeps created_ms and the
  // counters.
  virtual Status put_campaign(const Campaign& campaign, TimeMs now) = 0;
  virtual Result<Campaign> get_campaign(const std::string& id) = 0;
  // All campaigns, or only those in `state`; ordered by id.
  virtual Result<std::vector<Campaign>> list_campaigns(
      std::optional<CampaignState> state = std::nullopt) = 0;
  // conflict when !transition_allowed(current, to) (setting the current state again is ok).
  // Atomic: of two coordinators racing from one state, one wins and the other gets conflict.
  virtual Status set_campaign_state(const std::string& id, CampaignState to, TimeMs now) = 0;

  // --- targets ---
  // Inserts new targets (returns how many were new); for known ids updates address and cap and
  // adds the provenance entries. Links every target to `campaign_id`.
  virtual Result<std::size_t> upsert_targets(const std::string& campaign_id,
                                             std::span<const Target> targets) = 0;
  // The campaign's targets, ordered by id.
  virtual Result<std::vector<Target>> list_targets(const std::string& campaign_id) = 0;
  // Raises the listed_round or announced_round of these targets of the campaign to `round`; a
  // lower round changes nothing (sightings arrive out of order), ids not linked are ignored.
  virtual Status record_sighting(const std::string& campaign_id, Sighting kind,
                                 std::span<const std::string> target_ids, std::uint32_t round) = 0;
  // `round` was planned: `active` targets get joined_round (when unset) and lose gone_round;
  // `gone` ones get gone_round = round unless they are gone already. Idempotent per round.
  virtual Status record_plan(const std::string& campaign_id, std::uint32_t round,
                             std::span<const std::string> active,
                             std::span<const std::string> gone) = 0;
  // The standing of every target of the campaign, ordered by target id.
  virtual Result<std::vector<Standing>> list_standings(const std::string& campaign_id) = 0;

  // --- agents ---
  // Creates or replaces; last_heartbeat_ms = now.
  virtual Status register_agent(const Agent& agent, TimeMs now) = 0;
  // not_found for an agent never registered (it must register again).
  virtual Status heartbeat(const std::string& agent_id, TimeMs now) = 0;
  // Agents whose last heartbeat is within ttl_ms of now, ordered by id.
  virtual Result<std::vector<Agent>> list_live_agents(TimeMs now, TimeMs ttl_ms) = 0;

  // --- tasks ---
  // Creates the tasks that do not exist yet (returns how many were new; an existing id is left
  // as it is, so a restarted coordinator may create a round again). All-or-nothing validation:
  // invalid_argument (and nothing created) if a task names an unknown target or a bad id.
  virtual Result<std::size_t> create_tasks(std::span<const NewTask> tasks) = 0;
  // Up to `max` ready tasks of `vantage_class` leased to `agent_id` until now + lease_ms.
  virtual Result<std::vector<Lease>> lease(const std::string& vantage_class,
                                           const std::string& agent_id, TimeMs now, TimeMs lease_ms,
                                           std::size_t max) = 0;
  // Extends a current lease to now + lease_ms. false: the lease is no longer current.
  virtual Result<bool> renew(const std::string& lease_id, TimeMs now, TimeMs lease_ms) = 0;
  // Finishes the task of a current lease (done, or failed with `failure`). Idempotent: true only
  // for the call that finished the task; a repeated call, or one for a lease that expire() took
  // back, returns false and changes nothing.
  virtual Result<bool> complete(const std::string& lease_id, bool ok,
                                const std::string& failure = {}) = 0;
  // complete() for each entry in order; value[i] is what that call would have returned. A
  // backend may do the whole batch as one atomic step (SQLite: one transaction), which is what
  // makes a busy coordinator cheap; this default simply loops.
  virtual Result<std::vector<bool>> complete_batch(std::span<const Completion> batch);
  // Re-queues every leased task whose lease ran out (lease_expires_ms <= now) for another agent
  // of the same class, counting one lease expiry for its campaign. Returns how many.
  virtual Result<std::size_t> expire(TimeMs now) = 0;
  virtual Result<Task> get_task(const std::string& task_id) = 0;
  virtual Result<TaskCounts> counts(const std::string& campaign_id) = 0;
};

// "<task id>#<attempt>" and back; parse returns false for anything else.
std::string make_lease_id(std::string_view task_id, std::uint32_t attempt);
bool parse_lease_id(std::string_view lease_id, std::string& task_id, std::uint32_t& attempt);

}  // namespace eo::store
