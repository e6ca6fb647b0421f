// Connection against real peers: refused ports, silent servers, a chosen egress address, and
// openssl s_server presenting self-signed, expired and wrong-host certificates.
#include "common/net/connection.h"

#include "tests/support/certs.h"
#include "tests/support/line_server.h"
#include "tests/support/process.h"
#include "tests/support/run.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>

#include <ctime>
#include <memory>

namespace eo::net {
namespace {

namespace asio = boost::asio;
using test::run;

struct Result {
  Failure failure;
  std::optional<TlsReport> tls;
  std::string local_address;
  std::string reply;
};

Result connect_and_read(ConnectOptions options, std::string send = {}) {
  return run<Result>([options, send](asio::io_context& io) -> asio::awaitable<Result> {
    Connection connection(io.get_executor());
    Result result;
    result.failure = co_await connection.connect(options);
    result.tls = connection.tls();
    result.local_address = connection.local_address();
    if (result.failure.ok() && !send.empty()) {
      result.failure = co_await connection.write_all(send);
      char buffer[256];
      std::size_t n = co_await connection.read_some(buffer, result.failure);
      result.reply.assign(buffer, n);
    }
    co_return result;
  });
}

ConnectOptions loopback(int port) {
  ConnectOptions options;
  options.host = "127.0.0.1";
  options.port = static_cast<std::uint16_t>(port);
  options.connect_timeout = milliseconds(2000);
  options.io_timeout = milliseconds(2000);
  return options;
}

TEST(Connection, RefusedPortIsRefused) {
  test::ClosedPort closed;
  auto result = connect_and_read(loopback(closed.port()));
  EXPECT_EQ(result.failure.outcome, Outcome::refused) << result.failure.detail;
  EXPECT_EQ(result.failure.detail, "connect:connection_refused");
}

TEST(Connection, SilentServerTimesOutOnRead) {
  test::LineServer server([](asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    asio::steady_timer wait(socket.get_executor(), std::chrono::seconds(5));
    co_await wait.async_wait(asio::use_awaitable);
  });
  auto options = loopback(server.port());
  options.io_timeout = milliseconds(300);
  auto start = Clock::now();
  auto result = connect_and_read(options, "ping\n");
  EXPECT_EQ(result.failure.outcome, Outcome::timeout) << result.failure.detail;
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

TEST(Connection, AbsoluteDeadlineBoundsTheWholeExchange) {
  test::LineServer server([](asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    asio::steady_timer wait(socket.get_executor(), std::chrono::seconds(5));
    co_await wait.async_wait(asio::use_awaitable);
  });
  auto options = loopback(server.port());
  options.io_timeout = milliseconds(10'000);
  options.deadline = Clock::now() + milliseconds(300);
  auto result = connect_and_read(options, "ping\n");
  EXPECT_EQ(result.failure.outcome, Outcome::timeout);
}

// Waits share one watchdog timer per io_context: a short wait started after long ones must still
// end on time, and the long ones must not be cut short by it.
TEST(Connection, ShortWaitBehindLongerOnesTimesOutOnTime) {
  test::LineServer server([](asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    asio::steady_timer wait(socket.get_executor(), std::chrono::seconds(5));
    co_await wait.async_wait(asio::use_awaitable);
  });
  struct Outcomes {
    Failure short_read;
    Clock::duration short_took{};
  };
  // Written by the long wait's coroutine, which run() lets finish: it must outlive that.
  Failure long_read;
  bool slow_done = false;
  auto outcomes = run<Outcomes>([&](asio::io_context& io) -> asio::awaitable<Outcomes> {
    Outcomes out;
    auto slow = std::make_shared<Connection>(io.get_executor());
    auto slow_options = loopback(server.port());
    slow_options.io_timeout = milliseconds(3000);
    if (Failure f = co_await slow->connect(slow_options); !f.ok()) co_return out;
    asio::co_spawn(
        io,
        [slow, &long_read, &slow_done]() -> asio::awaitable<void> {
          char buffer[16];
          co_await slow->read_some(buffer, long_read);
          slow_done = true;
        },
        asio::detached);
    Connection fast(io.get_executor());
    auto fast_options = loopback(server.port());
    fast_options.io_timeout = milliseconds(200);
    if (Failure f = co_await fast.connect(fast_options); !f.ok()) co_return out;
    auto start = Clock::now();
    char buffer[16];
    co_await fast.read_some(buffer, out.short_read);
    out.short_took = Clock::now() - start;
    EXPECT_FALSE(slow_done);  // 200 ms in, the 3 s wait is still running
    slow->close();
    co_return out;
  });
  EXPECT_EQ(outcomes.short_read.outcome, Outcome::timeout) << outcomes.short_read.detail;
  EXPECT_LT(outcomes.short_took, std::chrono::milliseconds(1500));
  EXPECT_TRUE(slow_done);
  EXPECT_NE(long_read.outcome, Outcome::timeout) << long_read.detail;
}

// A finished wait must leave no timer armed: the io_context runs out of work at once even though
// the connection (with a 10 s I/O timeout) is still open.
TEST(Connection, FinishedWaitLeavesNoTimerBehind) {
  test::LineServer server(test::echo_electrum());
  asio::io_context io;
  Connection connection(io.get_executor());
  Failure failure;
  std::string reply;
  auto options = loopback(server.port());
  options.io_timeout = milliseconds(10'000);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        failure = co_await connection.connect(options);
        if (!failure.ok()) co_return;
        failure = co_await connection.write_all(R"({"id":1,"method":"server.ping"})"
                                                "\n");
        char buffer[256];
        std::size_t n = co_await connection.read_some(buffer, failure);
        reply.assign(buffer, n);
      },
      asio::detached);
  auto start = Clock::now();
  io.run();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE(failure.ok()) << failure.detail;
  EXPECT_NE(reply.find("server.ping"), std::string::npos);
}

TEST(Connection, BindsToTheChosenEgressAddress) {
  test::LineServer server(test::echo_electrum());
  auto options = loopback(server.port());
  options.bind_address = "127.0.0.2";
  auto result = connect_and_read(options, R"({"id":1,"method":"server.ping"})"
                                          "\n");
  ASSERT_TRUE(result.failure.ok()) << result.failure.detail;
  EXPECT_EQ(result.local_address.rfind("127.0.0.2:", 0), 0u) << result.local_address;
  EXPECT_NE(result.reply.find("server.ping"), std::string::npos);
}

TEST(Connection, UnusableEgressAddressIsReported) {
  test::ClosedPort closed;
  auto options = loopback(closed.port());
  options.bind_address = "192.0.2.1";  // TEST-NET-1: not an address of this machine
  auto result = connect_and_read(options);
  EXPECT_EQ(result.failure.outcome, Outcome::unreachable);
  EXPECT_NE(result.failure.detail.find("bind_failed: 192.0.2.1"), std::string::npos);
}

TEST(Connection, OnionWithoutProxyIsRefusedLocally) {
  ConnectOptions options;
  options.host = "abcdefghijklmnop.onion";
  options.port = 50001;
  auto result = connect_and_read(options);
  EXPECT_EQ(result.failure.outcome, Outcome::dns_error);
  EXPECT_EQ(result.failure.detail, "dns:onion_without_proxy");
}

// openssl s_server with a certificate of our making.
class TlsServer {
 public:
  explicit TlsServer(const test::CertSpec& spec) {
    test::write_self_signed_cert(spec, dir_.file("cert.pem"), dir_.file("key.pem"));
    auto started = test::start_listening(
        [&](int port) {
          return std::vector<std::string>{"openssl",
                                          "s_server",
                                          "-quiet",
                                          "-accept",
                                          "127.0.0.1:" + std::to_string(port),
                                          "-cert",
                                          dir_.file("cert.pem"),
                                          "-key",
                                          dir_.file("key.pem")};
        },
        dir_.file("s_server.log"), std::chrono::seconds(10));
    process_ = std::move(started.process);
    port_ = started.port;
    if (port_ == 0) {
      ADD_FAILURE() << "openssl s_server did not start: " << process_->log();
    }
  }
  int port() const { return port_; }

 private:
  test::TempDir dir_;
  int port_ = 0;
  std::unique_ptr<test::ChildProcess> process_;
};

ConnectOptions tls_to(const std::string& host, int port) {
  ConnectOptions options;
  options.host = host;
  options.port = static_cast<std::uint16_t>(port);
  options.tls.enabled = true;
  options.connect_timeout = options.tls_timeout = milliseconds(5000);
  return options;
}

TEST(TlsConnection, SelfSignedChainIsCapturedAndJudged) {
  TlsServer server(test::CertSpec{});
  auto result = connect_and_read(tls_to("localhost", server.port()));
  ASSERT_TRUE(result.failure.ok()) << result.failure.detail;
  ASSERT_TRUE(result.tls);
  const TlsReport& tls = *result.tls;
  ASSERT_EQ(tls.chain.size(), 1u);
  const CertificateInfo& leaf = tls.chain[0];
  EXPECT_NE(leaf.subject.find("CN=localhost"), std::string::npos) << leaf.subject;
  EXPECT_EQ(leaf.subject, leaf.issuer);
  EXPECT_EQ(leaf.san_dns, std::vector<std::string>{"localhost"});
  EXPECT_EQ(leaf.san_ip, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(leaf.key_type, "EC");
  EXPECT_EQ(leaf.key_bits, 256u);
  EXPECT_EQ(leaf.sha256_fingerprint.size(), 64u);
  EXPECT_EQ(leaf.spki_sha256.size(), 64u);
  EXPECT_FALSE(leaf.der.empty());
  EXPECT_GT(leaf.not_after_unix, std::time(nullptr));
  EXPECT_LT(leaf.not_before_unix, std::time(nullptr));
  EXPECT_TRUE(tls.self_signed);
  EXPECT_FALSE(tls.expired);
  EXPECT_FALSE(tls.hostname_mismatch);
  EXPECT_FALSE(tls.verified);
  EXPECT_EQ(tls.verify_error, "self-signed certificate");
  EXPECT_EQ(tls.version, "TLSv1.3");
  EXPECT_FALSE(tls.cipher.empty());
}

TEST(TlsConnection, ExpiredCertificateIsFlagged) {
  test::CertSpec spec;
  spec.not_before_offset_s = -2 * 365 * 86400;
  spec.not_after_offset_s = -365 * 86400;
  TlsServer server(spec);
  auto result = connect_and_read(tls_to("127.0.0.1", server.port()));
  ASSERT_TRUE(result.failure.ok()) << result.failure.detail;
  ASSERT_TRUE(result.tls);
  EXPECT_TRUE(result.tls->expired);
  EXPECT_LT(result.tls->chain[0].not_after_unix, std::time(nullptr));
  EXPECT_FALSE(result.tls->hostname_mismatch);  // the IP SAN matches
}

TEST(TlsConnection, WrongHostnameIsFlagged) {
  test::CertSpec spec;
  spec.common_name = "electrum.example.org";
  spec.dns_names = {"electrum.example.org"};
  spec.ip_addresses = {};
  TlsServer server(spec);
  auto result = connect_and_read(tls_to("localhost", server.port()));
  ASSERT_TRUE(result.failure.ok()) << result.failure.detail;
  ASSERT_TRUE(result.tls);
  EXPECT_TRUE(result.tls->hostname_mismatch);
  EXPECT_EQ(result.tls->chain[0].san_dns, std::vector<std::string>{"electrum.example.org"});
}

TEST(TlsConnection, MinimumVersionIsHonoured) {
  TlsServer server(test::CertSpec{});
  auto options = tls_to("localhost", server.port());
  options.tls.min_version = "TLSv1.3";
  auto result = connect_and_read(options);
  EXPECT_TRUE(result.failure.ok()) << result.failure.detail;  // s_server offers 1.3
  EXPECT_EQ(result.tls->version, "TLSv1.3");
}

// A peer that resets the connection after the handshake: writing then must fail as a value, not
// raise SIGPIPE (which would end the whole process).
TEST(TlsConnection, WritesAfterAResetFailWithoutSigpipe) {
  test::TempDir dir;
  test::write_self_signed_cert(test::CertSpec{}, dir.file("cert.pem"), dir.file("key.pem"));
  asio::ssl::context server_tls(asio::ssl::context::tls_server);
  server_tls.use_certificate_chain_file(dir.file("cert.pem"));
  server_tls.use_private_key_file(dir.file("key.pem"), asio::ssl::context::pem);
  test::LineServer server([&server_tls](asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    asio::ssl::stream<asio::ip::tcp::socket&> stream(socket, server_tls);
    boost::system::error_code ec;
    co_await stream.async_handshake(asio::ssl::stream_base::server,
                                    asio::redirect_error(asio::use_awaitable, ec));
    socket.set_option(asio::socket_base::linger(true, 0), ec);
    socket.close(ec);
  });
  auto result = run<Failure>([&](asio::io_context& io) -> asio::awaitable<Failure> {
    Connection connection(io.get_executor());
    if (Failure f = co_await connection.connect(tls_to("127.0.0.1", server.port())); !f.ok()) {
      co_return f;
    }
    asio::steady_timer pause(io, std::chrono::milliseconds(200));
    co_await pause.async_wait(asio::use_awaitable);
    for (int i = 0; i < 5; ++i) {
      if (Failure f = co_await connection.write_all(std::string(1000, 'x')); !f.ok()) co_return f;
    }
    co_return Failure{};
  });
  EXPECT_EQ(result.outcome, Outcome::reset) << result.detail;
}

TEST(TlsConnection, PlainServerBreaksTheHandshake) {
  test::LineServer server([](asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    co_await test::write_all(socket, "this is not TLS\n");
  });
  auto result = connect_and_read(tls_to("127.0.0.1", server.port()));
  EXPECT_EQ(result.failure.outcome, Outcome::tls_error) << result.failure.detail;
  EXPECT_EQ(result.failure.detail.rfind("tls_handshake:", 0), 0u);
}

}  // namespace
}  // namespace eo::net
