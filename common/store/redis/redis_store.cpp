// Redis backend of the state store. Compound operations are Lua scripts (scripts.h) sent with
// EVALSHA (loaded again after NOSCRIPT, e.g. a server restart), so one lease call is one round
// trip whatever `max` is; reads of many keys are pipelined.
#include "common/store/redis/redis_store.h"

#include "common/store/redis/scripts.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <type_traits>

namespace eo::store::redis {
namespace {

struct RedisError : std::runtime_error {
  RedisError(Code c, const std::string& what) : std::runtime_error(what), code(c) {}
  Code code;
};

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

std::string str(const redisReply* r) {
  if (r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS)) {
    return std::string(r->str, r->len);
  }
  return {};
}

std::int64_t num(const std::string& s) {
  try {
    return s.empty() ? 0 : std::stoll(s);
  } catch (const std::exception&) {
    return 0;
  }
}

// A flat HGETALL reply as a map.
std::map<std::string, std::string> fields(const redisReply* r) {
  std::map<std::string, std::string> out;
  if (!r || r->type != REDIS_REPLY_ARRAY) return out;
  for (std::size_t i = 0; i + 1 < r->elements; i += 2) {
    out[str(r->element[i])] = str(r->element[i + 1]);
  }
  return out;
}

Task task_from(const std::map<std::string, std::string>& f) {
  auto get = [&](const char* k) {
    auto it = f.find(k);
    return it == f.end() ? std::string() : it->second;
  };
  Task t;
  t.id = get("id");
  t.campaign_id = get("campaign_id");
  t.round = static_cast<std::uint32_t>(num(get("round")));
  t.target_id = get("target_id");
  t.vantage_class = get("vantage_class");
  t.ramp = get("ramp") == "1";
  t.not_before_ms = num(get("not_before_ms"));
  t.payload = get("payload");
  std::string state = get("state");
  t.state = state == "leased"   ? TaskState::leased
            : state == "done"   ? TaskState::done
            : state == "failed" ? TaskState::failed
                                : TaskState::queued;
  t.attempts = static_cast<std::uint32_t>(num(get("attempts")));
  t.expiries = static_cast<std::uint32_t>(num(get("expiries")));
  t.agent_id = get("agent_id");
  t.lease_expires_ms = num(get("lease_expires_ms"));
  t.failure = get("failure");
  return t;
}

Campaign campaign_from(const std::map<std::string, std::string>& f) {
  auto get = [&](const char* k) {
    auto it = f.find(k);
    return it == f.end() ? std::string() : it->second;
  };
  Campaign c;
  c.id = get("id");
  c.name = get("name");
  c.spec = get("spec");
  c.state = campaign_state_from(get("state")).value_or(CampaignState::pending);
  c.round = static_cast<std::uint32_t>(num(get("round")));
  c.created_ms = num(get("created_ms"));
  c.updated_ms = num(get("updated_ms"));
  c.round_started_ms = num(get("round_started_ms"));
  return c;
}

Status error(Code code, std::string detail) { return Status{code, std::move(detail)}; }

}  // namespace

using Args = std::vector<std::string>;

class RedisStore::Conn {
 public:
  Conn(std::string host, int port) : host_(std::move(host)), port_(port) {
    timeval tv{5, 0};
    ctx_ = redisConnectWithTimeout(host_.c_str(), port_, tv);
    if (!ctx_ || ctx_->err) {
      std::string why = ctx_ ? ctx_->errstr : "out of memory";
      if (ctx_) redisFree(ctx_);
      throw std::runtime_error("redis://" + host_ + ":" + std::to_string(port_) + ": " + why);
    }
    redisSetTimeout(ctx_, timeval{30, 0});
  }
  ~Conn() { redisFree(ctx_); }

  // One command; throws on a lost connection (after one reconnect attempt) or an error reply.
  Reply command(const Args& args) {
    auto replies = pipeline({args});
    return std::move(replies.front());
  }

  // Sends all commands, then reads all replies. A connection lost earlier is reconnected here,
  // before sending; one lost during the call is not retried (a script may or may not have run),
  // it is reported as unavailable and the next call reconnects.
  std::vector<Reply> pipeline(const std::vector<Args>& commands) {
    if (ctx_->err && redisReconnect(ctx_) != REDIS_OK) {
      throw RedisError(Code::unavailable, std::string("redis: ") + ctx_->errstr);
    }
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (const auto& args : commands) {
      argv.clear();
      lens.clear();
      for (const auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
      }
      redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data());
    }
    std::vector<Reply> replies;
    for (std::size_t i = 0; i < commands.size(); ++i) {
      void* raw = nullptr;
      if (redisGetReply(ctx_, &raw) != REDIS_OK) {
        throw RedisError(Code::unavailable, std::string("redis: ") + ctx_->errstr);
      }
      replies.emplace_back(static_cast<redisReply*>(raw));
    }
    for (auto& r : replies) {
      if (r->type == REDIS_REPLY_ERROR) {
        throw RedisError(Code::io_error, "redis: " + std::string(r->str, r->len));
      }
    }
    return replies;
  }

  // EVALSHA of a script from scripts.h, loading it after NOSCRIPT.
  Reply eval(const char* script, const Args& argv) {
    auto& sha = shas_[script];
    for (int attempt = 0;; ++attempt) {
      if (sha.empty()) sha = str(command({"SCRIPT", "LOAD", script}).get());
      Args args{"EVALSHA", sha, "0"};
      args.insert(args.end(), argv.begin(), argv.end());
      try {
        return command(args);
      } catch (const RedisError& e) {
        if (attempt > 0 || std::string(e.what()).find("NOSCRIPT") == std::string::npos) throw;
        sha.clear();
      }
    }
  }

 private:
  std::string host_;
  int port_;
  redisContext* ctx_ = nullptr;
  std::map<const char*, std::string> shas_;
};

namespace {

template <class R, class F>
R guarded(std::mutex& mutex, F&& body) {
  std::lock_guard lock(mutex);
  try {
    return body();
  } catch (const RedisError& e) {
    Status status{e.code, e.what()};
    if constexpr (std::is_same_v<R, Status>) {
      return status;
    } else {
      return R{status, {}};
    }
  }
}

}  // namespace

RedisStore::RedisStore(const std::string& host, int port, const std::string& prefix)
    : prefix_(prefix), conn_(std::make_unique<Conn>(host, port)) {
  try {
    conn_->command({"PING"});
  } catch (const RedisError& e) {
    throw std::runtime_error("redis://" + host + ":" + std::to_string(port) + ": " + e.what());
  }
}

RedisStore::~RedisStore() = default;

Status RedisStore::put_campaign(const Campaign& c, TimeMs now) {
  if (c.id.empty()) return error(Code::invalid_argument, "campaign id is empty");
  return guarded<Status>(mutex_, [&] {
    conn_->eval(scripts::kPutCampaign,
                {prefix_, c.id, c.name, c.spec, std::string(to_string(c.state)),
                 std::to_string(c.round), std::to_string(now), std::to_string(c.round_started_ms)});
    return Status::success();
  });
}

Result<Campaign> RedisStore::get_campaign(const std::string& id) {
  return guarded<Result<Campaign>>(mutex_, [&]() -> Result<Campaign> {
    auto f = fields(conn_->command({"HGETALL", prefix_ + ":c:" + id}).get());
    if (f.empty()) return {error(Code::not_found, "campaign " + id), {}};
    return {Status::success(), campaign_from(f)};
  });
}

Result<std::vector<Campaign>> RedisStore::list_campaigns(std::optional<CampaignState> state) {
  using R = Result<std::vector<Campaign>>;
  return guarded<R>(mutex_, [&] {
    auto ids = conn_->command({"SMEMBERS", prefix_ + ":campaigns"});
    std::vector<Args> reads;
    for (std::size_t i = 0; i < ids->elements; ++i) {
      reads.push_back({"HGETALL", prefix_ + ":c:" + str(ids->element[i])});
    }
    R out;
    for (auto& r : conn_->pipeline(reads)) {
      auto c = campaign_from(fields(r.get()));
      if (!c.id.empty() && (!state || c.state == *state)) out.value.push_back(std::move(c));
    }
    std::sort(out.value.begin(), out.value.end(),
              [](const Campaign& a, const Campaign& b) { return a.id < b.id; });
    return out;
  });
}

Status RedisStore::set_campaign_state(const std::string& id, CampaignState to, TimeMs now) {
  return guarded<Status>(mutex_, [&] {
    for (;;) {  // compare-and-set: retried only when another writer changed the state meanwhile
      auto current = conn_->command({"HGET", prefix_ + ":c:" + id, "state"});
      if (current->type == REDIS_REPLY_NIL) return error(Code::not_found, "campaign " + id);
      auto from = campaign_state_from(str(current.get())).value_or(CampaignState::pending);
      if (!transition_allowed(from, to)) {
        return error(Code::conflict, "campaign " + id + ": " + std::string(to_string(from)) +
                                         " -> " + std::string(to_string(to)) + " not allowed");
      }
      auto set = conn_->eval(scripts::kCasCampaignState,
                             {prefix_, id, std::string(to_string(from)), std::string(to_string(to)),
                              std::to_string(now)});
      if (set->integer == 1) return Status::success();
    }
  });
}

Result<std::size_t> RedisStore::upsert_targets(const std::string& campaign_id,
                                               std::span<const Target> targets) {
  for (const auto& t : targets) {
    if (t.id.empty()) return {error(Code::invalid_argument, "target id is empty"), 0};
  }
  return guarded<Result<std::size_t>>(mutex_, [&] {
    std::size_t created = 0;
    for (const auto& t : targets) {
      Args args{prefix_,
                campaign_id,
                t.id,
                t.host,
                std::to_string(t.port),
                t.transport,
                t.onion ? "1" : "0",
                std::to_string(std::max(1u, t.max_concurrency))};
      args.insert(args.end(), t.provenance.begin(), t.provenance.end());
      created += static_cast<std::size_t>(conn_->eval(scripts::kUpsertTarget, args)->integer);
    }
    return Result<std::size_t>{Status::success(), created};
  });
}

Result<std::vector<Target>> RedisStore::list_targets(const std::string& campaign_id) {
  using R = Result<std::vector<Target>>;
  return guarded<R>(mutex_, [&] {
    auto ids = conn_->command({"SMEMBERS", prefix_ + ":c:" + campaign_id + ":targets"});
    std::vector<Args> reads;
    for (std::size_t i = 0; i < ids->elements; ++i) {
      std::string key = prefix_ + ":g:" + str(ids->element[i]);
      reads.push_back({"HGETALL", key});
      reads.push_back({"SMEMBERS", key + ":prov"});
    }
    auto replies = conn_->pipeline(reads);
    R out;
    for (std::size_t i = 0; i + 1 < replies.size(); i += 2) {
      auto f = fields(replies[i].get());
      Target t;
      t.id = f["id"];
      t.host = f["host"];
      t.port = static_cast<std::uint16_t>(num(f["port"]));
      t.transport = f["transport"];
      t.onion = f["onion"] == "1";
      t.max_concurrency = static_cast<std::uint32_t>(num(f["max_concurrency"]));
      for (std::size_t j = 0; j < replies[i + 1]->elements; ++j) {
        t.provenance.push_back(str(replies[i + 1]->element[j]));
      }
      std::sort(t.provenance.begin(), t.provenance.end());
      out.value.push_back(std::move(t));
    }
    std::sort(out.value.begin(), out.value.end(),
              [](const Target& a, const Target& b) { return a.id < b.id; });
    return out;
  });
}

Status RedisStore::record_sighting(const std::string& campaign_id, Sighting kind,
                                   std::span<const std::string> target_ids, std::uint32_t round) {
  if (target_ids.empty()) return Status::success();
  return guarded<Status>(mutex_, [&] {
    Args args{prefix_, campaign_id, kind == Sighting::listed ? "listed" : "announced",
              std::to_string(round)};
    args.insert(args.end(), target_ids.begin(), target_ids.end());
    conn_->eval(scripts::kRecordSighting, args);
    return Status::success();
  });
}

Status RedisStore::record_plan(const std::string& campaign_id, std::uint32_t round,
                               std::span<const std::string> active,
                               std::span<const std::string> gone) {
  return guarded<Status>(mutex_, [&] {
    Args args{prefix_, campaign_id, std::to_string(round), std::to_string(active.size())};
    args.insert(args.end(), active.begin(), active.end());
    args.insert(args.end(), gone.begin(), gone.end());
    conn_->eval(scripts::kRecordPlan, args);
    return Status::success();
  });
}

Result<std::vector<Standing>> RedisStore::list_standings(const std::string& campaign_id) {
  using R = Result<std::vector<Standing>>;
  return guarded<R>(mutex_, [&] {
    const std::string ck = prefix_ + ":c:" + campaign_id;
    auto replies = conn_->pipeline({{"SMEMBERS", ck + ":targets"},
                                    {"HGETALL", ck + ":listed"},
                                    {"HGETALL", ck + ":announced"},
                                    {"HGETALL", ck + ":joined"},
                                    {"HGETALL", ck + ":gone"}});
    std::map<std::string, std::string> rounds[4];
    for (int i = 0; i < 4; ++i) rounds[i] = fields(replies[i + 1].get());
    auto round = [&](int field, const std::string& id) -> std::optional<std::uint32_t> {
      auto it = rounds[field].find(id);
      if (it == rounds[field].end()) return std::nullopt;
      return static_cast<std::uint32_t>(num(it->second));
    };
    R out;
    for (std::size_t i = 0; i < replies[0]->elements; ++i) {
      std::string id = str(replies[0]->element[i]);
      out.value.push_back({id, round(0, id), round(1, id), round(2, id), round(3, id)});
    }
    std::sort(out.value.begin(), out.value.end(),
              [](const Standing& a, const Standing& b) { return a.target_id < b.target_id; });
    return out;
  });
}

Status RedisStore::register_agent(const Agent& a, TimeMs now) {
  if (a.id.empty()) return error(Code::invalid_argument, "agent id is empty");
  return guarded<Status>(mutex_, [&] {
    std::string key = prefix_ + ":a:" + a.id;
    conn_->pipeline({{"MULTI"},
                     {"DEL", key},
                     {"HSET", key, "id", a.id, "vantage_class", a.vantage_class, "info", a.info,
                      "last_heartbeat_ms", std::to_string(now)},
                     {"ZADD", prefix_ + ":agents", std::to_string(now), a.id},
                     {"EXEC"}});
    return Status::success();
  });
}

Status RedisStore::heartbeat(const std::string& agent_id, TimeMs now) {
  return guarded<Status>(mutex_, [&] {
    auto r = conn_->eval(scripts::kHeartbeat, {prefix_, agent_id, std::to_string(now)});
    return r->integer == 1 ? Status::success() : error(Code::not_found, "agent " + agent_id);
  });
}

Result<std::vector<Agent>> RedisStore::list_live_agents(TimeMs now, TimeMs ttl_ms) {
  using R = Result<std::vector<Agent>>;
  return guarded<R>(mutex_, [&] {
    auto ids = conn_->command(
        {"ZRANGEBYSCORE", prefix_ + ":agents", std::to_string(now - ttl_ms), "+inf"});
    std::vector<Args> reads;
    for (std::size_t i = 0; i < ids->elements; ++i) {
      reads.push_back({"HGETALL", prefix_ + ":a:" + str(ids->element[i])});
    }
    R out;
    for (auto& r : conn_->pipeline(reads)) {
      auto f = fields(r.get());
      if (f.empty()) continue;
      out.value.push_back(
          Agent{f["id"], f["vantage_class"], f["info"], num(f["last_heartbeat_ms"])});
    }
    std::sort(out.value.begin(), out.value.end(),
              [](const Agent& a, const Agent& b) { return a.id < b.id; });
    return out;
  });
}

Result<std::size_t> RedisStore::create_tasks(std::span<const NewTask> tasks) {
  for (const auto& t : tasks) {
    if (t.id.empty() || t.id.find('#') != std::string::npos) {
      return {error(Code::invalid_argument, "task id '" + t.id + "' is empty or has a '#'"), 0};
    }
  }
  constexpr std::size_t kChunk = 500;  // tasks per script call: bounds one call's server time
  return guarded<Result<std::size_t>>(mutex_, [&]() -> Result<std::size_t> {
    // Targets are never deleted, so checking them first keeps the all-or-nothing promise.
    std::set<std::string> target_ids;
    for (const auto& t : tasks) target_ids.insert(t.target_id);
    std::vector<Args> checks;
    for (const auto& id : target_ids) checks.push_back({"EXISTS", prefix_ + ":g:" + id});
    auto exists = conn_->pipeline(checks);
    auto it = target_ids.begin();
    for (const auto& r : exists) {
      if (r->integer == 0) return {error(Code::invalid_argument, "unknown target " + *it), 0};
      ++it;
    }
    std::size_t created = 0;
    for (std::size_t from = 0; from < tasks.size(); from += kChunk) {
      Args args{prefix_};
      for (std::size_t i = from; i < std::min(tasks.size(), from + kChunk); ++i) {
        const auto& t = tasks[i];
        args.insert(args.end(),
                    {t.id, t.campaign_id, std::to_string(t.round), t.target_id, t.vantage_class,
                     t.ramp ? "1" : "0", std::to_string(t.not_before_ms), t.payload});
      }
      created += static_cast<std::size_t>(conn_->eval(scripts::kCreateTasks, args)->integer);
    }
    return {Status::success(), created};
  });
}

Result<std::vector<Lease>> RedisStore::lease(const std::string& vantage_class,
                                             const std::string& agent_id, TimeMs now,
                                             TimeMs lease_ms, std::size_t max) {
  using R = Result<std::vector<Lease>>;
  if (max == 0) return R{};
  return guarded<R>(mutex_, [&] {
    const TimeMs expires = now + lease_ms;
    auto r = conn_->eval(scripts::kLease, {prefix_, vantage_class, agent_id, std::to_string(now),
                                           std::to_string(expires), std::to_string(max)});
    R out;
    for (std::size_t i = 0; i < r->elements; ++i) {
      Lease lease;
      lease.task = task_from(fields(r->element[i]));
      lease.expires_ms = expires;
      lease.lease_id = make_lease_id(lease.task.id, lease.task.attempts);
      out.value.push_back(std::move(lease));
    }
    return out;
  });
}

Result<bool> RedisStore::renew(const std::string& lease_id, TimeMs now, TimeMs lease_ms) {
  std::string task_id;
  std::uint32_t attempt = 0;
  if (!parse_lease_id(lease_id, task_id, attempt)) return {Status::success(), false};
  return guarded<Result<bool>>(mutex_, [&] {
    auto r = conn_->eval(scripts::kRenew, {prefix_, task_id, std::to_string(attempt),
                                           std::to_string(now + lease_ms)});
    return Result<bool>{Status::success(), r->integer == 1};
  });
}

Result<bool> RedisStore::complete(const std::string& lease_id, bool ok,
                                  const std::string& failure) {
  Completion one{lease_id, ok, failure};
  auto r = complete_batch({&one, 1});
  return {r.status, r.ok() && r.value.front()};
}

Result<std::vector<bool>> RedisStore::complete_batch(std::span<const Completion> batch) {
  using R = Result<std::vector<bool>>;
  R out;
  out.value.assign(batch.size(), false);
  Args argv{prefix_};
  std::vector<std::size_t> sent;  // batch index of each completion given to the script
  for (std::size_t i = 0; i < batch.size(); ++i) {
    std::string task_id;
    std::uint32_t attempt = 0;
    if (!parse_lease_id(batch[i].lease_id, task_id, attempt)) continue;  // never ours: false
    argv.insert(argv.end(), {std::move(task_id), std::to_string(attempt),
                             batch[i].ok ? "done" : "failed", batch[i].ok ? "" : batch[i].failure});
    sent.push_back(i);
  }
  if (sent.empty()) return out;
  return guarded<R>(mutex_, [&] {
    auto r = conn_->eval(scripts::kComplete, argv);
    if (r->type != REDIS_REPLY_ARRAY || r->elements != sent.size()) {
      throw RedisError(Code::io_error, "redis: complete script answered " +
                                           std::to_string(r->elements) + " results for " +
                                           std::to_string(sent.size()));
    }
    for (std::size_t k = 0; k < sent.size(); ++k) out.value[sent[k]] = r->element[k]->integer == 1;
    return out;
  });
}

Result<std::size_t> RedisStore::expire(TimeMs now) {
  return guarded<Result<std::size_t>>(mutex_, [&] {
    auto r = conn_->eval(scripts::kExpire, {prefix_, std::to_string(now)});
    return Result<std::size_t>{Status::success(), static_cast<std::size_t>(r->integer)};
  });
}

Result<Task> RedisStore::get_task(const std::string& task_id) {
  return guarded<Result<Task>>(mutex_, [&]() -> Result<Task> {
    auto f = fields(conn_->command({"HGETALL", prefix_ + ":t:" + task_id}).get());
    if (f.empty()) return {error(Code::not_found, "task " + task_id), {}};
    return {Status::success(), task_from(f)};
  });
}

Result<TaskCounts> RedisStore::counts(const std::string& campaign_id) {
  return guarded<Result<TaskCounts>>(mutex_, [&] {
    auto replies = conn_->pipeline(
        {{"HMGET", prefix_ + ":c:" + campaign_id + ":n", "queued", "leased", "done", "failed"},
         {"HGET", prefix_ + ":c:" + campaign_id, "lease_expiries"}});
    Result<TaskCounts> out;
    auto at = [&](std::size_t i) {
      return static_cast<std::uint64_t>(num(str(replies[0]->element[i])));
    };
    out.value.queued = at(0);
    out.value.leased = at(1);
    out.value.done = at(2);
    out.value.failed = at(3);
    out.value.lease_expiries = static_cast<std::uint64_t>(num(str(replies[1].get())));
    return out;
  });
}

}  // namespace eo::store::redis
