// Operator clustering: which servers are run by one operator. Strong links (the same TLS
// certificate or public key, the same donation address, the same non-default banner, the same
// public IP) join servers outright (union-find). Weak links (the same behaviour fingerprint, the
// same ASN and /24 or /48, peers lists that point mostly at each other) are common among
// unrelated honest servers, so they join two servers only when at least two weak kinds agree on
// that pair; a single weak kind is kept as an annotation on the clusters it touches. Each cluster
// lists its evidence and names its outliers. Pure: rows and the inventory in, clusters out.
#pragma once

#include "aggregator/inventory/inventory.h"
#include "aggregator/results/rows.h"
#include "aggregator/results/sqlite.h"

#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace eo::aggregator::operators {

struct Options {
  std::size_t min_behaviour_facts = 3;  // fewer facts make every quiet server look alike
  double peer_share = 0.5;  // share of each one's peers that must be the other or its peers
};

// Servers that share something: a group for shared keys (a certificate among five servers), a
// pair for peer links and weak merges.
struct Link {
  std::string kind;  // certificate, spki, donation_address, banner, ip | behaviour, network, peers
  bool strong = false;
  bool merged = false;  // joined its servers (strong, or weak with enough kinds on the pair)
  std::string value;    // the shared thing (fingerprint, address, subnet, ...)
  std::vector<std::string> servers;  // sorted
  // The observations that showed the shared value, the first by id for each server that has one
  // (sorted). Addresses and networks come from the inventory and behaviour from many
  // observations: those links name none.
  std::vector<std::string> observations;

  bool operator==(const Link&) const = default;
};

struct Cluster {
  std::string id;  // the first member by name
  std::vector<std::string> members;
  std::vector<Link> evidence;  // merged links, then annotations
  // Members unlike the rest: "<server>: implementation fulcrum (cluster: electrumx)".
  std::vector<std::string> outliers;

  bool operator==(const Cluster&) const = default;
};

struct Clustering {
  std::vector<Cluster> clusters;                  // two or more members, by id
  std::map<std::string, std::string> cluster_of;  // every server; a lone server is its own
  std::map<std::string, std::string> behaviour;   // server -> behaviour fingerprint, when known
  // server -> the peers its latest metadata answer lists, and that observation's id (suspicion
  // reads them for Sybil peer lists).
  std::map<std::string, std::set<std::string>> peers;
  std::map<std::string, std::string> peers_observation;
};

Clustering cluster(std::span<const results::ObservationRow> rows,
                   const std::vector<inventory::Server>& servers, const Options& options = {});

// One group per server for inventory::concentration (dimension "operator_cluster").
std::vector<std::string> operator_groups(const Clustering& clustering,
                                         const std::vector<inventory::Server>& servers);

// Replaces the operator_clusters and operator_members tables.
void save_operators(results::Database& db, const Clustering& clustering);

}  // namespace eo::aggregator::operators
