// Connection: the sequence DNS -> bind -> connect -> SOCKS5 -> TLS, each step timed and bounded.
#include "common/net/connection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <map>
#include <mutex>

namespace eo::net {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;
using std::chrono::duration_cast;
using std::chrono::microseconds;

namespace {

int tls_version_code(std::string_view name) {
  if (name == "TLSv1.2") return TLS1_2_VERSION;
  if (name == "TLSv1.3") return TLS1_3_VERSION;
  if (name == "TLSv1.1") return TLS1_1_VERSION;
  return 0;
}

// Client contexts are costly to build (cipher lists, defaults); one per minimum version, shared.
// Verification is off on purpose: inspect_tls judges the chain after capturing it.
ssl::context& client_context(std::string_view min_version) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<ssl::context>, std::less<>> contexts;
  std::lock_guard lock(mutex);
  auto it = contexts.find(min_version);
  if (it != contexts.end()) return *it->second;
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  context->set_verify_mode(ssl::verify_none);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  if (int version = tls_version_code(min_version)) SSL_CTX_set_min_proto_version(native, version);
  return *contexts.emplace(std::string(min_version), std::move(context)).first->second;
}

bool is_onion(std::string_view host) {
  return host.size() > 6 && host.substr(host.size() - 6) == ".onion";
}

microseconds since(Clock::time_point start) {
  return duration_cast<microseconds>(Clock::now() - start);
}

std::string endpoint_string(const tcp::endpoint& endpoint) {
  error_code ec;
  auto address = endpoint.address().to_string(ec);
  if (endpoint.address().is_v6()) address = "[" + address + "]";
  return address + ":" + std::to_string(endpoint.port());
}

}  // namespace

struct Connection::TlsLayer {
  TlsLayer(tcp::socket& socket, ssl::context& context) : stream(socket, context) {}
  ssl::stream<tcp::socket&> stream;
};

Connection::Connection(asio::any_io_executor executor)
    : socket_(executor), watchdog_(executor) {}

Connection::~Connection() = default;

bool Connection::arm(milliseconds timeout) {
  auto now = Clock::now();
  if (now >= options_.deadline) {
    timed_out_ = true;
    return false;
  }
  auto left = duration_cast<milliseconds>(options_.deadline - now);
  watchdog_.expires_after(std::min(timeout, left));
  timed_out_ = false;
  // The handler may run after this Connection is gone, but only with an error (the timer's
  // destructor cancels it), and then it touches nothing.
  watchdog_.async_wait([this, generation = ++watchdog_generation_](const error_code& ec) {
    if (ec || generation != watchdog_generation_) return;
    timed_out_ = true;
    error_code ignored;
    socket_.cancel(ignored);
  });
  return true;
}

void Connection::disarm() {
  ++watchdog_generation_;
  watchdog_.cancel();
}

asio::awaitable<Failure> Connection::connect(ConnectOptions options) {
  options_ = std::move(options);
  if (options_.proxy) {
    if (Failure f = co_await resolve_and_connect(options_.proxy->host, options_.proxy->port);
        !f.ok()) {
      co_return f;
    }
    if (Failure f = co_await socks5_handshake(*options_.proxy); !f.ok()) co_return f;
  } else {
    if (is_onion(options_.host)) {
      co_return make_failure(Outcome::dns_error, Stage::dns, "onion_without_proxy");
    }
    if (Failure f = co_await resolve_and_connect(options_.host, options_.port); !f.ok()) {
      co_return f;
    }
  }
  if (options_.tls.enabled) co_return co_await tls_handshake();
  co_return Failure{};
}

asio::awaitable<Failure> Connection::resolve_and_connect(std::string_view host,
                                                         std::uint16_t port) {
  std::vector<tcp::endpoint> endpoints;
  error_code ec;
  auto literal = asio::ip::make_address(std::string(host), ec);
  if (!ec) {
    endpoints.emplace_back(literal, port);
  } else {
    auto start = Clock::now();
    tcp::resolver resolver(socket_.get_executor());
    if (!arm(options_.connect_timeout)) {
      co_return make_failure(Outcome::timeout, Stage::dns, "generic_timeout_error");
    }
    // The resolver is not the socket: the watchdog cancels the socket, so cancel the resolver
    // from a second timer bound to the same deadline.
    asio::steady_timer resolve_timer(socket_.get_executor(), watchdog_.expiry());
    resolve_timer.async_wait([&resolver](const error_code& e) {
      if (!e) resolver.cancel();
    });
    auto results = co_await resolver.async_resolve(std::string(host), std::to_string(port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
    bool expired = resolve_timer.expiry() <= Clock::now();
    resolve_timer.cancel();
    disarm();
    timings_.dns = since(start);
    if (ec) co_return classify(ec, Stage::dns, expired && ec == asio::error::operation_aborted);
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }
  for (const auto& endpoint : endpoints) resolved_.push_back(endpoint.address().to_string());

  Failure last = make_failure(Outcome::dns_error, Stage::dns, "dns_no_answer");
  auto start = Clock::now();
  for (const auto& endpoint : endpoints) {
    error_code ignored;
    socket_.close(ignored);
    socket_.open(endpoint.protocol(), ec);
    if (ec) {
      last = classify(ec, Stage::connect, false);
      continue;
    }
    socket_.set_option(tcp::no_delay(true), ignored);
    if (!options_.bind_address.empty()) {
      auto local = asio::ip::make_address(options_.bind_address, ec);
      if (!ec) socket_.bind(tcp::endpoint(local, 0), ec);
      if (ec) {
        last = make_failure(Outcome::unreachable, Stage::connect,
                            "bind_failed: " + options_.bind_address + ": " + ec.message());
        continue;
      }
    }
    if (!arm(options_.connect_timeout)) {
      last = make_failure(Outcome::timeout, Stage::connect, "generic_timeout_error");
      break;
    }
    co_await socket_.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
    disarm();
    if (!ec) {
      timings_.connect = since(start);
      peer_address_ = endpoint_string(endpoint);
      local_address_ = endpoint_string(socket_.local_endpoint(ignored));
      co_return Failure{};
    }
    last = classify(ec, Stage::connect, timed_out_);
    if (timed_out_ && Clock::now() >= options_.deadline) break;
  }
  timings_.connect = since(start);
  co_return last;
}

asio::awaitable<Failure> Connection::raw_write(const void* data, std::size_t size, Stage stage) {
  if (!arm(options_.io_timeout)) {
    co_return make_failure(Outcome::timeout, stage, "generic_timeout_error");
  }
  error_code ec;
  co_await asio::async_write(socket_, asio::buffer(data, size),
                             asio::redirect_error(asio::use_awaitable, ec));
  disarm();
  co_return classify(ec, stage, timed_out_);
}

asio::awaitable<Failure> Connection::raw_read_exact(void* data, std::size_t size, Stage stage) {
  if (!arm(options_.io_timeout)) {
    co_return make_failure(Outcome::timeout, stage, "generic_timeout_error");
  }
  error_code ec;
  co_await asio::async_read(socket_, asio::buffer(data, size),
                            asio::redirect_error(asio::use_awaitable, ec));
  disarm();
  co_return classify(ec, stage, timed_out_);
}

asio::awaitable<Failure> Connection::socks5_handshake(const ProxyOptions& proxy) {
  auto start = Clock::now();
  auto proxy_failure = [](std::string reason) {
    return make_failure(Outcome::proxy_error, Stage::proxy, reason);
  };
  auto greeting = socks5::encode_greeting(proxy.credentials.has_value());
  if (Failure f = co_await raw_write(greeting.data(), greeting.size(), Stage::proxy); !f.ok()) {
    co_return f;
  }
  std::uint8_t choice[2];
  if (Failure f = co_await raw_read_exact(choice, 2, Stage::proxy); !f.ok()) co_return f;
  if (choice[0] != 5 || choice[1] != greeting[2]) {
    co_return proxy_failure("socks5_no_acceptable_method");
  }
  if (proxy.credentials) {
    auto auth = socks5::encode_auth(*proxy.credentials);
    if (!auth) co_return proxy_failure("socks5_credentials_too_long");
    if (Failure f = co_await raw_write(auth->data(), auth->size(), Stage::proxy); !f.ok()) {
      co_return f;
    }
    std::uint8_t status[2];
    if (Failure f = co_await raw_read_exact(status, 2, Stage::proxy); !f.ok()) co_return f;
    if (status[1] != 0) co_return proxy_failure("socks5_auth_rejected");
  }
  auto request = socks5::encode_connect(options_.host, options_.port);
  if (!request) co_return proxy_failure("socks5_bad_target_name");
  if (Failure f = co_await raw_write(request->data(), request->size(), Stage::proxy); !f.ok()) {
    co_return f;
  }
  // Tor may take minutes to build a circuit: the connect timeout, not the I/O one, applies.
  std::uint8_t reply[4 + 255 + 2 + 1];
  auto saved_io_timeout = options_.io_timeout;
  options_.io_timeout = options_.connect_timeout;
  Failure head = co_await raw_read_exact(reply, 5, Stage::proxy);
  options_.io_timeout = saved_io_timeout;
  if (!head.ok()) co_return head;
  auto length = socks5::connect_reply_length(reply);
  if (!length) co_return proxy_failure("socks5_malformed_reply");
  if (Failure f = co_await raw_read_exact(reply + 5, *length - 5, Stage::proxy); !f.ok()) {
    co_return f;
  }
  timings_.proxy = since(start);
  switch (static_cast<socks5::Reply>(reply[1])) {
    case socks5::Reply::succeeded: co_return Failure{};
    case socks5::Reply::connection_refused:
      co_return make_failure(Outcome::refused, Stage::proxy, socks5::reply_name(reply[1]));
    case socks5::Reply::network_unreachable:
    case socks5::Reply::host_unreachable:
      co_return make_failure(Outcome::unreachable, Stage::proxy, socks5::reply_name(reply[1]));
    case socks5::Reply::ttl_expired:
      co_return make_failure(Outcome::timeout, Stage::proxy, socks5::reply_name(reply[1]));
    default: co_return proxy_failure(std::string(socks5::reply_name(reply[1])));
  }
}

asio::awaitable<Failure> Connection::tls_handshake() {
  auto start = Clock::now();
  tls_ = std::make_unique<TlsLayer>(socket_, client_context(options_.tls.min_version));
  SSL* native = tls_->stream.native_handle();
  error_code ec;
  bool literal = !asio::ip::make_address(options_.host, ec).is_unspecified() && !ec;
  if (options_.tls.send_sni && !literal) SSL_set_tlsext_host_name(native, options_.host.c_str());
  if (!arm(options_.tls_timeout)) {
    co_return make_failure(Outcome::timeout, Stage::tls_handshake, "generic_timeout_error");
  }
  co_await tls_->stream.async_handshake(ssl::stream_base::client,
                                        asio::redirect_error(asio::use_awaitable, ec));
  disarm();
  timings_.tls = since(start);
  if (ec) co_return classify(ec, Stage::tls_handshake, timed_out_);
  tls_report_ = inspect_tls(native, options_.host);
  co_return Failure{};
}

asio::awaitable<std::size_t> Connection::read_some(std::span<char> buffer, Failure& failure) {
  if (!arm(options_.io_timeout)) {
    failure = make_failure(Outcome::timeout, Stage::read, "generic_timeout_error");
    co_return 0;
  }
  error_code ec;
  std::size_t n = 0;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  if (tls_) {
    n = co_await tls_->stream.async_read_some(asio::buffer(buffer.data(), buffer.size()), token);
  } else {
    n = co_await socket_.async_read_some(asio::buffer(buffer.data(), buffer.size()), token);
  }
  disarm();
  failure = classify(ec, Stage::read, timed_out_);
  co_return failure.ok() ? n : 0;
}

asio::awaitable<Failure> Connection::write_all(std::string_view bytes) {
  if (!tls_) co_return co_await raw_write(bytes.data(), bytes.size(), Stage::write);
  if (!arm(options_.io_timeout)) {
    co_return make_failure(Outcome::timeout, Stage::write, "generic_timeout_error");
  }
  error_code ec;
  co_await asio::async_write(tls_->stream, asio::buffer(bytes.data(), bytes.size()),
                             asio::redirect_error(asio::use_awaitable, ec));
  disarm();
  co_return classify(ec, Stage::write, timed_out_);
}

void Connection::close() {
  disarm();
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace eo::net
