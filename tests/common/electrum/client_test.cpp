// The Electrum client against honest and hostile peers: every case ends in a named outcome with
// bounded memory, never a crash or a hang.
#include "common/electrum/client.h"

#include "tests/support/certs.h"
#include "tests/support/hostile_peers.h"
#include "tests/support/process.h"
#include "tests/support/run.h"

#include <gtest/gtest.h>

namespace eo::electrum {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using net::Outcome;
using std::chrono::milliseconds;

net::ConnectOptions to(int port) {
  net::ConnectOptions options;
  options.host = "127.0.0.1";
  options.port = static_cast<std::uint16_t>(port);
  options.connect_timeout = options.io_timeout = milliseconds(2000);
  return options;
}

struct Session {
  net::Failure connect;
  Reply reply;
  std::size_t peak_buffered = 0;
  std::size_t notifications = 0;
  std::uint64_t dropped = 0;
  std::uint64_t stray = 0;
  std::string sent;
  std::string received;
  bool received_truncated = false;
};

Session one_call(net::ConnectOptions options, ClientLimits limits = {},
                 std::string method = "server.version",
                 Json params = Json::array({"probe", "1.4"})) {
  return test::run<Session>([=](asio::io_context& io) -> asio::awaitable<Session> {
    Client client(io.get_executor(), limits);
    Session s;
    s.connect = co_await client.connect(options);
    if (s.connect.ok()) s.reply = co_await client.call(method, params);
    s.peak_buffered = client.peak_buffered_bytes();
    s.notifications = client.notifications().size();
    s.dropped = client.dropped_notifications();
    s.stray = client.stray_replies();
    s.sent = client.transcript().sent_bytes();
    s.received = client.transcript().received_bytes();
    s.received_truncated = client.transcript().received_truncated();
    co_return s;
  });
}

TEST(Client, HonestReplyIsMatchedAndRecorded) {
  test::LineServer server(test::echo_electrum());
  auto s = one_call(to(server.port()));
  ASSERT_TRUE(s.connect.ok()) << s.connect.detail;
  EXPECT_EQ(s.reply.outcome(), Outcome::ok) << s.reply.failure.detail;
  EXPECT_EQ(s.reply.result, "server.version");
  EXPECT_EQ(s.reply.shape.key_order, "id,jsonrpc,result");  // nlohmann sorts: electrs-like
  EXPECT_FALSE(s.reply.crlf);
  EXPECT_EQ(s.sent, R"({"jsonrpc":"2.0","method":"server.version","params":["probe","1.4"],"id":0})"
                    "\n");
  EXPECT_EQ(s.received, s.reply.line + "\n");
}

TEST(Client, RpcErrorIsAnOutcomeWithCodeAndMessage) {
  test::LineServer server([](tcp::socket socket) -> asio::awaitable<void> {
    co_await test::read_line(socket);
    co_await test::write_all(socket,
                             "{\"id\":0,\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":"
                             "\"Unsupported request: x\"}}\r\n");
    co_await test::read_line(socket);
  });
  auto s = one_call(to(server.port()), {}, "x");
  EXPECT_EQ(s.reply.outcome(), Outcome::rpc_error);
  ASSERT_TRUE(s.reply.error);
  EXPECT_EQ(s.reply.error->code, -32601);
  EXPECT_EQ(s.reply.error->message, "Unsupported request: x");
  EXPECT_TRUE(s.reply.crlf);
}

TEST(Client, NotificationsAndStrayRepliesAreSetAside) {
  test::LineServer server([](tcp::socket socket) -> asio::awaitable<void> {
    co_await test::read_line(socket);
    co_await test::write_all(
        socket,
        std::string(R"({"jsonrpc":"2.0","method":"blockchain.headers.subscribe","params":[{}]})") +
            "\n" + R"({"jsonrpc":"2.0","result":1,"id":99})" + "\n" +
            test::hostile::honest_reply(0));
    co_await test::read_line(socket);
  });
  auto s = one_call(to(server.port()));
  EXPECT_EQ(s.reply.outcome(), Outcome::ok);
  EXPECT_EQ(s.notifications, 1u);
  EXPECT_EQ(s.stray, 1u);
}

TEST(Client, BatchRepliesAreMatchedByIdAndMissingOnesNamed) {
  test::LineServer server([](tcp::socket socket) -> asio::awaitable<void> {
    co_await test::read_line(socket);
    // Out of order, one missing, one error.
    co_await test::write_all(socket,
                             R"([{"jsonrpc":"2.0","result":"c","id":2},)"
                             R"({"jsonrpc":"2.0","error":{"code":1,"message":"bad"},"id":0}])"
                             "\n");
    co_await test::read_line(socket);
  });
  auto batch = test::run<BatchReply>([&](asio::io_context& io) -> asio::awaitable<BatchReply> {
    Client client(io.get_executor());
    co_await client.connect(to(server.port()));
    std::vector<Call> calls;
    for (const char* method : {"a", "b", "c"}) {
      calls.push_back(Call{Json(), std::string(method), Json::array()});
    }
    co_return co_await client.call_batch(std::move(calls));
  });
  ASSERT_TRUE(batch.failure.ok()) << batch.failure.detail;
  ASSERT_EQ(batch.items.size(), 3u);
  EXPECT_EQ(batch.items[0].outcome(), Outcome::rpc_error);
  EXPECT_EQ(batch.items[1].outcome(), Outcome::protocol_error);
  EXPECT_EQ(batch.items[1].failure.detail, "read:batch_item_missing");
  EXPECT_EQ(batch.items[2].result, "c");
}

// --- the hostile corpus ---

TEST(ClientHostile, EndlessLineIsAProtocolErrorWithBoundedMemory) {
  test::LineServer server(test::hostile::endless_line());
  ClientLimits limits;
  limits.max_line_bytes = 1 << 20;
  auto rss_before = test::current_rss_bytes();
  auto s = one_call(to(server.port()), limits);
  EXPECT_EQ(s.reply.outcome(), Outcome::protocol_error);
  EXPECT_EQ(s.reply.failure.detail, "read:line_too_long");
  EXPECT_LE(s.peak_buffered, limits.max_line_bytes + 1 + limits.read_chunk);
  EXPECT_TRUE(s.received_truncated);
  EXPECT_LE(s.received.size(), limits.transcript_bytes);
  EXPECT_LT(test::current_rss_bytes(), rss_before + (32u << 20));
}

TEST(ClientHostile, InvalidUtf8IsAProtocolError) {
  test::LineServer server(test::hostile::invalid_utf8_reply());
  auto s = one_call(to(server.port()));
  EXPECT_EQ(s.reply.outcome(), Outcome::protocol_error);
  EXPECT_EQ(s.reply.failure.detail, "read:invalid_utf8");
  EXPECT_NE(s.received.find('\xff'), std::string::npos);  // the raw bytes are kept as evidence
}

TEST(ClientHostile, GarbageInsteadOfJsonIsAProtocolError) {
  test::LineServer server(test::hostile::garbage());
  auto s = one_call(to(server.port()));
  EXPECT_EQ(s.reply.outcome(), Outcome::protocol_error) << s.reply.failure.detail;
}

TEST(ClientHostile, GarbageInsteadOfTlsIsATlsError) {
  test::LineServer server(test::hostile::garbage());
  auto options = to(server.port());
  options.tls.enabled = true;
  auto s = one_call(options);
  EXPECT_EQ(s.connect.outcome, Outcome::tls_error) << s.connect.detail;
}

TEST(ClientHostile, SlowDripHitsTheDeadline) {
  test::LineServer server(test::hostile::slow_drip(milliseconds(50)));
  auto options = to(server.port());
  options.deadline = net::Clock::now() + milliseconds(600);
  auto start = net::Clock::now();
  auto s = one_call(options);
  EXPECT_EQ(s.reply.outcome(), Outcome::timeout) << s.reply.failure.detail;
  EXPECT_LT(net::Clock::now() - start, std::chrono::seconds(2));
  EXPECT_FALSE(s.received.empty());
}

TEST(ClientHostile, ResetMidReplyIsAReset) {
  test::LineServer server(test::hostile::reset_mid_reply());
  auto s = one_call(to(server.port()));
  EXPECT_EQ(s.reply.outcome(), Outcome::reset) << s.reply.failure.detail;
}

TEST(ClientHostile, CloseMidReplyIsClosedByPeer) {
  test::LineServer server(test::hostile::close_mid_reply());
  auto s = one_call(to(server.port()));
  EXPECT_EQ(s.reply.outcome(), Outcome::closed_by_peer) << s.reply.failure.detail;
  EXPECT_EQ(s.reply.failure.detail, "read:eof_error");
}

TEST(ClientHostile, NotificationFloodKeepsABoundedQueue) {
  test::LineServer server(test::hostile::notification_flood(5000));
  ClientLimits limits;
  limits.max_notifications = 100;
  auto s = one_call(to(server.port()), limits);
  EXPECT_EQ(s.reply.outcome(), Outcome::ok);
  EXPECT_EQ(s.notifications, 100u);
  EXPECT_EQ(s.dropped, 4900u);
}

TEST(ClientHostile, SessionByteBudgetIsEnforced) {
  test::LineServer server(test::hostile::notification_flood(100000));
  ClientLimits limits;
  limits.max_session_bytes = 256 << 10;
  auto s = one_call(to(server.port()), limits);
  EXPECT_EQ(s.reply.outcome(), Outcome::protocol_error);
  EXPECT_EQ(s.reply.failure.detail, "read:response_too_large");
}

TEST(ClientHostile, SilentServerTimesOut) {
  test::LineServer server(test::hostile::silent());
  auto options = to(server.port());
  options.io_timeout = milliseconds(200);
  auto s = one_call(options);
  EXPECT_EQ(s.reply.outcome(), Outcome::timeout);
}

}  // namespace
}  // namespace eo::electrum
