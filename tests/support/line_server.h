// An in-process loopback TCP server on its own thread whose per-connection behaviour is a
// coroutine chosen by the test: an honest Electrum responder or a hostile peer.
#pragma once

#include <utility>  // Boost 1.74's awaitable.hpp needs std::exchange declared first.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <functional>
#include <thread>

namespace eo::test {

using Behaviour = std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket)>;

class LineServer {
 public:
  explicit LineServer(Behaviour behaviour);
  ~LineServer();

  int port() const { return port_; }
  int connections() const { return connections_.load(); }

 private:
  boost::asio::awaitable<void> accept_loop();

  Behaviour behaviour_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// Reads one '\n'-terminated line (at most 1 MiB); empty on close or error.
boost::asio::awaitable<std::string> read_line(boost::asio::ip::tcp::socket& socket);
// Writes all bytes, ignoring errors (the peer may be gone, which is the point of some tests).
boost::asio::awaitable<void> write_all(boost::asio::ip::tcp::socket& socket, std::string bytes);

// Answers every request line with an ElectrumX-style result echoing the method name.
Behaviour echo_electrum();

}  // namespace eo::test
