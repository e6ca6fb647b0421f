// What the history reads of one observation: the columns its tables need, nothing else.
#pragma once

#include <cstdint>
#include <string>

namespace eo::aggregator::history {

struct Seen {
  std::string observation_id;
  std::string campaign_id;
  std::int64_t round = 0;
  std::string server;  // lower-case host name, as the inventory names servers
  std::string vantage_id;
  std::int64_t started_us = 0;
  bool answered = false;  // outcome ok or rpc_error, as the inventory counts an answer
  std::string resolved_ips;
  std::string peer_ip;
  std::string server_version;
  std::string banner_sha256;
  std::string cert_sha256;
  std::string spki_sha256;
  std::string peers_json;  // the metadata result's "peers" member; empty for other probes
};

}  // namespace eo::aggregator::history
