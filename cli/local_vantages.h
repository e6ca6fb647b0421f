// The vantages `observatory local` runs from: clearnet from this machine, and Tor when a SOCKS
// port answers (with the control port, when given, to record each stream's exit).
#pragma once

#include "agent/runtime/vantage.h"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace eo::cli {

// "host:port" or "[v6]:port"; throws std::invalid_argument naming `option` otherwise.
std::pair<std::string, std::string> split_host_port(const std::string& text,
                                                    const std::string& option = "--tor-socks");
// Whether something accepts TCP connections at host:port within `timeout` (how a Tor SOCKS port
// is detected; it is not spoken to).
bool tcp_reachable(const std::string& host_port, std::chrono::milliseconds timeout);

struct TorAccess {
  std::string socks;    // host:port
  std::string control;  // host:port, or empty: exits are not recorded
  std::string cookie;   // empty: the file tor names (PROTOCOLINFO)
};

// "clearnet" (region local), plus "tor" when `tor` is set.
std::vector<agent::Vantage> local_vantages(bool tor, const TorAccess& access);

}  // namespace eo::cli
