// One accepted client connection as a byte stream: plain TCP or TLS over it, behind one small
// interface so that sessions do not care which. Errors come back as error codes, never thrown.
#pragma once

#include <utility>  // Boost 1.74's awaitable.hpp needs std::exchange declared first.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <string_view>

struct ssl_st;

namespace boost::asio::ssl {
class context;
}

namespace eo::honeypot::server {

class ServerStream {
 public:
  using Socket = boost::asio::ip::tcp::socket;

  explicit ServerStream(Socket socket);                                 // plain TCP
  ServerStream(Socket socket, boost::asio::ssl::context& tls_context);  // TLS
  ~ServerStream();
  ServerStream(ServerStream&&) noexcept;
  ServerStream& operator=(ServerStream&&) = delete;

  bool is_tls() const { return tls_ != nullptr; }
  Socket& socket();
  ssl_st* native_ssl();  // null for plain TCP

  // TLS: the server handshake; plain TCP: nothing to do.
  boost::asio::awaitable<boost::system::error_code> handshake();
  boost::asio::awaitable<std::size_t> read_some(boost::asio::mutable_buffer buffer,
                                                boost::system::error_code& error);
  boost::asio::awaitable<boost::system::error_code> write_all(std::string_view bytes);
  // Plain TCP only: sends what the socket buffer takes right now, without waiting; returns how
  // many bytes (0 when the buffer is full, which is not an error).
  std::size_t write_now(std::string_view bytes, boost::system::error_code& error);

  // Closes the socket; a pending read or write completes with operation_aborted.
  void close();
  // Closes with SO_LINGER 0: the peer sees a reset (Fulcrum's silent refusal of one more
  // connection from an IP at its limit).
  void reset();

 private:
  struct Tls;

  Socket plain_;
  std::unique_ptr<Tls> tls_;
};

}  // namespace eo::honeypot::server
