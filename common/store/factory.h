// Turns a store URL into an implementation: "sqlite:PATH" (embedded, one file; "sqlite::memory:"
// for a private in-process database) or "redis://HOST:PORT[/PREFIX]" (PREFIX defaults to "eo").
#pragma once

#include "common/store/store.h"

#include <memory>
#include <string>

namespace eo::store {

struct StoreUrl {
  enum class Kind { sqlite, redis } kind = Kind::sqlite;
  std::string path;  // sqlite
  std::string host;  // redis
  int port = 0;
  std::string prefix;
};

// Throws std::invalid_argument naming the URL when it is malformed.
StoreUrl parse_store_url(const std::string& url);

// Throws std::invalid_argument for a malformed URL and std::runtime_error naming the URL when
// the database cannot be opened or the server does not answer.
std::unique_ptr<StateStore> make_store(const std::string& url);

}  // namespace eo::store
