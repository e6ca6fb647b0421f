// SQLite plumbing. synchronous=FULL in WAL mode fsyncs the WAL at every COMMIT: one fsync per
// ingest batch, the price of committing bus offsets only after results are on the disk.
#include "aggregator/results/sqlite.h"

#include <sqlite3.h>

namespace eo::aggregator::results {

namespace {

constexpr int kBusyTimeoutMs = 10000;
// Ingest inserts into two B-trees per row (the table and the observation id's index) at
// scattered positions; a page cache of 64 MiB keeps them in memory between transactions.
constexpr const char* kCacheSize = "PRAGMA cache_size=-65536";
// For a new database only (an existing one keeps its page size): rows of ~1 KB written 150,000
// at a time, then read whole by the analyses. 64 KiB pages cut the writes' system calls 16-fold
// against the default 4 KiB, and ingest on this VM's disk went from 66-94k to 109-115k
// observations/s (aggregator_bench, alternating runs).
constexpr const char* kPageSize = "PRAGMA page_size=65536";

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw SqliteError("sqlite: " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

Stmt::~Stmt() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Stmt& Stmt::bind(int i, std::string_view text) {
  if (sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()),
                        copy_ ? SQLITE_TRANSIENT : SQLITE_STATIC) != SQLITE_OK) {
    fail(db_, "bind");
  }
  return *this;
}

Stmt& Stmt::bind(int i, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, i, value) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

Stmt& Stmt::bind(int i, double value) {
  if (sqlite3_bind_double(stmt_, i, value) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

Stmt& Stmt::bind(int i, const std::optional<std::int64_t>& value) {
  return value ? bind(i, *value) : bind_null(i);
}

Stmt& Stmt::bind(int i, const std::optional<double>& value) {
  return value ? bind(i, *value) : bind_null(i);
}

Stmt& Stmt::bind_null(int i) {
  if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

Stmt& Stmt::bind_or_null(int i, std::string_view text) {
  return text.empty() ? bind_null(i) : bind(i, text);
}

bool Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, "step");
}

void Stmt::run() {
  while (step()) {
  }
}

Stmt& Stmt::reuse() {
  sqlite3_reset(stmt_);
  cursor_ = 0;
  return *this;
}

int Stmt::columns() const { return sqlite3_column_count(stmt_); }

bool Stmt::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::int64_t Stmt::i64(int col) const { return sqlite3_column_int64(stmt_, col); }

std::optional<std::int64_t> Stmt::opt_i64(int col) const {
  if (is_null(col)) return std::nullopt;
  return i64(col);
}

double Stmt::real(int col) const { return sqlite3_column_double(stmt_, col); }

std::string Stmt::text(int col) const {
  auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}

Database::Database(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw SqliteError("sqlite: " + path + ": cannot open: " + why);
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  try {
    exec(kPageSize);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec(kCacheSize);
  } catch (const SqliteError& e) {
    sqlite3_close(db_);
    throw SqliteError(path + ": " + e.what());
  }
}

Database::~Database() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

void Database::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string what = error ? error : "exec failed";
    sqlite3_free(error);
    throw SqliteError("sqlite: " + what);
  }
}

Stmt Database::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      fail(db_, "prepare " + sql.substr(0, 60));
    }
    it = cache_.emplace(sql, stmt).first;
  }
  return Stmt(db_, it->second);
}

std::int64_t Database::changes() const { return sqlite3_changes64(db_); }

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (done_) return;
  try {
    db_.exec("ROLLBACK");
  } catch (const SqliteError&) {
    // Nothing to roll back (SQLite already did, e.g. after SQLITE_FULL): the state is consistent.
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace eo::aggregator::results
