// parse_simple_response against parse_line_full: whenever the shortcut answers, it must answer
// exactly what the full parser does (message, JSON value types, shape); hand-picked lines plus
// random mutations of them.
#include "common/electrum/message.h"
#include "common/electrum/request.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace eo::electrum {
namespace {

// Json's == treats 5u and 5 as equal; the shortcut must build the very type nlohmann parses.
void expect_same_json(const Json& a, const Json& b, const std::string& line) {
  EXPECT_EQ(a.type(), b.type()) << line;
  EXPECT_EQ(a.dump(), b.dump()) << line;
  if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (std::size_t i = 0; i < a.size(); ++i) expect_same_json(a[i], b[i], line);
  }
}

void expect_same_shape(const ResponseShape& a, const ResponseShape& b, const std::string& line) {
  EXPECT_EQ(a.key_order, b.key_order) << line;
  EXPECT_EQ(a.batch, b.batch) << line;
  EXPECT_EQ(a.compact, b.compact) << line;
  EXPECT_EQ(a.duplicate_keys, b.duplicate_keys) << line;
  EXPECT_EQ(a.keys_truncated, b.keys_truncated) << line;
  EXPECT_EQ(a.leading_whitespace, b.leading_whitespace) << line;
  EXPECT_EQ(a.trailing_whitespace, b.trailing_whitespace) << line;
  EXPECT_EQ(a.depth, b.depth) << line;
  EXPECT_EQ(a.too_deep, b.too_deep) << line;
}

// True when the shortcut answered (and then agreed with the full parser).
bool check(const std::string& line, const ParseLimits& limits = {}) {
  auto simple = parse_simple_response(line, limits);
  if (!simple) return false;
  ParsedLine full = parse_line_full(line, limits);
  EXPECT_EQ(simple->message, full.message) << line;
  const auto* a = std::get_if<Response>(&simple->message);
  const auto* b = std::get_if<Response>(&full.message);
  EXPECT_TRUE(a && b) << line;
  if (a && b) {
    expect_same_json(a->id, b->id, line);
    EXPECT_TRUE(a->result && b->result) << line;
    if (a->result && b->result) expect_same_json(*a->result, *b->result, line);
  }
  expect_same_shape(simple->shape, full.shape, line);
  return true;
}

const std::vector<std::string>& samples() {
  static const std::vector<std::string> lines = {
      R"({"jsonrpc":"2.0","result":null,"id":0})",
      R"({"jsonrpc":"2.0","result":null,"id":123456789012345678})",
      R"({"id":7,"jsonrpc":"2.0","result":null})",
      R"({"jsonrpc":"2.0","result":["ElectrumX 1.16.0","1.4"],"id":1})",
      R"({"jsonrpc":"2.0","result":[],"id":2})",
      R"({"jsonrpc":"2.0","result":[1,-2,true,false,null,"x"],"id":3})",
      R"({"jsonrpc":"2.0","result":"Welcome","id":"abc"})",
      R"({"jsonrpc":"2.0","result":-0,"id":-5})",
      R"({"jsonrpc":"2.0","result":0.5,"id":4})",
      R"({"jsonrpc":"2.0","result":1e3,"id":4})",
      R"({"jsonrpc":"2.0","result":12345678901234567890,"id":4})",
      R"({"jsonrpc":"2.0","result":"caf\u00e9","id":4})",
      R"({"jsonrpc":"2.0","result":{"confirmed":1},"id":4})",
      R"({"jsonrpc":"2.0","result":[[1]],"id":4})",
      R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"unknown method"},"id":5})",
      R"({"jsonrpc":"2.0","result":null,"id":true})",
      R"({"jsonrpc":"1.0","result":null,"id":1})",
      R"({"jsonrpc":"2.0","result":null,"result":1,"id":1})",
      R"({"jsonrpc":"2.0","result":null})",
      R"({"jsonrpc": "2.0", "result": null, "id": 1})",
      "  {\"jsonrpc\":\"2.0\",\"result\":null,\"id\":1}   ",
      "\t{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":1}\r",
      R"({"jsonrpc":"2.0","result":null,"id":1}x)",
      R"({"jsonrpc":"2.0","result":null,"id":01})",
      R"({"jsonrpc":"2.0","result":nul,"id":1})",
      R"({"jsonrpc":"2.0","result":"a\"b","id":1})",
      R"([{"jsonrpc":"2.0","result":null,"id":1}])",
      R"({"jsonrpc":"2.0","method":"server.ping","params":[],"id":1})",
  };
  return lines;
}

TEST(SimpleResponse, TakesTheCommonShapes) {
  EXPECT_TRUE(check(R"({"jsonrpc":"2.0","result":null,"id":0})"));
  EXPECT_TRUE(check(R"({"id":7,"jsonrpc":"2.0","result":null})"));
  EXPECT_TRUE(check(R"({"jsonrpc":"2.0","result":["ElectrumX 1.16.0","1.4"],"id":1})"));
  EXPECT_TRUE(check(R"({"jsonrpc":"2.0","result":[1,-2,true,false,null,"x"],"id":3})"));
  EXPECT_TRUE(check(R"({"jsonrpc":"2.0","result":-0,"id":-5})"));
  EXPECT_TRUE(check("  {\"jsonrpc\":\"2.0\",\"result\":null,\"id\":1}   "));
}

TEST(SimpleResponse, LeavesEverythingElseToTheFullParser) {
  for (const char* line : {
           R"({"jsonrpc":"2.0","result":0.5,"id":4})",
           R"({"jsonrpc":"2.0","result":12345678901234567890,"id":4})",
           R"({"jsonrpc":"2.0","result":{"confirmed":1},"id":4})",
           R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"unknown method"},"id":5})",
           R"({"jsonrpc":"2.0","result":null,"id":true})",
           R"({"jsonrpc":"2.0","result":null,"result":1,"id":1})",
           R"({"jsonrpc": "2.0", "result": null, "id": 1})",
           R"({"jsonrpc":"2.0","result":null,"id":1}x)",
           R"({"jsonrpc":"2.0","result":"a\"b","id":1})",
       }) {
    EXPECT_FALSE(parse_simple_response(line)) << line;
  }
  ParseLimits shallow;
  shallow.max_depth = 1;
  EXPECT_FALSE(parse_simple_response(R"({"jsonrpc":"2.0","result":[],"id":2})", shallow));
  EXPECT_TRUE(check(R"({"jsonrpc":"2.0","result":null,"id":2})", shallow));
}

TEST(SimpleResponse, AgreesWithTheFullParserUnderMutation) {
  std::mt19937 random(20261121);
  const std::string alphabet =
      "{}[],:\"\\ 0123456789-.eEnulltruefalse\x01\x7f\xc3\xa9"
      "abcidresult";
  std::size_t answered = 0;
  std::size_t total = 0;
  for (const std::string& sample : samples()) {
    check(sample);
    for (int round = 0; round < 2000; ++round) {
      std::string line = sample;
      int edits = 1 + static_cast<int>(random() % 3);
      for (int e = 0; e < edits && !line.empty(); ++e) {
        std::size_t at = random() % line.size();
        char c = alphabet[random() % alphabet.size()];
        switch (random() % 3) {
          case 0:
            line[at] = c;
            break;
          case 1:
            line.insert(line.begin() + static_cast<std::ptrdiff_t>(at), c);
            break;
          default:
            line.erase(at, 1);
            break;
        }
      }
      ++total;
      if (check(line)) ++answered;
    }
  }
  // The mutations must exercise the shortcut, not only its refusals.
  EXPECT_GT(answered, total / 100);
}

TEST(AppendRequest, WritesWhatMakeRequestWrites) {
  for (const Json& params : {Json::array(), Json(nullptr), Json::array({"abc", 5, true}),
                             Json::object({{"b", 1}, {"a", "x"}}), Json::array({"caf\xc3\xa9"}),
                             Json::array({std::string("bad\xff")})}) {
    for (std::string method : {std::string("server.ping"), std::string("a\"b\n"),
                               std::string("caf\xc3\xa9"), std::string("bad\xfe")}) {
      for (std::int64_t id : {std::int64_t{0}, std::int64_t{42}, std::int64_t{-7}}) {
        std::string out = "prefix";
        append_request(out, id, method, params);
        EXPECT_EQ(out, "prefix" + make_request(id, method, params));
      }
    }
  }
}

}  // namespace
}  // namespace eo::electrum
