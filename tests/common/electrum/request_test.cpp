// Tests the styled serializers byte for byte, and that what they write parses back.
#include "common/electrum/request.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/electrum/line_framer.h"

namespace eo::electrum {
namespace {

const Json kVersionParams = Json::array({"eo/0.1", Json::array({"1.4", "1.6"})});

TEST(Serializers, RequestsInEachOrder) {
  EXPECT_EQ(make_request(0, "server.version", kVersionParams),
            R"({"jsonrpc":"2.0","method":"server.version","params":["eo/0.1",["1.4","1.6"]],)"
            R"("id":0})"
            "\n");
  EXPECT_EQ(make_request(0, "server.version", kVersionParams, LineStyle::electrs()),
            R"({"id":0,"jsonrpc":"2.0","method":"server.version",)"
            R"("params":["eo/0.1",["1.4","1.6"]]})"
            "\n");
  EXPECT_EQ(make_request(7, "server.banner", Json::array(), LineStyle::fulcrum()),
            "{\"id\":7,\"jsonrpc\":\"2.0\",\"method\":\"server.banner\",\"params\":[]}\r\n");
}

TEST(Serializers, NullParamsLeaveTheKeyOut) {
  EXPECT_EQ(make_request(1, "server.version", Json()),
            "{\"jsonrpc\":\"2.0\",\"method\":\"server.version\",\"id\":1}\n");
  EXPECT_EQ(make_notification("server.ping", Json()),
            "{\"jsonrpc\":\"2.0\",\"method\":\"server.ping\"}\n");
}

TEST(Serializers, StringAndNullIds) {
  EXPECT_EQ(make_request("a\"b", "m", Json::array()),
            "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[],\"id\":\"a\\\"b\"}\n");
  EXPECT_EQ(make_result(nullptr, 1), "{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":null}\n");
}

TEST(Serializers, ElectrumxResultAndError) {
  const auto style = LineStyle::electrumx();
  EXPECT_EQ(make_result(0, Json::array({"ElectrumX 1.20.0", "1.6.0"}), style),
            "{\"jsonrpc\":\"2.0\",\"result\":[\"ElectrumX 1.20.0\",\"1.6.0\"],\"id\":0}\n");
  EXPECT_EQ(make_error(1, -32601, "unknown method \"x\"", style),
            "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":"
            "\"unknown method \\\"x\\\"\"},\"id\":1}\n");
  EXPECT_EQ(make_error(nullptr, -32700, "invalid JSON", style),
            "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"invalid JSON\"},"
            "\"id\":null}\n");
}

TEST(Serializers, FulcrumResultAndErrorUseCrlf) {
  const auto style = LineStyle::fulcrum();
  EXPECT_EQ(make_result(0, Json::array({"Fulcrum 2.1.1", "1.6"}), style),
            "{\"id\":0,\"jsonrpc\":\"2.0\",\"result\":[\"Fulcrum 2.1.1\",\"1.6\"]}\r\n");
  EXPECT_EQ(make_error(1, -32601, "Unsupported request: x", style),
            "{\"error\":{\"code\":-32601,\"message\":\"Unsupported request: x\"},\"id\":1,"
            "\"jsonrpc\":\"2.0\"}\r\n");
}

TEST(Serializers, ElectrsSortedWithLf) {
  const auto style = LineStyle::electrs();
  EXPECT_EQ(make_result(2, nullptr, style), "{\"id\":2,\"jsonrpc\":\"2.0\",\"result\":null}\n");
  EXPECT_EQ(make_error(nullptr, -32700, "parse error", style),
            "{\"error\":{\"code\":-32700,\"message\":\"parse error\"},\"id\":null,"
            "\"jsonrpc\":\"2.0\"}\n");
}

TEST(Serializers, ErrorDataFollowsTheOrder) {
  const Json data = {{"b", 1}, {"a", 2}};
  EXPECT_EQ(error_body(3, 1, "m", KeyOrder::electrumx, data),
            R"({"jsonrpc":"2.0","error":{"code":1,"message":"m","data":{"a":2,"b":1}},"id":3})");
  EXPECT_EQ(error_body(3, 1, "m", KeyOrder::sorted, data),
            R"({"error":{"code":1,"data":{"a":2,"b":1},"message":"m"},"id":3,"jsonrpc":"2.0"})");
}

TEST(Serializers, RawResultIsVerbatim) {
  const std::string features =
      R"({"hosts": {}, "pruning": null, "server_version": "ElectrumX 1.20.0"})";
  EXPECT_EQ(make_result(4, RawJson{features}),
            "{\"jsonrpc\":\"2.0\",\"result\":" + features + ",\"id\":4}\n");
}

TEST(Serializers, HeadersNotification) {
  const Json params = Json::array({{{"height", 800000}, {"hex", "00e0ff3f"}}});
  EXPECT_EQ(make_notification("blockchain.headers.subscribe", params),
            R"({"jsonrpc":"2.0","method":"blockchain.headers.subscribe",)"
            R"("params":[{"height":800000,"hex":"00e0ff3f"}]})"
            "\n");
  EXPECT_EQ(make_notification("blockchain.headers.subscribe", params, LineStyle::fulcrum()),
            R"({"jsonrpc":"2.0","method":"blockchain.headers.subscribe",)"
            R"("params":[{"height":800000,"hex":"00e0ff3f"}]})"
            "\r\n");
}

TEST(Serializers, Batches) {
  const std::vector<Call> calls{{1, "server.version", kVersionParams},
                                {2, "server.banner", Json()}};
  EXPECT_EQ(make_batch(calls),
            R"([{"jsonrpc":"2.0","method":"server.version","params":["eo/0.1",["1.4","1.6"]],)"
            R"("id":1},{"jsonrpc":"2.0","method":"server.banner","id":2}])"
            "\n");
  EXPECT_EQ(make_batch(std::span<const Call>{}), "[]\n");
  const std::vector<std::string> bodies{result_body(1, "a", KeyOrder::sorted),
                                        error_body(2, 1, "history too large", KeyOrder::sorted)};
  EXPECT_EQ(join_batch(bodies, LineStyle::fulcrum()),
            R"([{"id":1,"jsonrpc":"2.0","result":"a"},)"
            R"({"error":{"code":1,"message":"history too large"},"id":2,"jsonrpc":"2.0"}])"
            "\r\n");
}

TEST(Serializers, IllFormedUtf8IsReplacedNotThrown) {
  std::string line;
  EXPECT_NO_THROW(line = make_error(1, 1, "bad \xff\xfe bytes"));
  EXPECT_EQ(line,
            "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1,\"message\":"
            "\"bad \xef\xbf\xbd\xef\xbf\xbd bytes\"},\"id\":1}\n");
  EXPECT_NO_THROW(line = make_result(1, Json("x\xc0")));
  EXPECT_NO_THROW(line = make_request(1, "m\xff", Json::array({"\xfe"})));
}

TEST(Serializers, OutputFramesAndParsesBackWithTheRightShape) {
  struct Case {
    LineStyle style;
    std::string result_keys;
    std::string error_keys;
  };
  const std::vector<Case> cases{{LineStyle::electrumx(), "jsonrpc,result,id", "jsonrpc,error,id"},
                                {LineStyle::fulcrum(), "id,jsonrpc,result", "error,id,jsonrpc"},
                                {LineStyle::electrs(), "id,jsonrpc,result", "error,id,jsonrpc"}};
  for (const Case& c : cases) {
    LineFramer framer(1 << 16);
    framer.feed(make_result(5, Json::array({"v", 1}), c.style) +
                make_error(6, -32602, "invalid params", c.style) +
                make_request(7, "server.version", kVersionParams, c.style));
    auto line = framer.next_line();
    ASSERT_TRUE(line);
    EXPECT_EQ(line->crlf, c.style.crlf);
    ParsedLine p = parse_line(line->text);
    EXPECT_EQ(p.shape.key_order, c.result_keys);
    EXPECT_TRUE(p.shape.compact);
    EXPECT_EQ(std::get<Response>(p.message), (Response{5, Json::array({"v", 1}), std::nullopt}));

    line = framer.next_line();
    ASSERT_TRUE(line);
    p = parse_line(line->text);
    EXPECT_EQ(p.shape.key_order, c.error_keys);
    EXPECT_EQ(std::get<Response>(p.message).error, (RpcError{-32602, "invalid params", {}}));

    line = framer.next_line();
    ASSERT_TRUE(line);
    p = parse_line(line->text);
    EXPECT_EQ(std::get<Request>(p.message), (Request{7, "server.version", kVersionParams}));
  }
}

}  // namespace
}  // namespace eo::electrum
