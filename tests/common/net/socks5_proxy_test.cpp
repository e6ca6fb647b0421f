// SOCKS5 through real proxies from Debian: Dante (danted) relaying to a loopback Electrum
// responder, and a tor client whose refusal of a private address must come back as an outcome.
#include "common/net/connection.h"

#include "tests/support/line_server.h"
#include "tests/support/process.h"
#include "tests/support/run.h"

#include <gtest/gtest.h>

#include <fstream>

namespace eo::net {
namespace {

namespace asio = boost::asio;

struct Result {
  Failure failure;
  std::string reply;
  ConnectTimings timings;
};

Result exchange(ConnectOptions options, std::string send) {
  return test::run<Result>([options, send](asio::io_context& io) -> asio::awaitable<Result> {
    Connection connection(io.get_executor());
    Result result;
    result.failure = co_await connection.connect(options);
    result.timings = connection.timings();
    if (result.failure.ok()) {
      result.failure = co_await connection.write_all(send);
      char buffer[256];
      std::size_t n = co_await connection.read_some(buffer, result.failure);
      result.reply.assign(buffer, n);
    }
    co_return result;
  });
}

class Dante {
 public:
  Dante() {
    if (test::find_program("danted").empty()) return;
    auto started = test::start_listening(
        [&](int port) {
          std::ofstream conf(dir_.file("danted.conf"));
          conf << "logoutput: " << dir_.file("danted.log") << "\n"
               << "internal: 127.0.0.1 port = " << port << "\n"
               << "external: 127.0.0.1\n"
               << "clientmethod: none\nsocksmethod: none\n"
               << "user.privileged: root\nuser.unprivileged: nobody\n"
               << "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }\n"
               << "socks pass { from: 127.0.0.0/8 to: 127.0.0.0/8 command: connect }\n"
               << "socks block { from: 0.0.0.0/0 to: 0.0.0.0/0 }\n";
          return std::vector<std::string>{test::find_program("danted"), "-f",
                                          dir_.file("danted.conf"), "-p", dir_.file("danted.pid")};
        },
        dir_.file("stdout.log"), std::chrono::seconds(10));
    process_ = std::move(started.process);
    port_ = started.port;
    started_ = port_ != 0;
  }
  bool started() const { return started_; }
  int port() const { return port_; }

 private:
  test::TempDir dir_;
  int port_ = 0;
  bool started_ = false;
  std::unique_ptr<test::ChildProcess> process_;
};

ConnectOptions via_proxy(int proxy_port, std::string host, int port) {
  ConnectOptions options;
  options.host = std::move(host);
  options.port = static_cast<std::uint16_t>(port);
  options.proxy = ProxyOptions{"127.0.0.1", static_cast<std::uint16_t>(proxy_port), {}};
  options.connect_timeout = options.io_timeout = milliseconds(5000);
  return options;
}

TEST(Socks5Proxy, DanteRelaysToTheTargetByAddressAndByName) {
  Dante dante;
  ASSERT_TRUE(dante.started()) << "danted did not start (package dante-server)";
  test::LineServer server(test::echo_electrum());
  for (std::string host : {"127.0.0.1", "localhost"}) {
    auto result = exchange(via_proxy(dante.port(), host, server.port()),
                           R"({"jsonrpc":"2.0","id":7,"method":"server.version"})"
                           "\n");
    ASSERT_TRUE(result.failure.ok()) << host << ": " << result.failure.detail;
    EXPECT_NE(result.reply.find("server.version"), std::string::npos) << result.reply;
    EXPECT_GT(result.timings.proxy.count(), 0);
  }
}

TEST(Socks5Proxy, DanteReportsAClosedTargetPort) {
  Dante dante;
  ASSERT_TRUE(dante.started());
  test::ClosedPort closed;
  auto result = exchange(via_proxy(dante.port(), "127.0.0.1", closed.port()), "x\n");
  EXPECT_FALSE(result.failure.ok());
  EXPECT_EQ(result.failure.detail.rfind("proxy:", 0), 0u) << result.failure.detail;
}

TEST(Socks5Proxy, DeadProxyIsRefusedAtConnect) {
  test::ClosedPort dead;
  auto result = exchange(via_proxy(dead.port(), "127.0.0.1", 1), "x\n");
  EXPECT_EQ(result.failure.outcome, Outcome::refused);
  EXPECT_EQ(result.failure.detail, "connect:connection_refused");
}

TEST(Socks5Proxy, ProxyThatSpeaksGarbageIsAProxyError) {
  test::LineServer fake([](asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    co_await test::write_all(socket, "HTTP/1.1 400 Bad Request\r\n\r\n");
  });
  auto result = exchange(via_proxy(fake.port(), "127.0.0.1", 1), "x\n");
  EXPECT_EQ(result.failure.outcome, Outcome::proxy_error) << result.failure.detail;
}

// A tor client whose only directory authority is a closed loopback port, so it opens its SOCKS
// port but can reach nothing beyond this machine (DisableNetwork would close the SOCKS port too).
// It rejects a stream to a private address at once. Credentials are Tor's isolation key.
TEST(Socks5Proxy, TorRefusesAPrivateAddressAndWeRecordIt) {
  EO_SKIP_UNLESS_CI(test::find_program("tor").empty(), "tor is not installed");
  test::TempDir dir;
  auto started = test::start_listening(
      [&](int socks_port) {
        std::ofstream torrc(dir.file("torrc"));
        torrc << "SocksPort 127.0.0.1:" << socks_port << " IsolateSOCKSAuth\n"
              << "DataDirectory " << dir.file("data") << "\n"
              << "Log notice file " << dir.file("tor.log") << "\n"
              << "ClientUseIPv6 0\nTestingTorNetwork 1\nClientRejectInternalAddresses 1\n"
              << "DirAuthority nowhere orport=9 no-v2 v3ident=" << std::string(39, '0') << "1 "
              << "127.0.0.1:9 " << std::string(39, '0') << "2\n";
        return std::vector<std::string>{"tor", "-f", dir.file("torrc")};
      },
      dir.file("stdout.log"), std::chrono::seconds(30));
  ASSERT_NE(started.port, 0) << started.process->log();
  const int port = started.port;
  auto options = via_proxy(port, "127.0.0.1", 50001);
  options.proxy->credentials = socks5::Credentials{"target-1", "round-1"};
  auto start = Clock::now();
  auto result = exchange(options, "x\n");
  EXPECT_EQ(result.failure.outcome, Outcome::proxy_error) << result.failure.detail;
  EXPECT_EQ(result.failure.detail, "proxy:socks5_general_failure");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace eo::net
