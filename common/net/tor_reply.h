// The bytes Tor's control port sends back, parsed without I/O so that they can be tested and
// fuzzed alone: reply framing (control-spec §2.3) and the GETINFO / PROTOCOLINFO values the
// TorControl client reads (tor_control.h).
#pragma once

#include "common/net/socks5.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eo::net {

// Bounds on one reply: a longer line or more lines and the reply is malformed (a hostile or
// broken control port must not grow our memory).
inline constexpr std::size_t tor_max_line = 64 * 1024;
inline constexpr std::size_t tor_max_lines = 10'000;

// One reply assembled from CRLF lines: "250-..." mid lines, "250+key=" followed by a data block
// that ends with ".", and "250 ..." the end line that carries the status.
class TorReplyReader {
 public:
  enum class State { more, done, malformed };

  // Consumes whole lines from the front of `buffer`, leaving the bytes after the reply's end
  // line (the next reply's) in it. Once done or malformed, further calls change nothing.
  State read(std::string& buffer);

  State state() const { return state_; }
  int status() const { return status_; }  // the end line's code; 0 unless done
  // Each line without its "NNN-" prefix, data-block lines as sent.
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  State add(std::string_view line);

  State state_ = State::more;
  bool in_data_ = false;
  int status_ = 0;
  std::vector<std::string> lines_;
};

// The value lines of a GETINFO reply for `key`, whether single-line ("key=value") or a data
// block ("key=" then lines); "OK" and empty lines left out.
std::vector<std::string> getinfo_values(const std::vector<std::string>& lines,
                                        std::string_view key);

struct TorExit {
  std::string fingerprint;  // 40 hex, no '$'
  std::string nickname;
  std::string address;  // the relay's OR address (IP), from its consensus entry
};

// One line of GETINFO circuit-status: "ID STATUS PATH KEY=VALUE...", quoted values unescaped.
struct TorCircuit {
  std::string id;
  std::string status;
  std::vector<std::string> path;             // hops as "$FP~nick", first to last
  std::string purpose;                       // GENERAL, CONFLUX_LINKED, HS_CLIENT_REND, ...
  std::optional<socks5::Credentials> socks;  // the isolating credentials of its streams
  std::string conflux_id;                    // legs of one conflux set share it (and their exit)
};

std::optional<TorCircuit> parse_circuit(std::string_view line);
// The exit of the stream to `target` on the circuit isolated by `socks` (any such stream when
// nullopt). Tor 0.4.9 carries exit streams on conflux sets: the stream may sit on a leg that does
// not show the credentials, so a leg of the credentials' set counts too. Only GENERAL and
// CONFLUX_LINKED circuits end at an exit; a rendezvous circuit ends at the rendezvous point.
std::optional<TorExit> exit_of_stream(const std::vector<std::string>& stream_status,
                                      const std::vector<std::string>& circuit_status,
                                      std::string_view target,
                                      const std::optional<socks5::Credentials>& socks);
std::optional<std::string> address_of_router(const std::vector<std::string>& ns_entry);

// PROTOCOLINFO's AUTH line.
struct TorAuthMethods {
  bool null_allowed = false;
  std::optional<std::string> cookie_file;
};
TorAuthMethods auth_methods(const std::vector<std::string>& protocolinfo);

}  // namespace eo::net
