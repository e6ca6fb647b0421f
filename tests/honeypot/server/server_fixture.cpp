// Test scaffolding for the honeypot server: the server on its own thread, client sessions, and a
// raw blocking socket.
#include "tests/honeypot/server/server_fixture.h"

#include "tests/support/certs.h"
#include "tests/support/process.h"
#include "tests/support/run.h"

#include <boost/asio/post.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ctime>
#include <future>

namespace eo::honeypot::server::test {

namespace asio = boost::asio;

ServerFixture::ServerFixture(Profile profile, FixtureOptions options) : backend_(options.tip) {
  ServerConfig config = options.config;
  if (config.honeypot_id == "honeypot") config.honeypot_id = "hp-test";
  if (config.listeners.empty()) {
    config.listeners.push_back(ListenerConfig{});
    if (options.tls) {
      ListenerConfig tls;
      tls.transport = Transport::tls;
      tls.cert_file = dir_.file("cert.pem");
      tls.key_file = dir_.file("key.pem");
      eo::test::write_self_signed_cert({}, tls.cert_file, tls.key_file);
      config.listeners.push_back(tls);
    }
  }
  server_ = std::make_unique<Server>(io_.get_executor(), std::move(config), std::move(profile),
                                     backend_, sink_);
  server_->start();
  ports_ = server_->ports();
  thread_ = std::thread([this] { io_.run(); });
}

ServerFixture::~ServerFixture() {
  asio::post(io_, [this] { server_->stop(); });
  wait_idle();
  io_.stop();
  thread_.join();
  server_.reset();
}

void ServerFixture::on_server(const std::function<void(FakeBackend&)>& fn) {
  std::promise<void> done;
  asio::post(io_, [&] {
    fn(backend_);
    done.set_value();
  });
  done.get_future().wait();
}

bool ServerFixture::wait_idle(milliseconds timeout) {
  if (!eo::test::wait_until([&] { return server_->session_count() == 0; }, timeout,
                            milliseconds(5))) {
    return false;
  }
  // The last DISCONNECT is recorded just before the count drops; let the thread get past it.
  on_server([](FakeBackend&) {});
  return true;
}

double ServerFixture::server_cpu_seconds() const {
  clockid_t clock;
  auto handle = const_cast<std::thread&>(thread_).native_handle();
  if (pthread_getcpuclockid(handle, &clock) != 0) return 0;
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

net::ConnectOptions to_port(std::uint16_t port, bool tls, std::string bind) {
  net::ConnectOptions options;
  options.host = "127.0.0.1";
  options.port = port;
  options.tls.enabled = tls;
  options.bind_address = std::move(bind);
  options.connect_timeout = options.tls_timeout = options.io_timeout = milliseconds(5000);
  return options;
}

Call version_call(std::string client, Json range) {
  return Call{"server.version", Json::array({std::move(client), std::move(range)})};
}

namespace {

asio::awaitable<Transcript> session(asio::io_context& io, net::ConnectOptions options,
                                    std::vector<Call> calls) {
  electrum::Client client(io.get_executor());
  Transcript t;
  t.connect = co_await client.connect(std::move(options));
  if (t.connect.ok()) {
    for (Call& call : calls) {
      electrum::Reply reply = co_await client.call(std::move(call.method), std::move(call.params));
      const bool failed = !reply.failure.ok();
      t.replies.push_back(std::move(reply));
      if (failed) break;
    }
  }
  t.notifications.assign(client.notifications().begin(), client.notifications().end());
  client.close();
  co_return t;
}

asio::awaitable<electrum::BatchReply> batch_session(asio::io_context& io,
                                                    net::ConnectOptions options,
                                                    std::vector<Call> before,
                                                    std::vector<electrum::Call> batch) {
  electrum::Client client(io.get_executor());
  electrum::BatchReply reply;
  reply.failure = co_await client.connect(std::move(options));
  if (!reply.failure.ok()) co_return reply;
  for (Call& call : before) co_await client.call(std::move(call.method), std::move(call.params));
  reply = co_await client.call_batch(std::move(batch));
  client.close();
  co_return reply;
}

}  // namespace

Transcript run_session(net::ConnectOptions options, std::vector<Call> calls) {
  return eo::test::run<Transcript>(
      [options, calls](asio::io_context& io) { return session(io, options, calls); });
}

electrum::BatchReply run_batch(net::ConnectOptions options, std::vector<Call> before,
                               std::vector<electrum::Call> batch) {
  return eo::test::run<electrum::BatchReply>([options, before, batch](asio::io_context& io) {
    return batch_session(io, options, before, batch);
  });
}

RawClient::RawClient(std::uint16_t port, const std::string& bind) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  if (!bind.empty()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, bind.c_str(), &local.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

void RawClient::send(std::string_view bytes) {
  while (fd_ >= 0 && !bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::optional<std::string> RawClient::read_line(milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (const auto nl = buffer_.find('\n', consumed_); nl != std::string::npos) {
      std::string line = buffer_.substr(consumed_, nl + 1 - consumed_);
      consumed_ = nl + 1;
      if (consumed_ > (1u << 16) && consumed_ * 2 > buffer_.size()) {
        buffer_.erase(0, consumed_);
        consumed_ = 0;
      }
      return line;
    }
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (fd_ < 0 || left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

bool RawClient::wait_closed(milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (fd_ >= 0) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return true;
    if (buffer_.size() < (1u << 20)) buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  return true;
}

std::vector<eo::v1::HoneypotEvent> of_kind(const MemoryEventSink::Events& events,
                                           eo::v1::HoneypotEventKind kind) {
  std::vector<eo::v1::HoneypotEvent> out;
  for (const auto& e : events) {
    if (e.kind() == kind) out.push_back(e);
  }
  return out;
}

}  // namespace eo::honeypot::server::test
