// Schema v1; v2 adds differential treatment and operator clusters; v3 findings, suspicion, the
// privacy risk summary and findings_published (what went out on findings.v1: bookkeeping, the one
// table that is not a function of the ingested rows); v5 the time indexes of the analysis window
// and exported_days (bookkeeping of the open-data files). Ingested facts (observations,
// honeypot_events, malformed) are only ever inserted, keyed by the ids the producers chose, so a
// replay changes nothing. Analysis tables (servers, ..., operator_members) are recomputed from
// them and replaced whole, so they are a pure function of the ingested rows. Ingested tables
// carry no index beyond their keys and their time (v5): every index is one more B-tree insert per
// row at 100k rows/s, but the time index is appended in order and spares each pass a whole scan.
// Later analyses add tables in later versions; their inputs are all here already.
#include "aggregator/results/schema.h"

#include <array>
#include <string>

namespace eo::aggregator::results {

namespace {

constexpr const char* kV1 = R"sql(
CREATE TABLE observations(
  observation_id TEXT PRIMARY KEY,
  campaign_id TEXT NOT NULL, round INTEGER NOT NULL, task_id TEXT NOT NULL, agent_id TEXT NOT NULL,
  target_id TEXT NOT NULL, target_host TEXT NOT NULL, target_port INTEGER NOT NULL,
  transport TEXT NOT NULL, onion INTEGER NOT NULL, resolved_ips TEXT,
  vantage_id TEXT NOT NULL, vantage_class TEXT NOT NULL, vantage_region TEXT,
  vantage_provider TEXT, vantage_network TEXT NOT NULL, vantage_egress_ip TEXT,
  vantage_asn INTEGER NOT NULL, vantage_country TEXT, tor_exit TEXT,
  probe_name TEXT NOT NULL, probe_version INTEGER NOT NULL, client_profile TEXT,
  client_name TEXT, started_us INTEGER NOT NULL,
  outcome TEXT NOT NULL, failure TEXT, error_code INTEGER, error_message TEXT,
  dns_us INTEGER NOT NULL, connect_us INTEGER NOT NULL, tls_us INTEGER NOT NULL,
  first_byte_us INTEGER NOT NULL, total_us INTEGER NOT NULL, peer_ip TEXT,
  server_version TEXT, protocol TEXT, protocol_min TEXT, protocol_max TEXT, banner_sha256 TEXT,
  donation_address TEXT, feature_keys TEXT, genesis_hash TEXT,
  cert_sha256 TEXT, spki_sha256 TEXT, cert_subject TEXT, cert_issuer TEXT,
  cert_not_after INTEGER, tls_version TEXT, content_sha256 TEXT,
  ramp_throttled INTEGER, ramp_threshold INTEGER, ramp_kind TEXT,
  result_json TEXT NOT NULL);

CREATE TABLE honeypot_events(
  event_id TEXT PRIMARY KEY, honeypot_id TEXT NOT NULL, session_id TEXT NOT NULL,
  kind TEXT NOT NULL, time_us INTEGER NOT NULL, peer_ip TEXT, peer_port INTEGER NOT NULL,
  peer_pseudonym TEXT, local_address TEXT, transport TEXT, tls_fingerprint TEXT,
  client_name TEXT, protocol_min TEXT, protocol_max TEXT, method TEXT, params_json TEXT,
  scripthashes TEXT, txid TEXT, latency_us INTEGER NOT NULL, profile TEXT, action TEXT);

CREATE TABLE malformed(
  topic TEXT NOT NULL, sha256 TEXT NOT NULL, partition INTEGER NOT NULL,
  "offset" INTEGER NOT NULL, key TEXT, reason TEXT NOT NULL, size INTEGER NOT NULL, head BLOB,
  PRIMARY KEY(topic, sha256)) WITHOUT ROWID;

CREATE TABLE servers(
  server TEXT PRIMARY KEY, onion INTEGER NOT NULL, targets TEXT NOT NULL, addresses TEXT,
  country TEXT NOT NULL, asn INTEGER NOT NULL, as_name TEXT,
  claimed_software TEXT, claimed_version TEXT, implementation TEXT NOT NULL,
  implementation_version TEXT, modified INTEGER NOT NULL,
  protocol_min TEXT, protocol_max TEXT, cert_sha256 TEXT, spki_sha256 TEXT,
  first_seen_us INTEGER NOT NULL, last_seen_us INTEGER NOT NULL,
  rounds_probed INTEGER NOT NULL, rounds_reachable INTEGER NOT NULL, uptime REAL NOT NULL);
CREATE TABLE server_reachability(
  server TEXT NOT NULL, vantage_id TEXT NOT NULL, probed INTEGER NOT NULL,
  reachable INTEGER NOT NULL, PRIMARY KEY(server, vantage_id)) WITHOUT ROWID;
CREATE TABLE concentration(
  dimension TEXT NOT NULL, grp TEXT NOT NULL, servers INTEGER NOT NULL, share REAL NOT NULL,
  PRIMARY KEY(dimension, grp)) WITHOUT ROWID;
CREATE TABLE concentration_summary(
  dimension TEXT PRIMARY KEY, servers INTEGER NOT NULL, groups INTEGER NOT NULL,
  hhi REAL NOT NULL, half_cover INTEGER NOT NULL);

CREATE TABLE fingerprints(
  target_id TEXT PRIMARY KEY, claimed_implementation TEXT, claimed_version TEXT,
  implementation TEXT NOT NULL, version_range TEXT, matched INTEGER NOT NULL,
  contradicted INTEGER NOT NULL, modified INTEGER NOT NULL, evidence_json TEXT NOT NULL);

CREATE TABLE rate_limits(
  target_id TEXT NOT NULL, vantage_id TEXT NOT NULL, observations INTEGER NOT NULL,
  throttled INTEGER NOT NULL, threshold INTEGER, style TEXT NOT NULL,
  evidence_json TEXT NOT NULL, PRIMARY KEY(target_id, vantage_id)) WITHOUT ROWID;
)sql";

constexpr const char* kV2 = R"sql(
CREATE TABLE differential(
  target_id TEXT NOT NULL, dimension TEXT NOT NULL, vantage_id TEXT NOT NULL,
  vantage_differs INTEGER NOT NULL, vantage_alike INTEGER NOT NULL,
  rest_differs INTEGER NOT NULL, rest_alike INTEGER NOT NULL,
  rounds_everywhere INTEGER NOT NULL, p REAL NOT NULL, q REAL NOT NULL,
  direction TEXT NOT NULL, status TEXT NOT NULL, confounders_json TEXT NOT NULL,
  evidence_json TEXT NOT NULL,
  PRIMARY KEY(target_id, dimension, vantage_id)) WITHOUT ROWID;

CREATE TABLE operator_clusters(
  cluster_id TEXT PRIMARY KEY, servers INTEGER NOT NULL, members TEXT NOT NULL,
  evidence_json TEXT NOT NULL, outliers_json TEXT NOT NULL);
CREATE TABLE operator_members(
  server TEXT PRIMARY KEY, cluster_id TEXT NOT NULL, behaviour_sha256 TEXT);
)sql";

constexpr const char* kV3 = R"sql(
CREATE TABLE findings(
  finding_id TEXT PRIMARY KEY, kind TEXT NOT NULL, server TEXT NOT NULL, target_id TEXT,
  vantage_id TEXT, dimension TEXT, score REAL, p REAL, q REAL, summary TEXT NOT NULL,
  evidence_json TEXT NOT NULL, details_json TEXT NOT NULL);
CREATE TABLE suspicion(
  server TEXT PRIMARY KEY, score REAL NOT NULL, level TEXT NOT NULL,
  indicators_json TEXT NOT NULL);
CREATE TABLE privacy_risk(
  item TEXT PRIMARY KEY, severity TEXT NOT NULL, finding TEXT NOT NULL, evidence TEXT NOT NULL,
  recommendation TEXT NOT NULL);
-- Bookkeeping of findings.v1, not an analysis: what was published (content hash) per finding id.
CREATE TABLE findings_published(
  finding_id TEXT PRIMARY KEY, content_sha256 TEXT NOT NULL, published_us INTEGER NOT NULL);
)sql";

// What a withdrawal on findings.v1 names. Findings published before v4 take it from the last
// analysis's findings table, which holds them unless they have already gone.
constexpr const char* kV4 = R"sql(
ALTER TABLE findings_published ADD COLUMN kind TEXT;
ALTER TABLE findings_published ADD COLUMN server TEXT;
ALTER TABLE findings_published ADD COLUMN target_id TEXT;
ALTER TABLE findings_published ADD COLUMN vantage_id TEXT;
UPDATE findings_published SET
  kind = (SELECT kind FROM findings f WHERE f.finding_id = findings_published.finding_id),
  server = (SELECT server FROM findings f WHERE f.finding_id = findings_published.finding_id),
  target_id = (SELECT target_id FROM findings f WHERE f.finding_id = findings_published.finding_id),
  vantage_id = (SELECT vantage_id FROM findings f WHERE f.finding_id = findings_published.finding_id);
)sql";

// The analysis window and retention read and delete by time, and the daily exports remember what
// each day's file holds: without these indexes every pass would scan the whole history.
constexpr const char* kV5 = R"sql(
CREATE INDEX IF NOT EXISTS observations_by_start ON observations(started_us);
CREATE INDEX IF NOT EXISTS honeypot_events_by_time ON honeypot_events(time_us);
-- Bookkeeping of the daily open-data files: per kind and UTC day, the rows the database held for
-- that day when its file was last written (a different count now: the file needs a merge).
CREATE TABLE IF NOT EXISTS exported_days(
  kind TEXT NOT NULL, day TEXT NOT NULL, db_rows INTEGER NOT NULL, file_rows INTEGER NOT NULL,
  exported_us INTEGER NOT NULL, PRIMARY KEY(kind, day)) WITHOUT ROWID;
)sql";

// Server histories (aggregator/history): updated incrementally from the observations ingested
// since history_pass's watermark, so unlike the analysis tables above they are not replaced
// whole; reading the same rows again in other passes gives the same rows (docs/aggregator.md).
// IF NOT EXISTS: a database re-marked older (as the publish tests make one) migrates again.
constexpr const char* kV6 = R"sql(
CREATE TABLE IF NOT EXISTS history_pass(
  id INTEGER PRIMARY KEY CHECK(id = 1), observations_rowid INTEGER NOT NULL,
  now_us INTEGER NOT NULL, campaign_id TEXT NOT NULL, round INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS server_history(
  server TEXT PRIMARY KEY, first_probed_us INTEGER NOT NULL, last_probed_us INTEGER NOT NULL,
  first_seen_us INTEGER, last_seen_us INTEGER, probed INTEGER NOT NULL, answered INTEGER NOT NULL,
  uptime_24h REAL, uptime_7d REAL, uptime_30d REAL, uptime_all REAL);
CREATE TABLE IF NOT EXISTS availability_hourly(
  server TEXT NOT NULL, hour_us INTEGER NOT NULL, vantage_id TEXT NOT NULL,
  probed INTEGER NOT NULL, answered INTEGER NOT NULL,
  PRIMARY KEY(server, hour_us, vantage_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS server_hours(
  server TEXT NOT NULL, hour_us INTEGER NOT NULL, probed INTEGER NOT NULL,
  answered INTEGER NOT NULL, cum_probed INTEGER NOT NULL, cum_answered INTEGER NOT NULL,
  PRIMARY KEY(server, hour_us)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS server_values(
  server TEXT NOT NULL, attribute TEXT NOT NULL, campaign_id TEXT NOT NULL,
  round INTEGER NOT NULL, round_us INTEGER NOT NULL, current_json TEXT NOT NULL,
  previous_json TEXT NOT NULL, observation_id TEXT,
  PRIMARY KEY(server, attribute)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS server_changes(
  server TEXT NOT NULL, attribute TEXT NOT NULL, campaign_id TEXT NOT NULL,
  round INTEGER NOT NULL, changed_us INTEGER NOT NULL, old_value TEXT, new_value TEXT NOT NULL,
  observation_id TEXT, PRIMARY KEY(server, attribute, campaign_id, round)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS finding_history(
  finding_id TEXT NOT NULL, opened_us INTEGER NOT NULL, kind TEXT NOT NULL,
  server TEXT NOT NULL, target_id TEXT, vantage_id TEXT, opened_campaign TEXT NOT NULL,
  opened_round INTEGER NOT NULL, withdrawn_us INTEGER, withdrawn_campaign TEXT,
  withdrawn_round INTEGER, PRIMARY KEY(finding_id, opened_us)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS finding_history_open ON finding_history(finding_id)
  WHERE withdrawn_us IS NULL;
)sql";

// Behaviour clusters (aggregator/behaviour): analysis tables, replaced whole each pass.
constexpr const char* kV7 = R"sql(
CREATE TABLE IF NOT EXISTS behaviour_clusters(
  cluster_id TEXT PRIMARY KEY, servers INTEGER NOT NULL, members TEXT NOT NULL,
  mean_distance REAL NOT NULL, nearest_cluster TEXT, nearest_distance REAL,
  distinguishing_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS behaviour_members(
  server TEXT PRIMARY KEY, cluster_id TEXT NOT NULL, outlier INTEGER NOT NULL,
  cases INTEGER NOT NULL, nearest_cluster TEXT, nearest_distance REAL,
  differs_json TEXT NOT NULL, vector_json TEXT NOT NULL);
)sql";

// migrations[i] brings version i to i + 1.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {kV1, kV2, kV3, kV4, kV5, kV6, kV7};

}  // namespace

int schema_version(Database& db) {
  auto s = db.prepare("PRAGMA user_version");
  s.step();
  return static_cast<int>(s.i64(0));
}

void migrate(Database& db) {
  int version = schema_version(db);
  if (version > kSchemaVersion) {
    throw SqliteError(db.path() + ": schema version " + std::to_string(version) +
                      " is newer than this aggregator's " + std::to_string(kSchemaVersion));
  }
  for (; version < kSchemaVersion; ++version) {
    Transaction tx(db);
    db.exec(kMigrations[static_cast<std::size_t>(version)]);
    db.exec(("PRAGMA user_version = " + std::to_string(version + 1)).c_str());
    tx.commit();
  }
}

}  // namespace eo::aggregator::results
