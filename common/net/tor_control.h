// Which exit relay carried a stream: a minimal client of Tor's control port (AUTHENTICATE,
// GETINFO stream-status / circuit-status / ns/id) and the parsers of its replies.
#pragma once

#include "common/net/connection.h"

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

class TorControl {
 public:
  explicit TorControl(boost::asio::any_io_executor executor) : connection_(std::move(executor)) {}

  // Connects and authenticates with the cookie file's bytes (empty path: null authentication).
  boost::asio::awaitable<Failure> open(std::string host, std::uint16_t port,
                                       std::string cookie_file, milliseconds timeout);
  // The exit of the open stream to `target` ("host:port" as given to the SOCKS port).
  boost::asio::awaitable<std::optional<TorExit>> exit_for(std::string target);

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

// Parsers of GETINFO replies (their data lines); exposed for tests.
std::optional<std::string> circuit_of_stream(const std::vector<std::string>& stream_status,
                                             std::string_view target);
std::optional<TorExit> exit_of_circuit(const std::vector<std::string>& circuit_status,
                                       std::string_view circuit_id);
std::optional<std::string> address_of_router(const std::vector<std::string>& ns_entry);

}  // namespace eo::net
