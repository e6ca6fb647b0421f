// The distributed state store: Redis through hiredis' synchronous API. Every key starts with a
// prefix ("<prefix>:..."), so several deployments or tests can share one server. Each operation
// that must be atomic (lease, renew, complete, expire, state transitions) is one Lua script.
#pragma once

#include "common/store/store.h"

#include <memory>
#include <mutex>
#include <string>

namespace eo::store::redis {

class RedisStore final : public StateStore {
 public:
  // Connects and loads the scripts; throws std::runtime_error naming host:port when the server
  // does not answer. Later connection losses are retried once per call, then reported as
  // Code::unavailable.
  RedisStore(const std::string& host, int port, const std::string& prefix);
  ~RedisStore() override;
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  Status put_campaign(const Campaign& campaign, TimeMs now) override;
  Result<Campaign> get_campaign(const std::string& id) override;
  Result<std::vector<Campaign>> list_campaigns(std::optional<CampaignState> state) override;
  Status set_campaign_state(const std::string& id, CampaignState to, TimeMs now) override;

  Result<std::size_t> upsert_targets(const std::string& campaign_id,
                                     std::span<const Target> targets) override;
  Result<std::vector<Target>> list_targets(const std::string& campaign_id) override;
  Status record_sighting(const std::string& campaign_id, Sighting kind,
                         std::span<const std::string> target_ids, std::uint32_t round) override;
  Status record_plan(const std::string& campaign_id, std::uint32_t round,
                     std::span<const std::string> active,
                     std::span<const std::string> gone) override;
  Result<std::vector<Standing>> list_standings(const std::string& campaign_id) override;

  Status register_agent(const Agent& agent, TimeMs now) override;
  Status heartbeat(const std::string& agent_id, TimeMs now) override;
  Result<std::vector<Agent>> list_live_agents(TimeMs now, TimeMs ttl_ms) override;

  Result<std::size_t> create_tasks(std::span<const NewTask> tasks) override;
  Result<std::vector<Lease>> lease(const std::string& vantage_class, const std::string& agent_id,
                                   TimeMs now, TimeMs lease_ms, std::size_t max) override;
  Result<bool> renew(const std::string& lease_id, TimeMs now, TimeMs lease_ms) override;
  Result<bool> complete(const std::string& lease_id, bool ok, const std::string& failure) override;
  Result<std::vector<bool>> complete_batch(std::span<const Completion> batch) override;
  Result<std::size_t> expire(TimeMs now) override;
  Result<Task> get_task(const std::string& task_id) override;
  Result<TaskCounts> counts(const std::string& campaign_id) override;

  class Conn;  // the hiredis context, replies and scripts (redis_store.cpp)

 private:
  std::mutex mutex_;
  std::string prefix_;
  std::unique_ptr<Conn> conn_;
};

}  // namespace eo::store::redis
