// The results database's schema, versioned with PRAGMA user_version: a database is brought up to
// kSchemaVersion by running the migrations it has not seen, each in one transaction.
#pragma once

#include "aggregator/results/sqlite.h"

namespace eo::aggregator::results {

inline constexpr int kSchemaVersion = 7;

// Runs the missing migrations. Throws SqliteError for a database written by a newer aggregator
// (its schema is unknown here) or when a migration fails.
void migrate(Database& db);

int schema_version(Database& db);

}  // namespace eo::aggregator::results
