// A private Tor network on loopback for a test (tests/support/tornet/tornet.sh: 3 authorities,
// 3 exits, a client, an onion service in front of the test's server), stopped when this goes out
// of scope; its tors also exit by themselves when the test process dies.
#pragma once

#include <map>
#include <string>

namespace eo::test {

class TorNetwork {
 public:
  // Builds and starts the network in `dir` (fresh) with its onion service leading to
  // 127.0.0.1:target_port; waits (at most ~2 min) until exit and onion streams work.
  TorNetwork(const std::string& dir, int target_port);
  ~TorNetwork();
  TorNetwork(const TorNetwork&) = delete;
  TorNetwork& operator=(const TorNetwork&) = delete;

  bool ready() const { return ready_; }
  // What the script printed on stderr (why it is not ready).
  const std::string& error() const { return error_; }
  // A value the script reported: SOCKS_PORT, CONTROL_PORT, CONTROL_COOKIE, ONION,
  // EXIT0_FINGERPRINT..EXIT2_FINGERPRINT, EXIT0_PID..EXIT2_PID, HS_PID, CLIENT_PID; "" if absent.
  std::string operator[](const std::string& key) const;
  int number(const std::string& key) const;

 private:
  std::string dir_;
  std::map<std::string, std::string> values_;
  std::string error_;
  bool ready_ = false;
};

}  // namespace eo::test
