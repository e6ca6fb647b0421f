// The server inventory: every server seen in the observations with its endpoints, addresses,
// country and ASN, claimed software and protocol range, TLS certificate, first and last time it
// answered, uptime over the rounds that probed it and reachability by vantage; then the
// centralization figures over the inventory. A server is a host name (or .onion); its targets are
// the host's ports and transports.
#pragma once

#include "aggregator/inventory/concentration.h"
#include "aggregator/results/rows.h"
#include "aggregator/results/sqlite.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace eo::aggregator::inventory {

struct Geo {
  std::string country;  // ISO 3166 alpha-2
  std::uint32_t asn = 0;
  std::string as_name;
};
// nullopt for an address the geo data does not cover (or no geo data at all).
using GeoLookup = std::function<std::optional<Geo>(const std::string& ip)>;

struct VantageReach {
  std::string vantage_id;
  std::uint64_t probed = 0;     // rounds in which this vantage probed the server
  std::uint64_t reachable = 0;  // ... and got an answer (ok or a JSON-RPC error)

  bool operator==(const VantageReach&) const = default;
};

struct Server {
  std::string server;  // lower-case host
  bool onion = false;
  std::vector<std::string> targets;     // target ids, sorted
  std::vector<std::string> addresses;   // IPs resolved or connected to, sorted
  std::string country = kUnknownGroup;  // "onion" for .onion servers
  std::uint32_t asn = 0;
  std::string as_name;
  std::string claimed_software;  // from the latest server.version claim, e.g. "ElectrumX"
  std::string claimed_version;   // "1.20.0"
  std::string implementation = kUnknownGroup;  // inferred from behaviour (fingerprint)
  std::string implementation_version;
  bool modified = false;
  std::string protocol_min;  // server.features, latest
  std::string protocol_max;
  std::string cert_sha256;  // TLS leaf, latest
  std::string spki_sha256;
  std::int64_t first_seen_us = 0;  // first and last answer; 0 when it never answered
  std::int64_t last_seen_us = 0;
  std::uint64_t rounds_probed = 0;  // (campaign, round) pairs with at least one probe
  std::uint64_t rounds_reachable = 0;
  double uptime = 0;                       // rounds_reachable / rounds_probed
  std::vector<VantageReach> reachability;  // by vantage id

  bool operator==(const Server&) const = default;
};

// One server per host, sorted by name. `geo` may be empty (no geo data: country "unknown").
std::vector<Server> build_inventory(std::span<const results::ObservationRow> rows,
                                    const GeoLookup& geo = {});

// "ElectrumX 1.20.0" -> {"ElectrumX", "1.20.0"}; "electrs/0.11.1" -> {"electrs", "0.11.1"}.
std::pair<std::string, std::string> split_software(const std::string& server_version);

// Shares by ASN, country, claimed software and inferred implementation.
std::vector<Concentration> centralization(const std::vector<Server>& servers);

// Replaces the servers, server_reachability, concentration and concentration_summary tables.
void save_inventory(results::Database& db, const std::vector<Server>& servers,
                    const std::vector<Concentration>& figures);

}  // namespace eo::aggregator::inventory
