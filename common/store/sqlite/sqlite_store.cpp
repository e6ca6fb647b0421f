// SQLite backend of the state store. Why it is shaped like this:
//  - per-target counters (leased, ramp_leased) live in the targets row, so a lease decides a
//    task's readiness with one primary-key lookup instead of counting leased tasks;
//  - a partial index over queued tasks (vantage_class, not_before_ms, id) makes the lease scan
//    read only ready rows in order; another over leased tasks by expiry serves expire();
//  - every write runs in BEGIN IMMEDIATE, which takes the file's write lock up front: two
//    processes on one file serialize instead of failing a deferred upgrade halfway;
//  - per-campaign task counts live in campaign_counts, moved by every write that changes a task's
//    state in the same transaction, so status() reads one row instead of counting the tasks.
#include "common/store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>

namespace eo::store::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 10000;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS campaigns(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, spec TEXT NOT NULL, state TEXT NOT NULL,
  round INTEGER NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,
  lease_expiries INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS targets(
  id TEXT PRIMARY KEY, host TEXT NOT NULL, port INTEGER NOT NULL, transport TEXT NOT NULL,
  onion INTEGER NOT NULL, max_concurrency INTEGER NOT NULL,
  leased INTEGER NOT NULL DEFAULT 0, ramp_leased INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS target_provenance(
  target_id TEXT NOT NULL, provenance TEXT NOT NULL, PRIMARY KEY(target_id, provenance))
  WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS campaign_targets(
  campaign_id TEXT NOT NULL, target_id TEXT NOT NULL, PRIMARY KEY(campaign_id, target_id))
  WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS agents(
  id TEXT PRIMARY KEY, vantage_class TEXT NOT NULL, info TEXT NOT NULL,
  last_heartbeat_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tasks(
  id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL, round INTEGER NOT NULL,
  target_id TEXT NOT NULL, vantage_class TEXT NOT NULL, ramp INTEGER NOT NULL,
  not_before_ms INTEGER NOT NULL, payload BLOB NOT NULL,
  state INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,
  expiries INTEGER NOT NULL DEFAULT 0, agent_id TEXT NOT NULL DEFAULT '',
  lease_expires_ms INTEGER NOT NULL DEFAULT 0, failure TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS tasks_queued ON tasks(vantage_class, not_before_ms, id) WHERE state = 0;
CREATE INDEX IF NOT EXISTS tasks_leased ON tasks(lease_expires_ms) WHERE state = 1;
CREATE TABLE IF NOT EXISTS campaign_counts(
  campaign_id TEXT PRIMARY KEY, queued INTEGER NOT NULL, leased INTEGER NOT NULL,
  done INTEGER NOT NULL, failed INTEGER NOT NULL) WITHOUT ROWID;
)sql";

// Files written before campaign_counts existed (user_version 0) get their counts once; the index
// that counting used is dropped (every state change paid for it).
constexpr const char* kCountsMigration = R"sql(
BEGIN IMMEDIATE;
DROP INDEX IF EXISTS tasks_campaign;
DELETE FROM campaign_counts;
INSERT INTO campaign_counts(campaign_id, queued, leased, done, failed)
  SELECT campaign_id, SUM(state = 0), SUM(state = 1), SUM(state = 2), SUM(state = 3)
  FROM tasks GROUP BY campaign_id;
PRAGMA user_version = 1;
COMMIT;
)sql";

// When the current round started: the next one is planned from it (files before it: 0, read as
// "use the campaign's creation time").
constexpr const char* kRoundStartMigration = R"sql(
BEGIN IMMEDIATE;
ALTER TABLE campaigns ADD COLUMN round_started_ms INTEGER NOT NULL DEFAULT 0;
PRAGMA user_version = 2;
COMMIT;
)sql";

// A target's standing in a campaign (store.h Standing), -1 for "none". Links from before it
// have none at all: the scheduler gives such targets a grace period instead of taking them as gone.
constexpr const char* kStandingMigration = R"sql(
BEGIN IMMEDIATE;
ALTER TABLE campaign_targets ADD COLUMN listed_round INTEGER NOT NULL DEFAULT -1;
ALTER TABLE campaign_targets ADD COLUMN announced_round INTEGER NOT NULL DEFAULT -1;
ALTER TABLE campaign_targets ADD COLUMN joined_round INTEGER NOT NULL DEFAULT -1;
ALTER TABLE campaign_targets ADD COLUMN gone_round INTEGER NOT NULL DEFAULT -1;
PRAGMA user_version = 3;
COMMIT;
)sql";

// Changes to one campaign's task counts, and to one target's leased counters, gathered over a
// transaction and applied once at its end.
struct CountsDelta {
  std::int64_t queued = 0, leased = 0, done = 0, failed = 0;
};
struct TargetDelta {
  std::int64_t leased = 0, ramp_leased = 0;
};
struct Deltas {
  std::map<std::string, CountsDelta> campaigns;
  std::map<std::string, TargetDelta> targets;
};

struct DbError : std::runtime_error {
  DbError(Code c, const std::string& what) : std::runtime_error(what), code(c) {}
  Code code;
};

Code code_of(int rc) {
  rc &= 0xff;
  return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? Code::unavailable : Code::io_error;
}

}  // namespace

// A use of one cached prepared statement. Resetting it when the use ends matters: a statement
// left on a row keeps a WAL read snapshot open, and a later BEGIN IMMEDIATE on a stale snapshot
// fails with SQLITE_BUSY_SNAPSHOT once another process has written.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Stmt() { sqlite3_reset(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, std::string_view text) {
    check(
        sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& bind_blob(int i, std::string_view bytes) {
    check(sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()),
                            SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& bind(int i, std::int64_t value) {
    check(sqlite3_bind_int64(stmt_, i, value));
    return *this;
  }
  // true: a row is available.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw DbError(code_of(rc), std::string("sqlite: ") + sqlite3_errmsg(db_));
  }
  void run() {
    while (step()) {
    }
  }
  std::int64_t i64(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string text(int col) const {
    auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  int changes() const { return sqlite3_changes(db_); }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw DbError(Code::io_error, std::string("bind: ") + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteStore::Db {
 public:
  explicit Db(const std::string& path) {
    int rc =
        sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("sqlite:" + path + ": cannot open: " + why);
    }
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    try {
      exec("PRAGMA journal_mode=WAL");
      exec("PRAGMA synchronous=NORMAL");  // WAL + NORMAL: durable across process crashes
      // The task table of a large campaign outgrows the default 2 MB page cache; reading pages
      // back with pread then costs more than the leases themselves.
      exec("PRAGMA cache_size=-65536");
      // Leases and completions rewrite the same hot pages (indexes, targets, counts) over and
      // over: checkpointing every 40 MB of WAL instead of every 4 MB copies each of them back to
      // the database file a tenth as often.
      exec("PRAGMA wal_autocheckpoint=10000");
      exec(kSchema);
      if (user_version() < 1) exec(kCountsMigration);
      if (user_version() < 2) exec(kRoundStartMigration);
      if (user_version() < 3) exec(kStandingMigration);
    } catch (const DbError& e) {
      sqlite3_close(db_);
      throw std::runtime_error("sqlite:" + path + ": " + e.what());
    }
  }
  ~Db() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
  }

  void exec(const char* sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string what = std::string("sqlite: ") + (err ? err : sqlite3_errmsg(db_));
      sqlite3_free(err);
      throw DbError(code_of(rc), what);
    }
  }

  std::int64_t user_version() {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &stmt, nullptr) != SQLITE_OK) {
      throw DbError(Code::io_error, std::string("prepare: ") + sqlite3_errmsg(db_));
    }
    std::int64_t version = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    return version;
  }

  Stmt prepare(const char* sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
          SQLITE_OK) {
        throw DbError(Code::io_error, std::string("prepare: ") + sqlite3_errmsg(db_));
      }
      it = cache_.emplace(sql, stmt).first;
    }
    sqlite3_reset(it->second);
    sqlite3_clear_bindings(it->second);
    return Stmt(db_, it->second);
  }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;  // keyed by the literal's address
};

namespace {

// BEGIN IMMEDIATE ... COMMIT, rolled back when left early (an exception).
class Txn {
 public:
  explicit Txn(SqliteStore::Db& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  ~Txn() {
    if (!done_) {
      try {
        db_.exec("ROLLBACK");
      } catch (const DbError&) {  // nothing more to do: the transaction is gone either way
      }
    }
  }
  void commit() {
    db_.exec("COMMIT");
    done_ = true;
  }

 private:
  SqliteStore::Db& db_;
  bool done_ = false;
};

void apply(SqliteStore::Db& db, const Deltas& deltas) {
  for (const auto& [campaign, d] : deltas.campaigns) {
    db.prepare(
          "INSERT INTO campaign_counts(campaign_id, queued, leased, done, failed) "
          "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(campaign_id) DO UPDATE SET "
          "queued = queued + ?2, leased = leased + ?3, done = done + ?4, failed = failed + ?5")
        .bind(1, campaign)
        .bind(2, d.queued)
        .bind(3, d.leased)
        .bind(4, d.done)
        .bind(5, d.failed)
        .run();
  }
  for (const auto& [target, d] : deltas.targets) {
    db.prepare(
          "UPDATE targets SET leased = leased + ?2, ramp_leased = ramp_leased + ?3 "
          "WHERE id = ?1")
        .bind(1, target)
        .bind(2, d.leased)
        .bind(3, d.ramp_leased)
        .run();
  }
}

template <class R, class F>
R guarded(std::mutex& mutex, F&& body) {
  std::lock_guard lock(mutex);
  try {
    return body();
  } catch (const DbError& e) {
    Status status{e.code, e.what()};
    if constexpr (std::is_same_v<R, Status>) {
      return status;
    } else {
      return R{status, {}};
    }
  }
}

Status error(Code code, std::string detail) { return Status{code, std::move(detail)}; }

Campaign read_campaign(const Stmt& s) {
  Campaign c;
  c.id = s.text(0);
  c.name = s.text(1);
  c.spec = s.text(2);
  c.state = campaign_state_from(s.text(3)).value_or(CampaignState::pending);
  c.round = static_cast<std::uint32_t>(s.i64(4));
  c.created_ms = s.i64(5);
  c.updated_ms = s.i64(6);
  c.round_started_ms = s.i64(7);
  return c;
}

Task read_task(const Stmt& s) {
  Task t;
  t.id = s.text(0);
  t.campaign_id = s.text(1);
  t.round = static_cast<std::uint32_t>(s.i64(2));
  t.target_id = s.text(3);
  t.vantage_class = s.text(4);
  t.ramp = s.i64(5) != 0;
  t.not_before_ms = s.i64(6);
  t.payload = s.text(7);
  t.state = static_cast<TaskState>(s.i64(8));
  t.attempts = static_cast<std::uint32_t>(s.i64(9));
  t.expiries = static_cast<std::uint32_t>(s.i64(10));
  t.agent_id = s.text(11);
  t.lease_expires_ms = s.i64(12);
  t.failure = s.text(13);
  return t;
}

// One completion inside the caller's transaction; its counter changes go to `deltas`.
bool finish(SqliteStore::Db& db, const Completion& c, Deltas& deltas) {
  std::string task_id;
  std::uint32_t attempt = 0;
  if (!parse_lease_id(c.lease_id, task_id, attempt)) return false;
  // A lookup, then an update by rowid: cheaper than UPDATE ... RETURNING (see lease()), and
  // the update needs no second descent of the text-keyed id index.
  std::int64_t rowid = 0;
  {
    auto s = db.prepare(
        "SELECT target_id, ramp, campaign_id, rowid FROM tasks WHERE id = ?1 AND state = 1 AND "
        "attempts = ?2");
    s.bind(1, task_id).bind(2, std::int64_t{attempt});
    if (!s.step()) return false;
    auto& target = deltas.targets[s.text(0)];
    --target.leased;
    target.ramp_leased -= s.i64(1);
    auto& campaign = deltas.campaigns[s.text(2)];
    --campaign.leased;
    ++(c.ok ? campaign.done : campaign.failed);
    rowid = s.i64(3);
  }  // reset before the row changes
  db.prepare("UPDATE tasks SET state = ?2, failure = ?3 WHERE rowid = ?1")
      .bind(1, rowid)
      .bind(2, std::int64_t{c.ok ? 2 : 3})
      .bind(3, c.ok ? std::string() : c.failure)
      .run();
  return true;
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path) : db_(std::make_unique<Db>(path)) {}
SqliteStore::~SqliteStore() = default;

Status SqliteStore::put_campaign(const Campaign& c, TimeMs now) {
  if (c.id.empty()) return error(Code::invalid_argument, "campaign id is empty");
  return guarded<Status>(mutex_, [&] {
    db_->prepare(
           "INSERT INTO campaigns(id, name, spec, state, round, created_ms, updated_ms, "
           "round_started_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7) ON CONFLICT(id) DO UPDATE "
           "SET name = ?2, spec = ?3, state = ?4, round = ?5, updated_ms = ?6, "
           "round_started_ms = ?7")
        .bind(1, c.id)
        .bind(2, c.name)
        .bind(3, c.spec)
        .bind(4, to_string(c.state))
        .bind(5, std::int64_t{c.round})
        .bind(6, now)
        .bind(7, c.round_started_ms)
        .run();
    return Status::success();
  });
}

Result<Campaign> SqliteStore::get_campaign(const std::string& id) {
  return guarded<Result<Campaign>>(mutex_, [&]() -> Result<Campaign> {
    auto s = db_->prepare(
        "SELECT id, name, spec, state, round, created_ms, updated_ms, round_started_ms "
        "FROM campaigns WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return {error(Code::not_found, "campaign " + id), {}};
    return {Status::success(), read_campaign(s)};
  });
}

Result<std::vector<Campaign>> SqliteStore::list_campaigns(std::optional<CampaignState> state) {
  using R = Result<std::vector<Campaign>>;
  return guarded<R>(mutex_, [&] {
    auto s = db_->prepare(
        "SELECT id, name, spec, state, round, created_ms, updated_ms, round_started_ms "
        "FROM campaigns WHERE ?1 IS NULL OR state = ?1 ORDER BY id");
    if (state) s.bind(1, to_string(*state));
    R out;
    while (s.step()) out.value.push_back(read_campaign(s));
    return out;
  });
}

Status SqliteStore::set_campaign_state(const std::string& id, CampaignState to, TimeMs now) {
  return guarded<Status>(mutex_, [&] {
    Txn txn(*db_);
    auto s = db_->prepare("SELECT state FROM campaigns WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return error(Code::not_found, "campaign " + id);
    auto from = campaign_state_from(s.text(0)).value_or(CampaignState::pending);
    if (!transition_allowed(from, to)) {
      return error(Code::conflict, "campaign " + id + ": " + std::string(to_string(from)) + " -> " +
                                       std::string(to_string(to)) + " not allowed");
    }
    db_->prepare("UPDATE campaigns SET state = ?2, updated_ms = ?3 WHERE id = ?1")
        .bind(1, id)
        .bind(2, to_string(to))
        .bind(3, now)
        .run();
    txn.commit();
    return Status::success();
  });
}

Result<std::size_t> SqliteStore::upsert_targets(const std::string& campaign_id,
                                                std::span<const Target> targets) {
  for (const auto& t : targets) {
    if (t.id.empty()) return {error(Code::invalid_argument, "target id is empty"), 0};
  }
  return guarded<Result<std::size_t>>(mutex_, [&] {
    Txn txn(*db_);
    std::size_t created = 0;
    for (const auto& t : targets) {
      auto exists = db_->prepare("SELECT 1 FROM targets WHERE id = ?");
      exists.bind(1, t.id);
      bool known = exists.step();
      db_->prepare(
             "INSERT INTO targets(id, host, port, transport, onion, max_concurrency) "
             "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET host = ?2, port = ?3, "
             "transport = ?4, onion = ?5, max_concurrency = ?6")
          .bind(1, t.id)
          .bind(2, t.host)
          .bind(3, std::int64_t{t.port})
          .bind(4, t.transport)
          .bind(5, std::int64_t{t.onion})
          .bind(6, std::int64_t{std::max(1u, t.max_concurrency)})
          .run();
      for (const auto& p : t.provenance) {
        db_->prepare("INSERT OR IGNORE INTO target_provenance(target_id, provenance) VALUES(?, ?)")
            .bind(1, t.id)
            .bind(2, p)
            .run();
      }
      db_->prepare("INSERT OR IGNORE INTO campaign_targets(campaign_id, target_id) VALUES(?, ?)")
          .bind(1, campaign_id)
          .bind(2, t.id)
          .run();
      if (!known) ++created;
    }
    txn.commit();
    return Result<std::size_t>{Status::success(), created};
  });
}

Result<std::vector<Target>> SqliteStore::list_targets(const std::string& campaign_id) {
  using R = Result<std::vector<Target>>;
  return guarded<R>(mutex_, [&] {
    R out;
    auto s = db_->prepare(
        "SELECT t.id, t.host, t.port, t.transport, t.onion, t.max_concurrency FROM targets t "
        "JOIN campaign_targets c ON c.target_id = t.id WHERE c.campaign_id = ? ORDER BY t.id");
    s.bind(1, campaign_id);
    while (s.step()) {
      Target t;
      t.id = s.text(0);
      t.host = s.text(1);
      t.port = static_cast<std::uint16_t>(s.i64(2));
      t.transport = s.text(3);
      t.onion = s.i64(4) != 0;
      t.max_concurrency = static_cast<std::uint32_t>(s.i64(5));
      out.value.push_back(std::move(t));
    }
    for (auto& t : out.value) {
      auto p = db_->prepare(
          "SELECT provenance FROM target_provenance WHERE target_id = ? ORDER BY provenance");
      p.bind(1, t.id);
      while (p.step()) t.provenance.push_back(p.text(0));
    }
    return out;
  });
}

Status SqliteStore::record_sighting(const std::string& campaign_id, Sighting kind,
                                    std::span<const std::string> target_ids, std::uint32_t round) {
  const char* sql = kind == Sighting::listed
                        ? "UPDATE campaign_targets SET listed_round = ?3 WHERE campaign_id = ?1 "
                          "AND target_id = ?2 AND listed_round < ?3"
                        : "UPDATE campaign_targets SET announced_round = ?3 WHERE campaign_id = ?1 "
                          "AND target_id = ?2 AND announced_round < ?3";
  return guarded<Status>(mutex_, [&] {
    Txn txn(*db_);
    for (const auto& id : target_ids) {
      db_->prepare(sql).bind(1, campaign_id).bind(2, id).bind(3, std::int64_t{round}).run();
    }
    txn.commit();
    return Status::success();
  });
}

Status SqliteStore::record_plan(const std::string& campaign_id, std::uint32_t round,
                                std::span<const std::string> active,
                                std::span<const std::string> gone) {
  return guarded<Status>(mutex_, [&] {
    Txn txn(*db_);
    for (const auto& id : active) {
      db_->prepare(
             "UPDATE campaign_targets SET gone_round = -1, joined_round = CASE WHEN joined_round "
             "< 0 THEN ?3 ELSE joined_round END WHERE campaign_id = ?1 AND target_id = ?2")
          .bind(1, campaign_id)
          .bind(2, id)
          .bind(3, std::int64_t{round})
          .run();
    }
    for (const auto& id : gone) {
      db_->prepare(
             "UPDATE campaign_targets SET gone_round = ?3 WHERE campaign_id = ?1 AND target_id = "
             "?2 AND gone_round < 0")
          .bind(1, campaign_id)
          .bind(2, id)
          .bind(3, std::int64_t{round})
          .run();
    }
    txn.commit();
    return Status::success();
  });
}

Result<std::vector<Standing>> SqliteStore::list_standings(const std::string& campaign_id) {
  using R = Result<std::vector<Standing>>;
  return guarded<R>(mutex_, [&] {
    R out;
    auto s = db_->prepare(
        "SELECT target_id, listed_round, announced_round, joined_round, gone_round "
        "FROM campaign_targets WHERE campaign_id = ? ORDER BY target_id");
    s.bind(1, campaign_id);
    auto round = [&](int col) -> std::optional<std::uint32_t> {
      if (s.i64(col) < 0) return std::nullopt;
      return static_cast<std::uint32_t>(s.i64(col));
    };
    while (s.step()) {
      out.value.push_back({s.text(0), round(1), round(2), round(3), round(4)});
    }
    return out;
  });
}

Status SqliteStore::register_agent(const Agent& a, TimeMs now) {
  if (a.id.empty()) return error(Code::invalid_argument, "agent id is empty");
  return guarded<Status>(mutex_, [&] {
    db_->prepare(
           "INSERT OR REPLACE INTO agents(id, vantage_class, info, last_heartbeat_ms) "
           "VALUES(?, ?, ?, ?)")
        .bind(1, a.id)
        .bind(2, a.vantage_class)
        .bind(3, a.info)
        .bind(4, now)
        .run();
    return Status::success();
  });
}

Status SqliteStore::heartbeat(const std::string& agent_id, TimeMs now) {
  return guarded<Status>(mutex_, [&] {
    auto s = db_->prepare("UPDATE agents SET last_heartbeat_ms = ?2 WHERE id = ?1");
    s.bind(1, agent_id).bind(2, now).run();
    return s.changes() == 0 ? error(Code::not_found, "agent " + agent_id) : Status::success();
  });
}

Result<std::vector<Agent>> SqliteStore::list_live_agents(TimeMs now, TimeMs ttl_ms) {
  using R = Result<std::vector<Agent>>;
  return guarded<R>(mutex_, [&] {
    R out;
    auto s = db_->prepare(
        "SELECT id, vantage_class, info, last_heartbeat_ms FROM agents "
        "WHERE last_heartbeat_ms >= ? ORDER BY id");
    s.bind(1, now - ttl_ms);
    while (s.step()) out.value.push_back(Agent{s.text(0), s.text(1), s.text(2), s.i64(3)});
    return out;
  });
}

Result<std::size_t> SqliteStore::create_tasks(std::span<const NewTask> tasks) {
  for (const auto& t : tasks) {
    if (t.id.empty() || t.id.find('#') != std::string::npos) {
      return {error(Code::invalid_argument, "task id '" + t.id + "' is empty or has a '#'"), 0};
    }
  }
  return guarded<Result<std::size_t>>(mutex_, [&]() -> Result<std::size_t> {
    Txn txn(*db_);
    for (const auto& t : tasks) {
      auto s = db_->prepare("SELECT 1 FROM targets WHERE id = ?");
      s.bind(1, t.target_id);
      if (!s.step()) {
        return {error(Code::invalid_argument, "task " + t.id + ": unknown target " + t.target_id),
                0};
      }
    }
    std::size_t created = 0;
    Deltas deltas;
    for (const auto& t : tasks) {
      auto s = db_->prepare(
          "INSERT OR IGNORE INTO tasks(id, campaign_id, round, target_id, vantage_class, ramp, "
          "not_before_ms, payload) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
      s.bind(1, t.id)
          .bind(2, t.campaign_id)
          .bind(3, std::int64_t{t.round})
          .bind(4, t.target_id)
          .bind(5, t.vantage_class)
          .bind(6, std::int64_t{t.ramp})
          .bind(7, t.not_before_ms)
          .bind_blob(8, t.payload)
          .run();
      if (s.changes() > 0) {
        ++created;
        ++deltas.campaigns[t.campaign_id].queued;
      }
    }
    apply(*db_, deltas);
    txn.commit();
    return {Status::success(), created};
  });
}

Result<std::vector<Lease>> SqliteStore::lease(const std::string& vantage_class,
                                              const std::string& agent_id, TimeMs now,
                                              TimeMs lease_ms, std::size_t max) {
  using R = Result<std::vector<Lease>>;
  if (max == 0) return R{};
  return guarded<R>(mutex_, [&] {
    Txn txn(*db_);
    struct Load {
      std::int64_t cap, leased, ramp_leased;
    };
    std::map<std::string, Load> loads;  // targets seen in this call, with this call's leases
    std::vector<Task> chosen;
    std::vector<std::int64_t> rowids;  // the updates skip the text-keyed id index
    {
      // The whole row comes with the scan (the index leads to it anyway), so the updates below
      // need no RETURNING, which costs SQLite an ephemeral table per statement.
      auto scan = db_->prepare(
          "SELECT id, campaign_id, round, target_id, vantage_class, ramp, not_before_ms, payload, "
          "state, attempts, expiries, agent_id, lease_expires_ms, failure, rowid FROM tasks "
          "WHERE state = 0 AND vantage_class = ? AND not_before_ms <= ? "
          "ORDER BY not_before_ms, id");
      scan.bind(1, vantage_class).bind(2, now);
      while (chosen.size() < max && scan.step()) {
        std::string target = scan.text(3);
        bool ramp = scan.i64(5) != 0;
        auto it = loads.find(target);
        if (it == loads.end()) {
          auto t = db_->prepare(
              "SELECT max_concurrency, leased, ramp_leased FROM targets "
              "WHERE id = ?");
          t.bind(1, target);
          Load load{1, 0, 0};
          if (t.step()) load = {std::max<std::int64_t>(1, t.i64(0)), t.i64(1), t.i64(2)};
          it = loads.emplace(target, load).first;
        }
        Load& load = it->second;
        if (load.leased >= load.cap || (ramp && load.ramp_leased > 0)) continue;
        ++load.leased;
        if (ramp) ++load.ramp_leased;
        chosen.push_back(read_task(scan));
        rowids.push_back(scan.i64(14));
      }
    }
    R out;
    const TimeMs expires = now + lease_ms;
    Deltas deltas;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
      auto& task = chosen[i];
      db_->prepare(
             "UPDATE tasks SET state = 1, attempts = attempts + 1, agent_id = ?2, "
             "lease_expires_ms = ?3 WHERE rowid = ?1")
          .bind(1, rowids[i])
          .bind(2, agent_id)
          .bind(3, expires)
          .run();
      Lease lease;
      lease.task = std::move(task);
      lease.task.state = TaskState::leased;
      ++lease.task.attempts;
      lease.task.agent_id = agent_id;
      lease.task.lease_expires_ms = expires;
      lease.expires_ms = expires;
      lease.lease_id = make_lease_id(lease.task.id, lease.task.attempts);
      auto& target = deltas.targets[lease.task.target_id];
      ++target.leased;
      target.ramp_leased += lease.task.ramp ? 1 : 0;
      auto& campaign = deltas.campaigns[lease.task.campaign_id];
      --campaign.queued;
      ++campaign.leased;
      out.value.push_back(std::move(lease));
    }
    apply(*db_, deltas);
    txn.commit();
    return out;
  });
}

Result<bool> SqliteStore::renew(const std::string& lease_id, TimeMs now, TimeMs lease_ms) {
  std::string task_id;
  std::uint32_t attempt = 0;
  if (!parse_lease_id(lease_id, task_id, attempt)) return {Status::success(), false};
  return guarded<Result<bool>>(mutex_, [&] {
    auto s = db_->prepare(
        "UPDATE tasks SET lease_expires_ms = ?3 WHERE id = ?1 AND state = 1 "
        "AND attempts = ?2");
    s.bind(1, task_id).bind(2, std::int64_t{attempt}).bind(3, now + lease_ms).run();
    return Result<bool>{Status::success(), s.changes() > 0};
  });
}

Result<bool> SqliteStore::complete(const std::string& lease_id, bool ok,
                                   const std::string& failure) {
  return guarded<Result<bool>>(mutex_, [&] {
    Txn txn(*db_);
    Deltas deltas;
    bool finished = finish(*db_, {lease_id, ok, failure}, deltas);
    apply(*db_, deltas);
    if (finished) txn.commit();
    return Result<bool>{Status::success(), finished};
  });
}

Result<std::vector<bool>> SqliteStore::complete_batch(std::span<const Completion> batch) {
  using R = Result<std::vector<bool>>;
  return guarded<R>(mutex_, [&] {
    Txn txn(*db_);
    R out;
    out.value.reserve(batch.size());
    Deltas deltas;
    for (const auto& c : batch) out.value.push_back(finish(*db_, c, deltas));
    apply(*db_, deltas);
    txn.commit();
    return out;
  });
}

Result<std::size_t> SqliteStore::expire(TimeMs now) {
  return guarded<Result<std::size_t>>(mutex_, [&] {
    Txn txn(*db_);
    struct Expired {
      std::string campaign, target;
      std::int64_t ramp;
    };
    std::vector<Expired> expired;
    {
      auto s = db_->prepare(
          "UPDATE tasks SET state = 0, expiries = expiries + 1, lease_expires_ms = 0 "
          "WHERE state = 1 AND lease_expires_ms <= ? RETURNING campaign_id, target_id, ramp");
      s.bind(1, now);
      while (s.step()) expired.push_back({s.text(0), s.text(1), s.i64(2)});
    }
    Deltas deltas;
    for (const auto& e : expired) {
      ++deltas.campaigns[e.campaign].queued;
      --deltas.campaigns[e.campaign].leased;
      --deltas.targets[e.target].leased;
      deltas.targets[e.target].ramp_leased -= e.ramp;
      db_->prepare("UPDATE campaigns SET lease_expiries = lease_expiries + 1 WHERE id = ?")
          .bind(1, e.campaign)
          .run();
    }
    apply(*db_, deltas);
    txn.commit();
    return Result<std::size_t>{Status::success(), expired.size()};
  });
}

Result<Task> SqliteStore::get_task(const std::string& task_id) {
  return guarded<Result<Task>>(mutex_, [&]() -> Result<Task> {
    auto s = db_->prepare(
        "SELECT id, campaign_id, round, target_id, vantage_class, ramp, not_before_ms, payload, "
        "state, attempts, expiries, agent_id, lease_expires_ms, failure FROM tasks WHERE id = ?");
    s.bind(1, task_id);
    if (!s.step()) return {error(Code::not_found, "task " + task_id), {}};
    return {Status::success(), read_task(s)};
  });
}

Result<TaskCounts> SqliteStore::counts(const std::string& campaign_id) {
  return guarded<Result<TaskCounts>>(mutex_, [&]() -> Result<TaskCounts> {
    Result<TaskCounts> out;
    auto c = db_->prepare("SELECT lease_expiries FROM campaigns WHERE id = ?");
    c.bind(1, campaign_id);
    if (c.step()) out.value.lease_expiries = static_cast<std::uint64_t>(c.i64(0));
    auto s = db_->prepare(
        "SELECT queued, leased, done, failed FROM campaign_counts WHERE campaign_id = ?");
    s.bind(1, campaign_id);
    if (s.step()) {
      out.value.queued = static_cast<std::uint64_t>(s.i64(0));
      out.value.leased = static_cast<std::uint64_t>(s.i64(1));
      out.value.done = static_cast<std::uint64_t>(s.i64(2));
      out.value.failed = static_cast<std::uint64_t>(s.i64(3));
    }
    return out;
  });
}

}  // namespace eo::store::sqlite
