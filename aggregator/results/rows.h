// The rows of the results database, as plain values: what ingest writes and the analyses read.
// One ObservationRow per eo.v1.Observation (its envelope flattened, plus columns derived from the
// probe's result so that analyses and SQL users need not parse JSON), one EventRow per
// eo.v1.HoneypotEvent, one MalformedRecord per bus record that could not be decoded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace eo::aggregator::results {

struct ObservationRow {
  std::string observation_id;  // primary key: a redelivered or replayed observation is ignored
  std::string campaign_id;
  std::int64_t round = 0;
  std::string task_id;
  std::string agent_id;

  std::string target_id;  // "<transport>://<host>:<port>"
  std::string target_host;
  std::int64_t target_port = 0;
  std::string transport;  // "tcp" | "tls"
  bool onion = false;
  std::string resolved_ips;  // comma-separated, as the target carried them

  std::string vantage_id;
  std::string vantage_class;  // the coordinator's "region=..,network=..[,provider=..]"
  std::string vantage_region;
  std::string vantage_provider;
  std::string vantage_network;  // "clearnet" | "tor" | "unspecified"
  std::string vantage_egress_ip;
  std::int64_t vantage_asn = 0;
  std::string vantage_country;
  std::string tor_exit;  // the exit relay's fingerprint, when known

  std::string probe_name;
  std::int64_t probe_version = 0;
  std::string client_profile;
  std::string client_name;
  std::int64_t started_us = 0;

  std::string outcome;  // "ok", "timeout", ... (eo.v1.Outcome without its prefix, lower case)
  std::string failure;
  std::optional<std::int64_t> error_code;
  std::string error_message;
  std::int64_t dns_us = 0;
  std::int64_t connect_us = 0;
  std::int64_t tls_us = 0;
  std::int64_t first_byte_us = 0;
  std::int64_t total_us = 0;
  std::string peer_ip;  // the address actually connected to (empty over SOCKS5: it is the proxy)

  // Derived from the probe's result; empty / nullopt when the probe does not tell.
  std::string server_version;  // what server.version claims, e.g. "ElectrumX 1.20.0"
  std::string protocol;        // the negotiated protocol version
  std::string protocol_min;    // server.features
  std::string protocol_max;
  std::string banner_sha256;
  std::string donation_address;
  std::string feature_keys;  // sorted, comma-separated
  std::string genesis_hash;
  std::string cert_sha256;  // TLS leaf
  std::string spki_sha256;
  std::string cert_subject;
  std::string cert_issuer;
  std::optional<std::int64_t> cert_not_after;
  std::string tls_version;
  std::string content_sha256;  // the result with volatile fields removed (see normalize.h)
  std::optional<std::int64_t> ramp_throttled;  // rate_limit_ramp: 0 | 1
  std::optional<std::int64_t> ramp_threshold;  // requests answered before the first throttle
  std::string ramp_kind;                       // "error" | "disconnect" | "slowdown"

  std::string result_json;  // the probe's result as the agent wrote it

  bool operator==(const ObservationRow&) const = default;
};

struct EventRow {
  std::string event_id;  // primary key
  std::string honeypot_id;
  std::string session_id;
  std::string kind;  // "connect", "request", ... (eo.v1.HoneypotEventKind, lower case)
  std::int64_t time_us = 0;
  std::string peer_ip;
  std::int64_t peer_port = 0;
  std::string peer_pseudonym;
  std::string local_address;
  std::string transport;
  std::string tls_fingerprint;
  std::string client_name;
  std::string protocol_min;
  std::string protocol_max;
  std::string method;
  std::string params_json;
  std::string scripthashes;  // JSON array
  std::string txid;
  std::int64_t latency_us = 0;
  std::string profile;
  std::string action;

  bool operator==(const EventRow&) const = default;
};

// A record that is not a decodable message of its topic; kept (bounded) for inspection. Having no
// id, it is identified by the hash of its bytes, so a redelivery or a replay is recorded once;
// the position is where it was first seen.
struct MalformedRecord {
  std::string topic;
  std::string sha256;  // of the whole value
  std::int64_t partition = 0;
  std::int64_t offset = 0;
  std::string key;
  std::string reason;
  std::int64_t size = 0;
  std::string head;  // the first kMalformedHeadBytes bytes

  bool operator==(const MalformedRecord&) const = default;
};

inline constexpr std::size_t kMalformedHeadBytes = 4096;

}  // namespace eo::aggregator::results
