// Hostile peer behaviours for LineServer.
#include "tests/support/hostile_peers.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <random>

namespace eo::test::hostile {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string honest_reply(long id) {
  return R"({"jsonrpc":"2.0","result":["ElectrumX 1.16.0","1.4"],"id":)" + std::to_string(id) +
         "}\n";
}

Behaviour endless_line() {
  return [](tcp::socket socket) -> asio::awaitable<void> {
    std::string chunk(64 * 1024, 'a');
    chunk.front() = '"';
    for (;;) {
      boost::system::error_code ec;
      co_await asio::async_write(socket, asio::buffer(chunk),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      chunk.front() = 'a';
    }
  };
}

Behaviour invalid_utf8_reply() {
  return [](tcp::socket socket) -> asio::awaitable<void> {
    co_await read_line(socket);
    co_await write_all(socket, "{\"jsonrpc\":\"2.0\",\"result\":\"\xff\xfe\xc0\",\"id\":0}\n");
    co_await read_line(socket);
  };
}

Behaviour garbage() {
  return [](tcp::socket socket) -> asio::awaitable<void> {
    std::mt19937 random(42);
    std::string bytes(4096, '\0');
    for (auto& b : bytes) b = static_cast<char>(random());
    co_await write_all(socket, bytes);
    co_await read_line(socket);
  };
}

Behaviour slow_drip(std::chrono::milliseconds interval) {
  return [interval](tcp::socket socket) -> asio::awaitable<void> {
    co_await read_line(socket);
    std::string reply = honest_reply(0);
    asio::steady_timer timer(socket.get_executor());
    for (char c : reply) {
      boost::system::error_code ec;
      co_await asio::async_write(socket, asio::buffer(&c, 1),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      timer.expires_after(interval);
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  };
}

Behaviour reset_mid_reply() {
  return [](tcp::socket socket) -> asio::awaitable<void> {
    co_await read_line(socket);
    std::string reply = honest_reply(0);
    co_await write_all(socket, reply.substr(0, reply.size() / 2));
    boost::system::error_code ec;
    socket.set_option(asio::socket_base::linger(true, 0), ec);
    socket.close(ec);
  };
}

Behaviour close_mid_reply() {
  return [](tcp::socket socket) -> asio::awaitable<void> {
    co_await read_line(socket);
    std::string reply = honest_reply(0);
    co_await write_all(socket, reply.substr(0, reply.size() / 2));
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_send, ec);
    co_await read_line(socket);
  };
}

Behaviour notification_flood(int count) {
  return [count](tcp::socket socket) -> asio::awaitable<void> {
    co_await read_line(socket);
    std::string flood;
    for (int i = 0; i < count; ++i) {
      flood += R"({"jsonrpc":"2.0","method":"blockchain.headers.subscribe","params":[{"height":)" +
               std::to_string(i) + "}]}\n";
    }
    co_await write_all(socket, flood + honest_reply(0));
    co_await read_line(socket);
  };
}

Behaviour silent() {
  return [](tcp::socket socket) -> asio::awaitable<void> {
    co_await read_line(socket);
    co_await read_line(socket);
  };
}

}  // namespace eo::test::hostile
