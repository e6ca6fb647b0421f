// The honeypot process: a regtest chain (optionally funding our test wallets) or an upstream
// Electrum server to relay to, the recording Electrum server in front of it, events onto the bus
// (with age-based retention in the embedded log), until SIGINT or SIGTERM.
#pragma once

#include "honeypot/node/rpc_service.h"

#include <map>
#include <string>
#include <vector>

namespace eo::honeypot::app {

struct FundingSpec {
  std::string xpub;     // account-level extended public key (xpub/ypub/zpub/tpub/upub/vpub)
  std::string type;     // output type; empty: implied by the key's prefix
  unsigned count = 20;  // receiving addresses m/0/0 .. m/0/(count-1)
  std::vector<double> amounts_btc = {0.5};  // cycled over the addresses
};

struct HoneypotOptions {
  std::string config_file;       // YAML server + profile (honeypot/server/README.md)
  std::vector<std::string> tcp;  // HOST:PORT listeners
  std::vector<std::string> tls;  // HOST:PORT listeners (need cert and key)
  std::string cert_file;
  std::string key_file;
  std::string profile;  // base name (electrumx, fulcrum, electrs, eps) or file
  std::string honeypot_id = "honeypot";
  bool pseudonymize = false;
  std::string pseudonym_salt;
  std::vector<FundingSpec> funding;
  // HOST:PORT:t|s: relay every session to this Electrum server instead of the regtest chain
  // (which is then not created; excludes funding).
  std::string upstream;
  std::size_t upstream_max_outstanding = 64;  // per session
  // Embedded log only: events older than this many days are deleted (whole segments, at start
  // and daily). 0 keeps everything. With Kafka, retention is the topic's retention.ms.
  unsigned retention_days = 0;
  long mine_after_broadcast_ms = 1000;  // < 0: never
  long block_interval_s = 0;            // 0: no periodic blocks
  std::string kafka;
  std::map<std::string, std::string> kafka_properties;  // librdkafka settings for the cluster
  std::string data_dir = "observatory-data";
  std::string metrics_listen;
  std::string ready_file;  // written with the bound ports once listening
  // `observatory canary registry` output: requests for these script hashes also record a
  // CANARY_SIGHTING event (docs/canaries.md). Empty: none.
  std::string canary_registry_file;
  // Also serve the regtest chain over Bitcoin Core's JSON-RPC on node_rpc.listen, so a real
  // Electrum server can index the same chain. Empty listen: off.
  node::RpcServiceOptions node_rpc;
};

// Runs until a signal; returns the process exit status. Throws std::invalid_argument or
// std::runtime_error naming a bad setting at start-up.
int run_honeypot(const HoneypotOptions& options);

}  // namespace eo::honeypot::app
