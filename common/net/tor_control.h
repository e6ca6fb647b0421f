// Which exit relay carried a stream: a minimal client of Tor's control port (AUTHENTICATE,
// GETINFO stream-status / circuit-status / ns/id) and the parsers of its replies.
#pragma once

#include "common/net/connection.h"
#include "common/net/socks5.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eo::net {

struct TorExit {
  std::string fingerprint;  // 40 hex, no '$'
  std::string nickname;
  std::string address;      // the relay's OR address (IP), from its consensus entry
};

// One line of GETINFO circuit-status: "ID STATUS PATH KEY=VALUE...", quoted values unescaped.
struct TorCircuit {
  std::string id;
  std::string status;
  std::vector<std::string> path;  // hops as "$FP~nick", first to last
  std::string purpose;            // GENERAL, CONFLUX_LINKED, HS_CLIENT_REND, ...
  std::optional<socks5::Credentials> socks;  // the isolating credentials of its streams
  std::string conflux_id;         // legs of one conflux set share it (and their exit)
};

class TorControl {
 public:
  explicit TorControl(boost::asio::any_io_executor executor) : connection_(std::move(executor)) {}

  // Connects and authenticates with the cookie file's bytes; with no path given, with the file
  // tor names in PROTOCOLINFO, or null authentication where tor allows it.
  boost::asio::awaitable<Failure> open(std::string host, std::uint16_t port,
                                       std::string cookie_file, milliseconds timeout);
  // The exit of our open stream to `target` ("host:port" as given to the SOCKS port): the stream
  // whose circuit carries `socks` (several streams may go to one target on circuits isolated by
  // credentials). Nullopt when tor does not say, and for onion streams, which have no exit.
  boost::asio::awaitable<std::optional<TorExit>> exit_for(
      std::string target, std::optional<socks5::Credentials> socks);
  // The value lines of "GETINFO key" (single-line or data block); nullopt on any failure.
  boost::asio::awaitable<std::optional<std::vector<std::string>>> getinfo(std::string key);

 private:
  struct Reply {
    int status = 0;
    std::vector<std::string> lines;  // data lines, keyword lines included
  };
  boost::asio::awaitable<Reply> command(std::string line);
  boost::asio::awaitable<std::optional<std::string>> read_line();

  Connection connection_;
  std::string buffer_;
};

// Parsers of GETINFO replies (their value lines); exposed for tests.
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
