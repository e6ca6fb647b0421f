// rate_limit_ramp against scripted servers whose n-th ping is slow or refused: a lone slow reply is
// jitter and the ramp goes on; slow replies in a row, or an error, are the throttle, at the index
// where they began; replies padded and held as ElectrumX >= 1.18 does are not throttling.
#include "tests/agent/local_probe.h"
#include "tests/support/line_server.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <set>

namespace eo::agent {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using nlohmann::json;

std::string answer(const json& request, const json& result, bool pad = false) {
  json reply = json::object();
  reply["jsonrpc"] = "2.0";
  reply["id"] = request.value("id", json());
  reply["result"] = result;
  std::string line = reply.dump();
  // As ElectrumX's padded transport: spaces before the closing brace, to 1024 bytes.
  if (pad) line.insert(line.size() - 1, std::string(1024 - line.size() - 1, ' '));
  return line + "\n";
}

// Outside the coroutine: GCC 12 miscompiles braced JSON initialisers in coroutine bodies.
std::string version_answer(const json& request) {
  return answer(request, json::array({"Scripted 1.0", "1.4"}));
}

std::string refusal(const json& request) {
  json error = json::object();
  error["code"] = -101;
  error["message"] = "excessive resource usage";
  json reply = json::object();
  reply["jsonrpc"] = "2.0";
  reply["id"] = request.value("id", json());
  reply["error"] = error;
  return reply.dump() + "\n";
}

// Which pings (counted from 0) a scripted server answers late, and from which on it refuses.
struct Script {
  std::set<int> slow;
  int slow_ms = 1000;
  int refuse_from = -1;  // -1: never
  bool pad = false;      // every ping reply padded as ElectrumX >= 1.18 pads it
};

// Answers server.version at once; the pings as the script says (ElectrumX's -101 when refused).
asio::awaitable<void> serve(tcp::socket socket, Script script) {
  asio::steady_timer timer(socket.get_executor());
  for (int ping = 0;;) {
    std::string line = co_await test::read_line(socket);
    if (line.empty()) co_return;
    auto request = json::parse(line, nullptr, false);
    if (!request.is_object()) co_return;
    if (request.value("method", "") != "server.ping") {
      co_await test::write_all(socket, version_answer(request));
      continue;
    }
    const int index = ping++;
    if (script.slow.count(index)) {
      timer.expires_after(std::chrono::milliseconds(script.slow_ms));
      co_await timer.async_wait(asio::use_awaitable);
    }
    // A named reply: GCC 12 destroys a conditional's temporary twice across a co_await.
    std::string reply = script.refuse_from >= 0 && index >= script.refuse_from
                            ? refusal(request)
                            : answer(request, json(), script.pad);
    co_await test::write_all(socket, std::move(reply));
  }
}

test::Behaviour scripted(Script script) {
  return [script](tcp::socket socket) { return serve(std::move(socket), script); };
}

json ramp(const test::LineServer& server, int max_requests) {
  // Slow means 100 x the loopback baseline (at least 500 ms), well clear of a busy CI host's
  // stalls (up to ~460 ms seen); the scripted slow replies take 1 s.
  auto request =
      test::local_probe_request(static_cast<std::uint16_t>(server.port()), "rate_limit_ramp",
                                {{"start_rate", "50"},
                                 {"max_rate", "50"},
                                 {"slow_factor", "100"},
                                 {"max_requests", std::to_string(max_requests)}});
  request.deadline = std::chrono::milliseconds(30000);
  return json::parse(test::run_local_probe(request).result_json());
}

TEST(RateLimitRamp, ALoneSlowReplyIsCountedAndTheRampGoesOn) {
  test::LineServer server(scripted({{12}}));
  auto result = ramp(server, 30);
  EXPECT_FALSE(result["throttled"].get<bool>()) << result;
  EXPECT_EQ(result["requests_sent"], 30) << result;
  EXPECT_GE(result["lone_slow_replies"].get<int>(), 1) << result;
}

TEST(RateLimitRamp, SlowRepliesInARowAreTheThrottleFromTheFirstOfThem) {
  test::LineServer server(scripted({{12, 13, 14, 15}}));
  auto result = ramp(server, 30);
  ASSERT_TRUE(result["throttled"].get<bool>()) << result;
  EXPECT_EQ(result["first_throttle"]["kind"], "slowdown") << result;
  EXPECT_EQ(result["first_throttle"]["request_index"], 12) << result;
  EXPECT_GE(result["first_throttle"]["rtt_us"].get<std::int64_t>(), 1'000'000) << result;
  EXPECT_EQ(result["requests_sent"], 14) << "stops at the confirming reply: " << result;
}

TEST(RateLimitRamp, AnErrorAfterOneSlowReplyIsTheThrottleItself) {
  test::LineServer server(scripted({{12}, 1000, 13}));
  auto result = ramp(server, 30);
  ASSERT_TRUE(result["throttled"].get<bool>()) << result;
  EXPECT_EQ(result["first_throttle"]["kind"], "error") << result;
  EXPECT_EQ(result["first_throttle"]["request_index"], 13) << result;
  EXPECT_EQ(result["requests_sent"], 14) << result;
}

TEST(RateLimitRamp, PaddedRepliesHeldUpToASecondAreNotThrottling) {
  test::LineServer server(scripted({{12, 13, 14, 15}, 900, -1, true}));
  auto result = ramp(server, 30);
  EXPECT_FALSE(result["throttled"].get<bool>()) << result;
  EXPECT_EQ(result["requests_sent"], 30) << result;
  EXPECT_EQ(result["padding_holds"], 4) << result;
  EXPECT_GT(result["achieved_rate"].get<double>(), 0) << result;
  EXPECT_LT(result["achieved_rate"].get<double>(), 50) << "four held replies slow it: " << result;
}

TEST(RateLimitRamp, PaddedRepliesHeldPastTheHoldAreStillASlowdown) {
  test::LineServer server(scripted({{12, 13, 14, 15}, 2600, -1, true}));
  auto result = ramp(server, 30);
  ASSERT_TRUE(result["throttled"].get<bool>()) << result;
  EXPECT_EQ(result["first_throttle"]["kind"], "slowdown") << result;
  EXPECT_EQ(result["first_throttle"]["request_index"], 12) << result;
  EXPECT_EQ(result["padding_holds"], 0) << result;
}

}  // namespace
}  // namespace eo::agent
