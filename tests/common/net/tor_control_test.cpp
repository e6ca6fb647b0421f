// Tor control-port replies parsed, and the client against a scripted control port.
#include "common/net/tor_control.h"

#include "tests/support/line_server.h"
#include "tests/support/run.h"

#include <gtest/gtest.h>

namespace eo::net {
namespace {

namespace asio = boost::asio;
const std::string kExit = "ABCDEF0123456789ABCDEF0123456789ABCDEF01";

const std::string kGuard = "$1111111111111111111111111111111111111111~guard";
const std::string kMiddle = "$2222222222222222222222222222222222222222~middle";

// Lines as tor 0.4.9.11 writes them (captured from the private network of
// tests/agent/tor_network_test.cpp): exit streams ride conflux legs, credentials show on one leg
// only, and an onion stream's circuit ends at the rendezvous point.
TEST(TorControlParse, ExitOfTheStreamIsolatedByItsCredentials) {
  std::vector<std::string> streams = {"29 SUCCEEDED 4 127.0.0.1:50001",
                                      "30 SUCCEEDED 8 127.0.0.1:50001",
                                      "31 SUCCEEDED 48 abcd.onion:50001"};
  std::string exit_a = "3333333333333333333333333333333333333333";
  std::string exit_b = "4444444444444444444444444444444444444444";
  std::vector<std::string> circuits = {
      "4 BUILT " + kGuard + "," + kMiddle + ",$" + exit_a +
          "~exit0 BUILD_FLAGS=NEED_CAPACITY,NEED_UPTIME PURPOSE=CONFLUX_LINKED "
          "TIME_CREATED=2026-11-21T11:42:28.377511 SOCKS_USERNAME=\"tcp://127.0.0.1:50001\" "
          "SOCKS_PASSWORD=\"c/0\" CONFLUX_ID=CB05 CONFLUX_RTT=57929",
      "5 BUILT " + kMiddle + "," + kGuard + ",$" + exit_a +
          "~exit0 PURPOSE=CONFLUX_LINKED CONFLUX_ID=CB05",
      "8 BUILT " + kGuard + "," + kMiddle + ",$" + kExit +
          "~exit1 PURPOSE=CONFLUX_LINKED SOCKS_USERNAME=\"tcp://127.0.0.1:50001\" "
          "SOCKS_PASSWORD=\"c/1\" CONFLUX_ID=A073",
      "48 BUILT " + kGuard + "," + kMiddle + ",$" + exit_b +
          "~exit2 BUILD_FLAGS=IS_INTERNAL PURPOSE=HS_CLIENT_REND HS_STATE=HSCR_JOINED "
          "SOCKS_USERNAME=\"tcp://abcd.onion:50001\" SOCKS_PASSWORD=\"c/0\"",
      "60 LAUNCHED BUILD_FLAGS=NEED_CAPACITY PURPOSE=GENERAL"};
  using socks5::Credentials;
  auto round0 = exit_of_stream(streams, circuits, "127.0.0.1:50001",
                               Credentials{"tcp://127.0.0.1:50001", "c/0"});
  ASSERT_TRUE(round0);
  EXPECT_EQ(round0->fingerprint, exit_a);
  EXPECT_EQ(round0->nickname, "exit0");
  auto round1 = exit_of_stream(streams, circuits, "127.0.0.1:50001",
                               Credentials{"tcp://127.0.0.1:50001", "c/1"});
  ASSERT_TRUE(round1);
  EXPECT_EQ(round1->fingerprint, kExit);
  // The stream of round 0 moved to the leg that does not show credentials: still round 0's.
  streams[0] = "29 SUCCEEDED 5 127.0.0.1:50001";
  auto moved = exit_of_stream(streams, circuits, "127.0.0.1:50001",
                              Credentials{"tcp://127.0.0.1:50001", "c/0"});
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->fingerprint, exit_a);
  EXPECT_FALSE(exit_of_stream(streams, circuits, "127.0.0.1:50001",
                              Credentials{"tcp://127.0.0.1:50001", "c/9"}));
  EXPECT_FALSE(exit_of_stream(streams, circuits, "abcd.onion:50001",
                              Credentials{"tcp://abcd.onion:50001", "c/0"}));
  EXPECT_FALSE(exit_of_stream(streams, circuits, "missing:1", std::nullopt));
  EXPECT_TRUE(exit_of_stream(streams, circuits, "127.0.0.1:50001", std::nullopt));

  auto launched = parse_circuit(circuits[4]);
  ASSERT_TRUE(launched);
  EXPECT_TRUE(launched->path.empty());
  EXPECT_EQ(launched->purpose, "GENERAL");
  auto quoted =
      parse_circuit("7 BUILT $" + kExit + " PURPOSE=GENERAL SOCKS_USERNAME=\"a \\\"b\\\" c\"");
  ASSERT_TRUE(quoted && quoted->socks);
  EXPECT_EQ(quoted->socks->username, "a \"b\" c");
  EXPECT_EQ(quoted->socks->password, "");
}

TEST(TorControlParse, AddressOfARouter) {
  EXPECT_EQ(address_of_router({"r exitnick q6vv digest 2026-11-21 07:00:00 198.51.100.7 9001 0",
                               "s Exit Fast Running"}),
            "198.51.100.7");
  // tor 0.4.9 with microdescriptors, as GETINFO ns/id answers.
  EXPECT_EQ(address_of_router({"r exit0 aqmdsL4/sOsaHi+nndDpIQn5kOY 86CzXtfStpCYOcwxqJgRz3r7BLE "
                               "2038-01-01 00:00:00 127.0.0.1 34552 0"}),
            "127.0.0.1");
  EXPECT_FALSE(address_of_router({"s Exit"}));
}

TEST(TorControlParse, AuthMethodsOfProtocolInfo) {
  auto cookie = auth_methods({"PROTOCOLINFO 1",
                              "AUTH METHODS=COOKIE,SAFECOOKIE "
                              "COOKIEFILE=\"/var/run/tor/control.authcookie\"",
                              "VERSION Tor=\"0.4.9.11\"", "OK"});
  EXPECT_FALSE(cookie.null_allowed);
  EXPECT_EQ(cookie.cookie_file, "/var/run/tor/control.authcookie");
  auto open = auth_methods({"AUTH METHODS=NULL"});
  EXPECT_TRUE(open.null_allowed);
  EXPECT_FALSE(open.cookie_file);
}

// Answers like tor: single-line and data-block GETINFO replies.
test::Behaviour fake_tor() {
  return [](asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    for (;;) {
      std::string line = co_await test::read_line(socket);
      if (line.empty()) co_return;
      std::string reply;
      if (line.rfind("PROTOCOLINFO", 0) == 0) {
        reply =
            "250-PROTOCOLINFO 1\r\n250-AUTH METHODS=NULL\r\n"
            "250-VERSION Tor=\"0.4.9.11\"\r\n250 OK\r\n";
      } else if (line.rfind("AUTHENTICATE", 0) == 0) {
        reply = "250 OK\r\n";
      } else if (line.find("stream-status") != std::string::npos) {
        reply = "250-stream-status=21 SUCCEEDED 5 127.0.0.1:50001\r\n250 OK\r\n";
      } else if (line.find("circuit-status") != std::string::npos) {
        reply = "250+circuit-status=\r\n5 BUILT $2222222222222222222222222222222222222222~a,$" +
                kExit + "~exit1 PURPOSE=GENERAL\r\n.\r\n250 OK\r\n";
      } else if (line.find("ns/id/") != std::string::npos) {
        reply = "250+ns/id/" + kExit +
                "=\r\nr exit1 q6vv dg 2026-11-21 07:00:00 127.0.0.9 5103 0\r\ns Exit\r\n.\r\n"
                "250 OK\r\n";
      } else {
        reply = "510 Unrecognized command\r\n";
      }
      co_await test::write_all(socket, reply);
    }
  };
}

TEST(TorControl, FindsTheExitOfAStream) {
  test::LineServer tor(fake_tor());
  auto exit = test::run<std::optional<TorExit>>(
      [&](asio::io_context& io) -> asio::awaitable<std::optional<TorExit>> {
        TorControl control(io.get_executor());
        auto opened = co_await control.open("127.0.0.1", static_cast<std::uint16_t>(tor.port()), "",
                                            milliseconds(2000));
        if (!opened.ok()) co_return std::nullopt;
        co_return co_await control.exit_for("127.0.0.1:50001", std::nullopt);
      });
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->fingerprint, kExit);
  EXPECT_EQ(exit->address, "127.0.0.9");
}

}  // namespace
}  // namespace eo::net
