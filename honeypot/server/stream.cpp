// One accepted client connection as a byte stream: plain TCP or TLS over it.
#include "honeypot/server/stream.h"

#include <boost/asio/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace eo::honeypot::server {

namespace asio = boost::asio;
using boost::system::error_code;

struct ServerStream::Tls {
  Tls(Socket socket, asio::ssl::context& context) : stream(std::move(socket), context) {}
  asio::ssl::stream<Socket> stream;
};

ServerStream::ServerStream(Socket socket) : plain_(std::move(socket)) {}

ServerStream::ServerStream(Socket socket, asio::ssl::context& tls_context)
    : plain_(socket.get_executor()), tls_(std::make_unique<Tls>(std::move(socket), tls_context)) {}

ServerStream::~ServerStream() = default;
ServerStream::ServerStream(ServerStream&&) noexcept = default;

ServerStream::Socket& ServerStream::socket() { return tls_ ? tls_->stream.next_layer() : plain_; }

ssl_st* ServerStream::native_ssl() { return tls_ ? tls_->stream.native_handle() : nullptr; }

asio::awaitable<error_code> ServerStream::handshake() {
  error_code ec;
  if (tls_) {
    co_await tls_->stream.async_handshake(asio::ssl::stream_base::server,
                                          asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return ec;
}

asio::awaitable<std::size_t> ServerStream::read_some(asio::mutable_buffer buffer,
                                                     error_code& error) {
  error = {};
  if (tls_) {
    co_return co_await tls_->stream.async_read_some(
        buffer, asio::redirect_error(asio::use_awaitable, error));
  }
  co_return co_await plain_.async_read_some(buffer,
                                            asio::redirect_error(asio::use_awaitable, error));
}

asio::awaitable<error_code> ServerStream::write_all(std::string_view bytes) {
  error_code ec;
  const auto buffer = asio::buffer(bytes.data(), bytes.size());
  if (tls_) {
    co_await asio::async_write(tls_->stream, buffer, asio::redirect_error(asio::use_awaitable, ec));
  } else {
    co_await asio::async_write(plain_, buffer, asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return ec;
}

std::size_t ServerStream::write_now(std::string_view bytes, error_code& error) {
  error = {};
  if (!plain_.non_blocking()) plain_.non_blocking(true, error);  // async operations unaffected
  if (error) return 0;
  const std::size_t sent = plain_.send(asio::buffer(bytes.data(), bytes.size()), 0, error);
  if (error == asio::error::would_block || error == asio::error::try_again) {
    error = {};
    return 0;
  }
  return sent;
}

void ServerStream::close() {
  error_code ignored;
  Socket& s = socket();
  if (!s.is_open()) return;
  s.shutdown(Socket::shutdown_both, ignored);
  s.close(ignored);
}

void ServerStream::reset() {
  error_code ignored;
  Socket& s = socket();
  if (!s.is_open()) return;
  s.set_option(asio::socket_base::linger(true, 0), ignored);
  s.close(ignored);
}

}  // namespace eo::honeypot::server
