// One outbound byte stream to a possibly hostile peer: plain TCP, TLS over TCP, either through a
// SOCKS5 proxy, from a chosen local address. Every wait is bounded by a per-operation timeout and
// an absolute deadline; every failure comes back as a Failure value, never as an exception.
#pragma once

#include "common/net/failure.h"
#include "common/net/socks5.h"
#include "common/net/tls_inspect.h"
#include "common/net/watchdog.h"

#include <utility>  // Boost 1.74's awaitable.hpp needs std::exchange declared first.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eo::net {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct ProxyOptions {
  std::string host;
  std::uint16_t port = 9050;
  std::optional<socks5::Credentials> credentials;
};

struct TlsOptions {
  bool enabled = false;
  bool send_sni = true;
  std::string min_version;  // "TLSv1.2", "TLSv1.3" or empty for the library default
};

struct ConnectOptions {
  std::string host;
  std::uint16_t port = 0;
  std::optional<ProxyOptions> proxy;
  std::string bind_address;  // the vantage's egress address; empty binds to any
  TlsOptions tls;
  milliseconds connect_timeout{10'000};
  milliseconds tls_timeout{10'000};
  milliseconds io_timeout{10'000};  // one read or write
  Clock::time_point deadline = Clock::time_point::max();
};

struct ConnectTimings {
  std::chrono::microseconds dns{0};
  std::chrono::microseconds connect{0};
  std::chrono::microseconds proxy{0};
  std::chrono::microseconds tls{0};
};

class Connection {
 public:
  explicit Connection(boost::asio::any_io_executor executor);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Resolves (unless proxied), binds, connects, runs the SOCKS5 and TLS handshakes.
  boost::asio::awaitable<Failure> connect(ConnectOptions options);

  // Reads at most buffer.size() bytes. Returns 0 and sets `failure` on timeout, close or error.
  // The bytes land in `buffer` only in the step that returns (nothing else runs on the executor
  // in between), so the connections of one thread may share one read buffer.
  boost::asio::awaitable<std::size_t> read_some(std::span<char> buffer, Failure& failure);
  boost::asio::awaitable<Failure> write_all(std::string_view bytes);

  void close();

  const ConnectTimings& timings() const { return timings_; }
  const std::optional<TlsReport>& tls() const { return tls_report_; }
  const std::vector<std::string>& resolved_addresses() const { return resolved_; }
  const std::string& peer_address() const { return peer_address_; }
  const std::string& local_address() const { return local_address_; }

 private:
  struct TlsLayer;

  boost::asio::awaitable<Failure> resolve_and_connect(std::string_view host, std::uint16_t port);
  boost::asio::awaitable<Failure> socks5_handshake(const ProxyOptions& proxy);
  boost::asio::awaitable<Failure> tls_handshake();
  boost::asio::awaitable<Failure> raw_write(const void* data, std::size_t size, Stage stage);
  boost::asio::awaitable<Failure> raw_read_exact(void* data, std::size_t size, Stage stage);

  // The end of a wait that starts now: the earlier of now + timeout and the deadline; nullopt
  // (and timed_out_ set) when the deadline has already passed.
  std::optional<Clock::time_point> wait_end(milliseconds timeout);
  // Bounds one wait through the context's shared Watchdog; a past `until` expires at once.
  void arm(Clock::time_point until);
  void disarm();
  // Waits until the socket is readable (or writable); the error is set on timeout or close.
  boost::asio::awaitable<void> wait_socket(bool readable, Clock::time_point until,
                                           boost::system::error_code& ec);
  // SSL_connect or SSL_write until done, waiting on the socket as OpenSSL asks.
  boost::asio::awaitable<boost::system::error_code> tls_call(bool handshake, std::string_view bytes,
                                                             Clock::time_point until);

  ConnectOptions options_;
  boost::asio::ip::tcp::socket socket_;
  Watchdog& watchdog_;
  Watchdog::Wait wait_;
  bool timed_out_ = false;
  bool maybe_more_ = false;  // the last plain read filled its buffer: more may be waiting
  std::unique_ptr<TlsLayer> tls_;
  std::optional<TlsReport> tls_report_;
  ConnectTimings timings_;
  std::vector<std::string> resolved_;
  std::string peer_address_;
  std::string local_address_;
};

}  // namespace eo::net
