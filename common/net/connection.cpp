// Connection: the sequence DNS -> bind -> connect -> SOCKS5 -> TLS, each step timed and bounded.
#include "common/net/connection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <cstdint>
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
// Verification is off on purpose: inspect_tls judges the chain after capturing it. Idle sessions
// give their record buffers back (SSL_MODE_RELEASE_BUFFERS): most held sessions are idle.
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

// What asio::ssl::stream reported for the same OpenSSL failure, so classify() reads it alike:
// a clean close_notify is eof, a close without one stream_truncated, a socket error its errno.
error_code tls_error(int ssl_error, unsigned long queued, int sys_errno) {
  if (ssl_error == SSL_ERROR_ZERO_RETURN) return asio::error::eof;
  if (ssl_error == SSL_ERROR_SYSCALL && queued == 0) {
    if (sys_errno != 0) return error_code(sys_errno, boost::system::system_category());
    return ssl::error::stream_truncated;
  }
  if (ERR_GET_REASON(queued) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
    return ssl::error::stream_truncated;
  }
  if (queued == 0) return ssl::error::unspecified_system_error;
  return error_code(static_cast<int>(queued), asio::error::get_ssl_category());
}

// So that ERR_get_error after a failed call reads that call's error. ERR_clear_error wipes all 16
// slots of the thread's queue each time: peek first, the queue is nearly always empty.
void clear_tls_errors() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

int clamp_int(std::size_t size) { return static_cast<int>(std::min<std::size_t>(size, INT_MAX)); }

// OpenSSL's socket BIO writes with write(2), which raises SIGPIPE when a peer has reset the
// connection (a hostile one may do so at will); this one sends with MSG_NOSIGNAL, as Asio does.
int descriptor_of(BIO* bio) {
  return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
}

bool would_block(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == EINTR; }

int socket_bio_write(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  auto n = ::send(descriptor_of(bio), data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  if (n < 0 && would_block(errno)) BIO_set_retry_write(bio);
  return static_cast<int>(n);
}

int socket_bio_read(BIO* bio, char* data, int size) {
  BIO_clear_retry_flags(bio);
  auto n = ::recv(descriptor_of(bio), data, static_cast<std::size_t>(size), 0);
  if (n < 0 && would_block(errno)) BIO_set_retry_read(bio);
  return static_cast<int>(n);
}

long socket_bio_ctrl(BIO*, int command, long, void*) { return command == BIO_CTRL_FLUSH ? 1 : 0; }

int socket_bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO* new_socket_bio(int descriptor) {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "eo socket");
    BIO_meth_set_write(m, socket_bio_write);
    BIO_meth_set_read(m, socket_bio_read);
    BIO_meth_set_ctrl(m, socket_bio_ctrl);
    BIO_meth_set_create(m, socket_bio_create);
    return m;
  }();
  BIO* bio = BIO_new(method);
  if (bio != nullptr) {
    BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(descriptor)));
  }
  return bio;
}

}  // namespace

// OpenSSL reads and writes the socket itself (through the BIO above) instead of through
// asio::ssl::stream's BIO pair: no 2 x 17 KiB of stream buffers per session, no copy of each record
// between buffers, and with read-ahead one recv per record rather than one for its header and one
// for its body.
struct Connection::TlsLayer {
  explicit TlsLayer(SSL* ssl) : ssl(ssl) {}
  ~TlsLayer() { SSL_free(ssl); }
  TlsLayer(const TlsLayer&) = delete;
  TlsLayer& operator=(const TlsLayer&) = delete;
  SSL* ssl;
};

Connection::Connection(asio::any_io_executor executor)
    : socket_(executor), watchdog_(Watchdog::of(socket_.get_executor())) {
  wait_.owner = this;
  wait_.expire = [](void* owner) {
    auto* self = static_cast<Connection*>(owner);
    self->timed_out_ = true;
    error_code ignored;
    self->socket_.cancel(ignored);
  };
}

Connection::~Connection() { watchdog_.finish(wait_); }

std::optional<Clock::time_point> Connection::wait_end(milliseconds timeout) {
  auto now = Clock::now();
  if (now >= options_.deadline) {
    timed_out_ = true;
    return std::nullopt;
  }
  timed_out_ = false;
  return options_.deadline - now > timeout ? now + timeout : options_.deadline;
}

void Connection::arm(Clock::time_point until) { watchdog_.start(wait_, until); }

void Connection::disarm() { watchdog_.finish(wait_); }

asio::awaitable<void> Connection::wait_socket(bool readable, Clock::time_point until,
                                              error_code& ec) {
  arm(until);
  co_await socket_.async_wait(readable ? tcp::socket::wait_read : tcp::socket::wait_write,
                              asio::redirect_error(asio::use_awaitable, ec));
  disarm();
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
    auto until = wait_end(options_.connect_timeout);
    if (!until) co_return make_failure(Outcome::timeout, Stage::dns, "generic_timeout_error");
    arm(*until);
    // The resolver is not the socket: the watchdog cancels the socket, so cancel the resolver
    // from a second timer bound to the same deadline.
    asio::steady_timer resolve_timer(socket_.get_executor(), *until);
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
    auto until = wait_end(options_.connect_timeout);
    if (!until) {
      last = make_failure(Outcome::timeout, Stage::connect, "generic_timeout_error");
      break;
    }
    arm(*until);
    co_await socket_.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
    disarm();
    if (!ec) {
      // Reads and writes are tried directly (see read_some) and OpenSSL uses the descriptor.
      socket_.non_blocking(true, ignored);
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
  auto until = wait_end(options_.io_timeout);
  if (!until) co_return make_failure(Outcome::timeout, stage, "generic_timeout_error");
  arm(*until);
  error_code ec;
  co_await asio::async_write(socket_, asio::buffer(data, size),
                             asio::redirect_error(asio::use_awaitable, ec));
  disarm();
  co_return classify(ec, stage, timed_out_);
}

asio::awaitable<Failure> Connection::raw_read_exact(void* data, std::size_t size, Stage stage) {
  auto until = wait_end(options_.io_timeout);
  if (!until) co_return make_failure(Outcome::timeout, stage, "generic_timeout_error");
  arm(*until);
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
    case socks5::Reply::succeeded:
      co_return Failure{};
    case socks5::Reply::connection_refused:
      co_return make_failure(Outcome::refused, Stage::proxy, socks5::reply_name(reply[1]));
    case socks5::Reply::network_unreachable:
    case socks5::Reply::host_unreachable:
      co_return make_failure(Outcome::unreachable, Stage::proxy, socks5::reply_name(reply[1]));
    case socks5::Reply::ttl_expired:
      co_return make_failure(Outcome::timeout, Stage::proxy, socks5::reply_name(reply[1]));
    default:
      co_return proxy_failure(std::string(socks5::reply_name(reply[1])));
  }
}

asio::awaitable<Failure> Connection::tls_handshake() {
  auto start = Clock::now();
  SSL* native = SSL_new(client_context(options_.tls.min_version).native_handle());
  if (native == nullptr) {
    co_return make_failure(Outcome::tls_error, Stage::tls_handshake, "ssl_error: SSL_new failed");
  }
  tls_ = std::make_unique<TlsLayer>(native);
  SSL_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  SSL_set_read_ahead(native, 1);
  BIO* bio = new_socket_bio(static_cast<int>(socket_.native_handle()));
  if (bio == nullptr) {
    co_return make_failure(Outcome::tls_error, Stage::tls_handshake, "ssl_error: BIO_new failed");
  }
  SSL_set_bio(native, bio, bio);
  error_code ec;
  bool literal = !asio::ip::make_address(options_.host, ec).is_unspecified() && !ec;
  if (options_.tls.send_sni && !literal) SSL_set_tlsext_host_name(native, options_.host.c_str());
  auto until = wait_end(options_.tls_timeout);
  if (!until) {
    co_return make_failure(Outcome::timeout, Stage::tls_handshake, "generic_timeout_error");
  }
  ec = co_await tls_call(true, {}, *until);
  timings_.tls = since(start);
  if (ec) co_return classify(ec, Stage::tls_handshake, timed_out_);
  tls_report_ = inspect_tls(native, options_.host);
  co_return Failure{};
}

asio::awaitable<error_code> Connection::tls_call(bool handshake, std::string_view bytes,
                                                 Clock::time_point until) {
  SSL* ssl = tls_->ssl;
  for (;;) {
    clear_tls_errors();
    errno = 0;
    int n = handshake ? SSL_connect(ssl) : SSL_write(ssl, bytes.data(), clamp_int(bytes.size()));
    if (n > 0) {
      if (handshake) co_return error_code{};
      bytes.remove_prefix(static_cast<std::size_t>(n));
      if (bytes.empty()) co_return error_code{};
      continue;
    }
    int sys_errno = errno;
    int why = SSL_get_error(ssl, n);
    if (why != SSL_ERROR_WANT_READ && why != SSL_ERROR_WANT_WRITE) {
      co_return tls_error(why, ERR_get_error(), sys_errno);
    }
    error_code ec;
    co_await wait_socket(why == SSL_ERROR_WANT_READ, until, ec);
    if (ec) co_return ec;
    if (!socket_.is_open()) co_return asio::error::bad_descriptor;
  }
}

asio::awaitable<std::size_t> Connection::read_some(std::span<char> buffer, Failure& failure) {
  auto fail = [&](const error_code& ec) -> std::size_t {
    failure = classify(ec, Stage::read, timed_out_);
    return 0;
  };
  auto until = wait_end(options_.io_timeout);
  if (!until) {
    failure = make_failure(Outcome::timeout, Stage::read, "generic_timeout_error");
    co_return 0;
  }
  failure = {};
  // After close() OpenSSL must not touch the descriptor number, which may be reused already.
  if (!socket_.is_open()) co_return fail(asio::error::bad_descriptor);
  error_code ec;
  // Right after a request the reply cannot be there yet: reading first would cost a recv that
  // returns EAGAIN. Read first only when bytes may be waiting (the last read filled its buffer,
  // or OpenSSL holds read-ahead bytes); else wait for readability first. Waiting re-arms the
  // descriptor in epoll, which reports bytes that arrived before the wait as well.
  if (tls_) {
    SSL* ssl = tls_->ssl;
    bool wait = SSL_has_pending(ssl) == 0;
    for (;;) {
      if (wait) {
        arm(*until);
        co_await socket_.async_wait(tcp::socket::wait_read,
                                    asio::redirect_error(asio::use_awaitable, ec));
        disarm();
        if (ec) co_return fail(ec);
      }
      // A close() while this wait's completion was queued: the descriptor may be reused already.
      if (!socket_.is_open()) co_return fail(asio::error::bad_descriptor);
      clear_tls_errors();
      errno = 0;
      int n = SSL_read(ssl, buffer.data(), clamp_int(buffer.size()));
      if (n > 0) co_return static_cast<std::size_t>(n);
      int sys_errno = errno;
      int why = SSL_get_error(ssl, n);
      if (why == SSL_ERROR_WANT_WRITE) {
        // Renegotiation or a key update wants to send first.
        co_await wait_socket(false, *until, ec);
        if (ec) co_return fail(ec);
        wait = false;
        continue;
      }
      if (why != SSL_ERROR_WANT_READ) co_return fail(tls_error(why, ERR_get_error(), sys_errno));
      wait = true;
    }
  }
  bool wait = !maybe_more_;
  for (;;) {
    if (wait) {
      arm(*until);
      co_await socket_.async_wait(tcp::socket::wait_read,
                                  asio::redirect_error(asio::use_awaitable, ec));
      disarm();
      if (ec) co_return fail(ec);
    }
    std::size_t n = socket_.read_some(asio::buffer(buffer.data(), buffer.size()), ec);
    if (!ec) {
      maybe_more_ = n == buffer.size();
      co_return n;
    }
    if (ec != asio::error::would_block && ec != asio::error::try_again) co_return fail(ec);
    wait = true;
  }
}

asio::awaitable<Failure> Connection::write_all(std::string_view bytes) {
  auto until = wait_end(options_.io_timeout);
  if (!until) co_return make_failure(Outcome::timeout, Stage::write, "generic_timeout_error");
  if (!socket_.is_open()) co_return classify(asio::error::bad_descriptor, Stage::write, false);
  error_code ec;
  if (tls_) {
    if (!bytes.empty()) ec = co_await tls_call(false, bytes, *until);
    co_return classify(ec, Stage::write, timed_out_);
  }
  // A request nearly always fits the socket buffer: send it now, wait only for what is left.
  while (!bytes.empty()) {
    std::size_t n = socket_.write_some(asio::buffer(bytes.data(), bytes.size()), ec);
    if (!ec) {
      bytes.remove_prefix(n);
      continue;
    }
    if (ec != asio::error::would_block && ec != asio::error::try_again) break;
    co_await wait_socket(false, *until, ec);
    if (ec) break;
  }
  co_return classify(ec, Stage::write, timed_out_);
}

void Connection::close() {
  disarm();
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace eo::net
