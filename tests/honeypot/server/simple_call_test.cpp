// parse_simple_call, the dispatcher's shortcut for the common request line: whenever it answers,
// it must answer exactly what electrum::parse_line does (same alternative, same values, same
// JSON number types), on hand-picked lines and on many random mutations of them.
#include "honeypot/server/simple_call.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace eo::honeypot::server {
namespace {

using Json = nlohmann::json;

// Equal values of equal JSON types all the way down (nlohmann's == calls 1 and 1u equal).
bool same(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

// Fails the test when the shortcut answers and disagrees with parse_line; true when it answered.
bool agrees(const std::string& line) {
  const auto simple = parse_simple_call(line);
  if (!simple) return false;
  const electrum::ParsedLine full = electrum::parse_line(line);
  EXPECT_FALSE(full.shape.batch) << line;
  EXPECT_EQ(simple->index(), full.message.index()) << line;
  if (simple->index() != full.message.index()) return true;
  if (const auto* r = std::get_if<electrum::Request>(&*simple)) {
    const auto& f = std::get<electrum::Request>(full.message);
    EXPECT_EQ(r->method, f.method) << line;
    EXPECT_TRUE(same(r->id, f.id)) << line;
    EXPECT_TRUE(same(r->params, f.params)) << line;
  } else if (const auto* n = std::get_if<electrum::Notification>(&*simple)) {
    const auto& f = std::get<electrum::Notification>(full.message);
    EXPECT_EQ(n->method, f.method) << line;
    EXPECT_TRUE(same(n->params, f.params)) << line;
  } else {
    ADD_FAILURE() << "neither a request nor a notification: " << line;
  }
  return true;
}

const std::vector<std::string> kSimple = {
    R"({"jsonrpc":"2.0","method":"server.ping","id":7})",
    R"({"jsonrpc":"2.0","method":"blockchain.scripthash.subscribe","params":["8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161"],"id":12})",
    R"({"id":"a-b","method":"server.version","params":["electrum/4.3.4","1.4"],"jsonrpc":"2.0"})",
    R"({"method": "server.version", "params": ["x", "1.4"], "id": 0})",
    R"(  {"jsonrpc" : "2.0" ,"method":"m","params":[1,-2,true,false,null,"s"],"id":-5}	)",
    R"({"method":"m","params":null,"id":null})",
    R"({"method":"m","params":[]})",
    R"({"method":"m","params":[ ]})",
    R"({"method":"blockchain.headers.subscribe"})",
    R"({"method":"m","id":123456789012345678})",
    R"({"method":"m","id":-0})",
};

TEST(SimpleCall, AnswersTheCommonShapesLikeParseLine) {
  for (const auto& line : kSimple) EXPECT_TRUE(agrees(line)) << line;
  const auto request =
      parse_simple_call(R"({"jsonrpc":"2.0","method":"m","params":["a",1],"id":3})");
  ASSERT_TRUE(request);
  const auto& r = std::get<electrum::Request>(*request);
  EXPECT_EQ(r.method, "m");
  EXPECT_TRUE(r.id.is_number_unsigned());
  EXPECT_EQ(r.params, Json::parse(R"(["a",1])"));
}

TEST(SimpleCall, LeavesEverythingElseToParseLine) {
  const char* lines[] = {
      "",
      " ",
      "{}",
      "[]",
      R"([{"method":"m","id":1}])",
      R"({"method":"m","id":1,})",
      R"({"method":"m","id":1} x)",
      R"({"method":"m","id":1}})",
      R"({"method":"m\u0041","id":1})",
      R"({"method":"m\"","id":1})",
      "{\"method\":\"m\xc3\xa9\",\"id\":1}",
      "{\"method\":\"m\x01\",\"id\":1}",
      R"({"method":"m","id":1.0})",
      R"({"method":"m","id":1e3})",
      R"({"method":"m","id":01})",
      R"({"method":"m","id":1234567890123456789})",
      R"({"method":"m","id":true})",
      R"({"method":"m","id":[1]})",
      R"({"method":"m","id":nul})",
      R"({"method":"m","id":nullx})",
      R"({"method":"m","params":{"a":1},"id":1})",
      R"({"method":"m","params":[[1]],"id":1})",
      R"({"method":"server.version","params":["x",["1.4","1.6"]],"id":0})",
      R"({"method":"m","params":[1.5],"id":1})",
      R"({"method":"m","params":"x","id":1})",
      R"({"method":1,"id":1})",
      R"({"method":"m","method":"n","id":1})",
      R"({"method":"m","id":1,"id":2})",
      R"({"jsonrpc":"1.0","method":"m","id":1})",
      R"({"jsonrpc":2.0,"method":"m","id":1})",
      R"({"method":"m","id":1,"result":null})",
      R"({"id":1,"result":5})",
      R"({"method":"m","id":1,"extra":0})",
      R"({"method" "m","id":1})",
      R"({"method":"m" "id":1})",
  };
  for (const char* line : lines) EXPECT_FALSE(parse_simple_call(line)) << line;
}

TEST(SimpleCall, AgreesWithParseLineOnMutatedLines) {
  std::mt19937 rng(20240611);
  static constexpr char kAlphabet[] = "{}[]\":,. \t\r\n-+0123456789eEtrufalsn\\x\x7f\xc3\xa9\0abc";
  const std::string alphabet(kAlphabet, sizeof kAlphabet - 1);
  std::size_t answered = 0;
  std::size_t tried = 0;
  for (const auto& seed : kSimple) {
    for (int round = 0; round < 3000; ++round) {
      std::string line = seed;
      const int edits = 1 + static_cast<int>(rng() % 3);
      for (int e = 0; e < edits && !line.empty(); ++e) {
        const std::size_t at = rng() % line.size();
        const char c = alphabet[rng() % alphabet.size()];
        switch (rng() % 3) {
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
      ++tried;
      if (agrees(line)) ++answered;
    }
  }
  // The mutations must exercise the shortcut, not only its refusals.
  EXPECT_GT(answered, tried / 20);
}

}  // namespace
}  // namespace eo::honeypot::server
