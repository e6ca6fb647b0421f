// A thin RAII layer over SQLite for the results database: one connection, cached prepared
// statements, transactions. Errors throw SqliteError (the caller decides what a failure means:
// ingest stops without committing bus offsets).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace eo::aggregator::results {

struct SqliteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One use of a cached prepared statement; resets it when the use ends, so that no statement left
// on a row keeps a WAL read snapshot open.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Text bound after this is not copied: the caller keeps it alive until the statement is done
  // (saves a copy of every column on the ingest path).
  Stmt& borrow() {
    copy_ = false;
    return *this;
  }

  // Parameters are 1-based. Text is copied (unless borrowed); an empty optional binds NULL.
  Stmt& bind(int i, std::string_view text);
  Stmt& bind(int i, std::int64_t value);
  Stmt& bind(int i, double value);
  Stmt& bind(int i, const std::optional<std::int64_t>& value);
  Stmt& bind(int i, const std::optional<double>& value);
  Stmt& bind_null(int i);
  // Text that is NULL when empty (derived columns: "not applicable" reads as NULL in SQL).
  Stmt& bind_or_null(int i, std::string_view text);

  // The same, at the parameter after the one the previous add bound (the first add binds 1).
  template <typename T>
  Stmt& add(const T& value) {
    return bind(++cursor_, value);
  }
  Stmt& add(bool value) { return bind(++cursor_, std::int64_t{value}); }
  Stmt& add_or_null(std::string_view text) { return bind_or_null(++cursor_, text); }

  // true: a row is available.
  bool step();
  void run();
  // Ready for another use whose add() calls bind every parameter again: a batch of inserts
  // prepares (and looks up) its statement once.
  Stmt& reuse();

  int columns() const;
  bool is_null(int col) const;
  std::int64_t i64(int col) const;
  std::optional<std::int64_t> opt_i64(int col) const;
  double real(int col) const;
  std::string text(int col) const;  // "" for NULL

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int cursor_ = 0;
  bool copy_ = true;
};

class Database {
 public:
  // Opens (creating) the file in WAL mode with synchronous=FULL: a COMMIT that returned is on
  // the disk, which is what lets ingest commit bus offsets right after it. Throws SqliteError
  // naming the path.
  explicit Database(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(const char* sql);
  Stmt prepare(const std::string& sql);  // cached by text
  std::int64_t changes() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed uncommitted (an exception in between).
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace eo::aggregator::results
