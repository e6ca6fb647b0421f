// LineServer: acceptor loop plus small I/O helpers for test peers.
#include "tests/support/line_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <nlohmann/json.hpp>

namespace eo::test {

namespace asio = boost::asio;
using asio::ip::tcp;

LineServer::LineServer(Behaviour behaviour)
    : behaviour_(std::move(behaviour)),
      acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_loop(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

LineServer::~LineServer() {
  io_.stop();
  thread_.join();
}

asio::awaitable<void> LineServer::accept_loop() {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket =
        co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    ++connections_;
    asio::co_spawn(io_, behaviour_(std::move(socket)), asio::detached);
  }
}

asio::awaitable<std::string> read_line(tcp::socket& socket) {
  asio::streambuf buffer(1 << 20);
  boost::system::error_code ec;
  std::size_t n = co_await asio::async_read_until(socket, buffer, '\n',
                                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return std::string{};
  std::string line(asio::buffers_begin(buffer.data()), asio::buffers_begin(buffer.data()) + n);
  co_return line;
}

asio::awaitable<void> write_all(tcp::socket& socket, std::string bytes) {
  boost::system::error_code ec;
  co_await asio::async_write(socket, asio::buffer(bytes),
                             asio::redirect_error(asio::use_awaitable, ec));
}

Behaviour echo_electrum() {
  return [](tcp::socket socket) -> asio::awaitable<void> {
    for (;;) {
      std::string line = co_await read_line(socket);
      if (line.empty()) co_return;
      auto request = nlohmann::json::parse(line, nullptr, false);
      if (request.is_discarded() || !request.is_object()) co_return;
      nlohmann::json reply = {{"jsonrpc", "2.0"},
                              {"result", request.value("method", "")},
                              {"id", request.value("id", nlohmann::json())}};
      co_await write_all(socket, reply.dump() + "\n");
    }
  };
}

}  // namespace eo::test
