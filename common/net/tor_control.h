// Which exit relay carried a stream: a minimal client of Tor's control port (AUTHENTICATE,
// GETINFO stream-status / circuit-status / ns/id); its replies are parsed by tor_reply.h.
#pragma once

#include "common/net/connection.h"
#include "common/net/socks5.h"
#include "common/net/tor_reply.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eo::net {

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
  boost::asio::awaitable<std::optional<TorExit>> exit_for(std::string target,
                                                          std::optional<socks5::Credentials> socks);
  // The value lines of "GETINFO key" (single-line or data block); nullopt on any failure.
  boost::asio::awaitable<std::optional<std::vector<std::string>>> getinfo(std::string key);

 private:
  struct Reply {
    int status = 0;
    std::vector<std::string> lines;  // data lines, keyword lines included
  };
  boost::asio::awaitable<Reply> command(std::string line);

  Connection connection_;
  std::string buffer_;
};

}  // namespace eo::net
