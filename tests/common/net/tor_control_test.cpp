// Tor control-port replies parsed, and the client against a scripted control port.
#include "common/net/tor_control.h"

#include "tests/support/line_server.h"
#include "tests/support/run.h"

#include <gtest/gtest.h>

namespace eo::net {
namespace {

namespace asio = boost::asio;
const std::string kExit = "ABCDEF0123456789ABCDEF0123456789ABCDEF01";

TEST(TorControlParse, StreamCircuitExitAndAddress) {
  std::vector<std::string> streams = {"12 SUCCEEDED 7 other.example:50002",
                                      "13 SUCCEEDED 9 electrum.example:50002"};
  EXPECT_EQ(circuit_of_stream(streams, "electrum.example:50002"), "9");
  EXPECT_FALSE(circuit_of_stream(streams, "missing:1"));
  std::vector<std::string> circuits = {
      "9 BUILT $1111111111111111111111111111111111111111~guard,$" + kExit +
      "~exitnick BUILD_FLAGS=NEED_CAPACITY PURPOSE=GENERAL"};
  auto exit = exit_of_circuit(circuits, "9");
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->fingerprint, kExit);
  EXPECT_EQ(exit->nickname, "exitnick");
  EXPECT_FALSE(exit_of_circuit(circuits, "10"));
  EXPECT_EQ(address_of_router({"r exitnick q6vv digest 2026-11-21 07:00:00 198.51.100.7 9001 0",
                               "s Exit Fast Running"}),
            "198.51.100.7");
}

// Answers like tor: single-line and data-block GETINFO replies.
test::Behaviour fake_tor() {
  return [](asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    for (;;) {
      std::string line = co_await test::read_line(socket);
      if (line.empty()) co_return;
      std::string reply;
      if (line.rfind("AUTHENTICATE", 0) == 0) {
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
        auto opened = co_await control.open("127.0.0.1", static_cast<std::uint16_t>(tor.port()),
                                            "", milliseconds(2000));
        if (!opened.ok()) co_return std::nullopt;
        co_return co_await control.exit_for("127.0.0.1:50001");
      });
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->fingerprint, kExit);
  EXPECT_EQ(exit->address, "127.0.0.9");
}

}  // namespace
}  // namespace eo::net
