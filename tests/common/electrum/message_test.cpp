// Tests parse_line on real server reply shapes and on hostile input.
#include "common/electrum/message.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace eo::electrum {
namespace {

template <typename T>
T expect_kind(std::string_view line, const ParseLimits& limits = {}) {
  const ParsedLine parsed = parse_line(line, limits);
  if (!std::holds_alternative<T>(parsed.message)) {
    const auto* f = std::get_if<ParseFailure>(&parsed.message);
    ADD_FAILURE() << "unexpected message kind for: " << line.substr(0, 200)
                  << (f ? " failure: " + std::string(to_string(f->kind)) + " " + f->detail : "");
    return T{};
  }
  return std::get<T>(parsed.message);
}

ParseFailure expect_failure(std::string_view line, ParseErrorKind kind,
                            const ParseLimits& limits = {}) {
  const ParseFailure f = expect_kind<ParseFailure>(line, limits);
  EXPECT_EQ(to_string(f.kind), to_string(kind)) << f.detail;
  return f;
}

TEST(ParseLine, ElectrumxVersionResult) {
  const auto r =
      expect_kind<Response>(R"({"jsonrpc":"2.0","result":["ElectrumX 1.20.0","1.6.0"],"id":0})");
  EXPECT_EQ(r.id, 0);
  ASSERT_TRUE(r.result);
  EXPECT_EQ(*r.result, Json::array({"ElectrumX 1.20.0", "1.6.0"}));
  EXPECT_FALSE(r.error);
}

TEST(ParseLine, OldElectrumxVersionIsAPlainString) {
  const auto r = expect_kind<Response>(R"({"jsonrpc":"2.0","result":"1.4.3","id":7})");
  EXPECT_EQ(*r.result, "1.4.3");
}

TEST(ParseLine, ElectrumxErrors) {
  auto r = expect_kind<Response>(
      R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"unknown method \"x\""},"id":3})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, -32601);
  EXPECT_EQ(r.error->message, "unknown method \"x\"");
  EXPECT_FALSE(r.result);

  r = expect_kind<Response>(
      R"({"jsonrpc":"2.0","error":{"code":-32700,"message":"invalid JSON"},"id":null})");
  EXPECT_TRUE(r.id.is_null());
  EXPECT_EQ(r.error->code, -32700);

  r = expect_kind<Response>(
      R"({"jsonrpc":"2.0","error":{"code":-32600,"message":"batch is empty"},"id":null})");
  EXPECT_EQ(r.error->message, "batch is empty");

  r = expect_kind<Response>(
      R"({"jsonrpc":"2.0","error":{"code":-101,"message":"excessive resource usage"},"id":12})");
  EXPECT_EQ(r.error->code, -101);
}

TEST(ParseLine, FulcrumResultAndErrorStrings) {
  auto r = expect_kind<Response>(R"({"id":0,"jsonrpc":"2.0","result":["Fulcrum 2.1.1","1.6"]})");
  EXPECT_EQ((*r.result)[1], "1.6");

  r = expect_kind<Response>(
      R"({"error":{"code":-32601,"message":"Unsupported request: x"},"id":1,"jsonrpc":"2.0"})");
  EXPECT_EQ(r.error->message, "Unsupported request: x");

  r = expect_kind<Response>(
      R"({"error":{"code":-32700,"message":"Failed to parse Json from string: {"},"id":null,)"
      R"("jsonrpc":"2.0"})");
  EXPECT_EQ(r.error->code, -32700);
  EXPECT_EQ(r.error->message, "Failed to parse Json from string: {");

  r = expect_kind<Response>(
      R"({"error":{"code":-32602,"message":"Expected at least 1 parameter for )"
      R"(blockchain.scripthash.get_history, got 0 instead"},"id":4,"jsonrpc":"2.0"})");
  EXPECT_EQ(r.error->code, -32602);
}

TEST(ParseLine, ElectrsErrors) {
  auto r = expect_kind<Response>(
      R"({"error":{"code":-32700,"message":"parse error"},"id":null,"jsonrpc":"2.0"})");
  EXPECT_EQ(r.error->message, "parse error");
  r = expect_kind<Response>(
      R"({"error":{"code":-32601,"message":"method not found"},"id":2,"jsonrpc":"2.0"})");
  EXPECT_EQ(r.error->code, -32601);
}

TEST(ParseLine, ErrorDataIsKept) {
  const auto r = expect_kind<Response>(
      R"({"jsonrpc":"2.0","error":{"code":1,"message":"m","data":{"why":[1,2]}},"id":"a"})");
  ASSERT_TRUE(r.error->data);
  EXPECT_EQ((*r.error->data)["why"][1], 2);
  EXPECT_EQ(r.id, "a");
}

TEST(ParseLine, NullResultIsAResult) {
  const auto r = expect_kind<Response>(R"({"id":3,"jsonrpc":"2.0","result":null})");
  ASSERT_TRUE(r.result);
  EXPECT_TRUE(r.result->is_null());
  EXPECT_FALSE(r.error);
}

TEST(ParseLine, HeadersNotification) {
  const auto n = expect_kind<Notification>(
      R"({"jsonrpc":"2.0","method":"blockchain.headers.subscribe","params":[{"height":800000,)"
      R"("hex":"00e0ff3f"}]})");
  EXPECT_EQ(n.method, "blockchain.headers.subscribe");
  EXPECT_EQ(n.params[0]["height"], 800000);
}

TEST(ParseLine, ScripthashNotificationAndMissingParams) {
  auto n = expect_kind<Notification>(
      R"({"jsonrpc":"2.0","method":"blockchain.scripthash.subscribe","params":["ab",null]})");
  EXPECT_TRUE(n.params[1].is_null());
  n = expect_kind<Notification>(R"({"jsonrpc":"2.0","method":"server.ping"})");
  EXPECT_TRUE(n.params.is_null());
  n = expect_kind<Notification>(R"({"method":"m","params":null})");
  EXPECT_TRUE(n.params.is_null());
}

TEST(ParseLine, ClientRequests) {
  auto q = expect_kind<Request>(
      R"({"jsonrpc":"2.0","method":"server.version","params":["electrum/4.3.4","1.4"],"id":0})");
  EXPECT_EQ(q.id, 0);
  EXPECT_EQ(q.method, "server.version");
  EXPECT_EQ(q.params[0], "electrum/4.3.4");
  q = expect_kind<Request>(R"({"id":"x","method":"server.features","params":{}})");
  EXPECT_TRUE(q.params.is_object());
  q = expect_kind<Request>(R"({"id":null,"method":"server.banner"})");
  EXPECT_TRUE(q.id.is_null());
}

TEST(ParseLine, BatchReplies) {
  const auto b = expect_kind<Batch>(
      R"([{"jsonrpc":"2.0","result":"1.4","id":1},{"jsonrpc":"2.0","error":{"code":1,)"
      R"("message":"history too large"},"id":2},3,{"result":1}])");
  ASSERT_EQ(b.elements.size(), 4u);
  EXPECT_EQ(std::get<Response>(b.elements[0]).result, Json("1.4"));
  EXPECT_EQ(std::get<Response>(b.elements[1]).error->message, "history too large");
  EXPECT_EQ(std::get<ParseFailure>(b.elements[2]).kind, ParseErrorKind::not_object);
  EXPECT_EQ(std::get<ParseFailure>(b.elements[3]).kind, ParseErrorKind::invalid_message);
}

TEST(ParseLine, BatchLimits) {
  expect_failure("[]", ParseErrorKind::empty_batch);
  expect_failure(" [ ] ", ParseErrorKind::empty_batch);
  ParseLimits limits;
  limits.max_batch = 2;
  expect_failure(R"([{"id":1,"result":1},{"id":2,"result":2},{"id":3,"result":3}])",
                 ParseErrorKind::batch_too_large, limits);
  EXPECT_EQ(
      expect_kind<Batch>(R"([{"id":1,"result":1},{"id":2,"result":2}])", limits).elements.size(),
      2u);
  // A nested batch is an element that is not an object.
  const auto b = expect_kind<Batch>(R"([[{"id":1,"result":1}]])");
  EXPECT_EQ(std::get<ParseFailure>(b.elements[0]).kind, ParseErrorKind::not_object);
}

TEST(ParseLine, NotJson) {
  expect_failure("{", ParseErrorKind::not_json);
  expect_failure(R"({"id":1,"result":1} x)", ParseErrorKind::not_json);
  expect_failure(R"({"id":1,"result":1}{"id":2,"result":2})", ParseErrorKind::not_json);
  expect_failure("<html>update your wallet</html>", ParseErrorKind::not_json);
  expect_failure(R"({'id':1})", ParseErrorKind::not_json);
  expect_failure(std::string("{\"id\":1,\0\"result\":1}", 20), ParseErrorKind::not_json);
  expect_failure("\xff\xfe", ParseErrorKind::not_json);
}

TEST(ParseLine, EmptyLines) {
  expect_failure("", ParseErrorKind::empty_line);
  expect_failure(" \t\r ", ParseErrorKind::empty_line);
}

TEST(ParseLine, InvalidUtf8InsideAString) {
  const auto f = expect_failure("{\"jsonrpc\":\"2.0\",\"result\":\"a\xff\xfe\",\"id\":1}",
                                ParseErrorKind::invalid_utf8);
  EXPECT_EQ(f.detail.find('\xff'), std::string::npos);
  expect_failure("{\"id\":1,\"result\":\"\xc0\xaf\"}", ParseErrorKind::invalid_utf8);  // overlong
  // An encoded surrogate half.
  expect_failure("{\"id\":1,\"result\":\"\xed\xa0\x80\"}", ParseErrorKind::invalid_utf8);
  expect_failure("{\"id\":1,\"result\":\"\xe2\x82\"}", ParseErrorKind::invalid_utf8);  // truncated
  // Well-formed multibyte text and escaped surrogate pairs are fine.
  const auto r = expect_kind<Response>("{\"id\":1,\"result\":\"\xe2\x82\xbf \\ud83d\\ude00\"}");
  EXPECT_EQ(*r.result, "\xe2\x82\xbf \xf0\x9f\x98\x80");
  expect_failure(R"({"id":1,"result":"\udc00"})", ParseErrorKind::not_json);  // lone surrogate
}

TEST(ParseLine, DeepNestingIsRefusedBeforeParsing) {
  expect_failure(std::string(100000, '['), ParseErrorKind::too_deep);
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  expect_failure(objects, ParseErrorKind::too_deep);
  std::string balanced = std::string(100000, '[') + std::string(100000, ']');
  expect_failure(balanced, ParseErrorKind::too_deep);
  // Brackets inside a string are text, not nesting.
  const auto r =
      expect_kind<Response>("{\"id\":1,\"result\":\"" + std::string(100000, '[') + "\"}");
  EXPECT_EQ(r.result->get<std::string>().size(), 100000u);
}

TEST(ParseLine, DepthLimitIsExact) {
  auto nested = [](int depth) {  // the response object is level 1
    return R"({"id":1,"result":)" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
  };
  ParseLimits limits;
  limits.max_depth = 64;
  expect_kind<Response>(nested(64), limits);
  expect_failure(nested(65), ParseErrorKind::too_deep, limits);
}

TEST(ParseLine, HugeNumbers) {
  auto r = expect_kind<Response>(R"({"id":123456789012345678901234567890,"result":1})");
  EXPECT_TRUE(r.id.is_number_float());
  r = expect_kind<Response>(R"({"id":1,"result":18446744073709551615})");
  EXPECT_EQ(r.result->get<std::uint64_t>(), 18446744073709551615u);
  r = expect_kind<Response>(R"({"id":1,"result":1e308})");
  EXPECT_TRUE(r.result->is_number_float());
  expect_failure(R"({"id":1,"result":1e400})", ParseErrorKind::not_json);
  expect_failure(R"({"id":1,"result":-1e400})", ParseErrorKind::not_json);
  r = expect_kind<Response>(R"({"id":1,"result":1e-400})");
  EXPECT_EQ(r.result->get<double>(), 0.0);
  expect_failure("{\"id\":1,\"result\":1" + std::string(5000, '0') + "}", ParseErrorKind::not_json);
  r = expect_kind<Response>(R"({"id":1,"error":{"code":-9223372036854775808,"message":"min"}})");
  EXPECT_EQ(r.error->code, std::numeric_limits<std::int64_t>::min());
  r = expect_kind<Response>(R"({"id":1,"error":{"code":9223372036854775807,"message":"max"}})");
  EXPECT_EQ(r.error->code, std::numeric_limits<std::int64_t>::max());
  expect_failure(R"({"id":1,"error":{"code":9223372036854775808,"message":"m"}})",
                 ParseErrorKind::invalid_message);
  expect_failure(R"({"id":1,"error":{"code":1e30,"message":"m"}})",
                 ParseErrorKind::invalid_message);
}

TEST(ParseLine, DuplicateKeysKeepTheLastValue) {
  const ParsedLine p = parse_line(R"({"id":1,"result":"a","id":2,"jsonrpc":"2.0"})");
  const auto& r = std::get<Response>(p.message);
  EXPECT_EQ(r.id, 2);
  EXPECT_TRUE(p.shape.duplicate_keys);
  EXPECT_EQ(p.shape.key_order, "id,result,id,jsonrpc");
}

TEST(ParseLine, InvalidMessages) {
  using K = ParseErrorKind;
  expect_failure("42", K::not_object);
  expect_failure(R"("hello")", K::not_object);
  expect_failure("null", K::not_object);
  expect_failure("{}", K::invalid_message);
  expect_failure(R"({"jsonrpc":"2.0","result":1})", K::invalid_message);  // no id
  expect_failure(R"({"jsonrpc":"2.0","id":1})", K::invalid_message);      // no result or error
  expect_failure(R"({"jsonrpc":"1.0","result":1,"id":1})", K::invalid_message);
  expect_failure(R"({"jsonrpc":2,"result":1,"id":1})", K::invalid_message);
  expect_failure(R"({"result":1,"error":{"code":1,"message":"m"},"id":1})", K::invalid_message);
  expect_failure(R"({"error":"boom","id":1})", K::invalid_message);
  expect_failure(R"({"error":{"code":"1","message":"m"},"id":1})", K::invalid_message);
  expect_failure(R"({"error":{"code":1.5,"message":"m"},"id":1})", K::invalid_message);
  expect_failure(R"({"error":{"code":1},"id":1})", K::invalid_message);
  expect_failure(R"({"error":{"code":1,"message":null},"id":1})", K::invalid_message);
  expect_failure(R"({"result":1,"id":{"a":1}})", K::invalid_message);
  expect_failure(R"({"result":1,"id":[1]})", K::invalid_message);
  expect_failure(R"({"result":1,"id":true})", K::invalid_message);
  expect_failure(R"({"method":7,"params":[]})", K::invalid_message);
  expect_failure(R"({"method":"m","params":"x"})", K::invalid_message);
  expect_failure(R"({"method":"m","params":1,"id":1})", K::invalid_message);
  expect_failure(R"({"method":"m","id":[],"params":[]})", K::invalid_message);
  expect_failure(R"({"method":"m","result":1,"id":1})", K::invalid_message);
}

TEST(ParseLine, LenientForms) {
  auto r = expect_kind<Response>(R"({"result":5,"id":1})");  // no "jsonrpc"
  EXPECT_EQ(*r.result, 5);
  r = expect_kind<Response>(R"({"result":5,"error":null,"id":1})");  // JSON-RPC 1.0 habit
  EXPECT_EQ(*r.result, 5);
  EXPECT_FALSE(r.error);
  r = expect_kind<Response>(R"({"result":null,"error":{"code":2,"message":"m"},"id":1})");
  EXPECT_FALSE(r.result);
  EXPECT_EQ(r.error->code, 2);
  r = expect_kind<Response>(R"({"result":1,"id":2.5})");
  EXPECT_TRUE(r.id.is_number_float());
}

TEST(ParseLine, ParseErrorKindNamesAreStable) {
  EXPECT_EQ(to_string(ParseErrorKind::empty_line), "empty_line");
  EXPECT_EQ(to_string(ParseErrorKind::not_json), "not_json");
  EXPECT_EQ(to_string(ParseErrorKind::invalid_utf8), "invalid_utf8");
  EXPECT_EQ(to_string(ParseErrorKind::too_deep), "too_deep");
  EXPECT_EQ(to_string(ParseErrorKind::not_object), "not_object");
  EXPECT_EQ(to_string(ParseErrorKind::invalid_message), "invalid_message");
  EXPECT_EQ(to_string(ParseErrorKind::empty_batch), "empty_batch");
  EXPECT_EQ(to_string(ParseErrorKind::batch_too_large), "batch_too_large");
}

}  // namespace
}  // namespace eo::electrum
