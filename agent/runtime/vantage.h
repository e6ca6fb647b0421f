// A vantage as the agent serves it: where probes leave from (source address or Tor SOCKS port)
// and the labels that let the aggregator compare vantages.
#pragma once

#include "eo/v1/common.pb.h"

#include <cstdint>
#include <optional>
#include <string>

namespace eo::agent {

struct Vantage {
  std::string id;
  std::string region;
  std::string provider;
  bool tor = false;
  std::string bind_address;  // clearnet egress; empty: the OS chooses
  std::string socks_host;    // Tor (or any SOCKS5) proxy
  std::uint16_t socks_port = 0;
  // Fresh circuit per target and round: Tor isolates streams by SOCKS credentials.
  bool isolate_streams = true;
  // Tor's control port: when set, each observation records the exit relay of its stream.
  std::string tor_control_host;
  std::uint16_t tor_control_port = 0;
  std::string tor_cookie_file;  // empty: null authentication
  // Filled from the first connection and libloc when known.
  std::string egress_ip;
  std::uint32_t asn = 0;
  std::string country;
};

// The labels an observation and a coordinator registration carry (no Tor exit: per stream).
v1::Vantage to_proto(const Vantage& vantage);

}  // namespace eo::agent
