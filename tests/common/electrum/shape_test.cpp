// Tests scan_shape: key order and spacing of ElectrumX, Fulcrum, electrs and EPS style lines.
#include "common/electrum/shape.h"

#include <gtest/gtest.h>

#include <string>

#include "common/electrum/message.h"

namespace eo::electrum {
namespace {

ResponseShape shape_of(std::string_view line) { return scan_shape(line, 64); }

TEST(ScanShape, ElectrumxResultAndError) {
  auto s = shape_of(R"({"jsonrpc":"2.0","result":["ElectrumX 1.20.0","1.6.0"],"id":0})");
  EXPECT_EQ(s.key_order, "jsonrpc,result,id");
  EXPECT_TRUE(s.compact);
  EXPECT_FALSE(s.batch);
  EXPECT_FALSE(s.duplicate_keys);
  EXPECT_EQ(s.depth, 2u);
  s = shape_of(
      R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"unknown method \"x\""},"id":1})");
  EXPECT_EQ(s.key_order, "jsonrpc,error,id");
}

TEST(ScanShape, FulcrumAndElectrsSortKeys) {
  auto s = shape_of(R"({"id":0,"jsonrpc":"2.0","result":["Fulcrum 2.1.1","1.6"]})");
  EXPECT_EQ(s.key_order, "id,jsonrpc,result");
  EXPECT_TRUE(s.compact);
  s = shape_of(R"({"error":{"code":-32700,"message":"parse error"},"id":null,"jsonrpc":"2.0"})");
  EXPECT_EQ(s.key_order, "error,id,jsonrpc");
}

TEST(ScanShape, PythonJsonDumpsSpacing) {
  const auto s = shape_of(R"({"jsonrpc": "2.0", "result": {"a": [1, 2]}, "id": 5})");
  EXPECT_EQ(s.key_order, "jsonrpc,result,id");
  EXPECT_FALSE(s.compact);
}

TEST(ScanShape, WhitespaceInsideStringsIsNotLayout) {
  const auto s = shape_of(R"({"jsonrpc":"2.0","result":"You are connected, : ok","id":1})");
  EXPECT_TRUE(s.compact);
  EXPECT_EQ(s.key_order, "jsonrpc,result,id");
}

TEST(ScanShape, PaddingIsCountedApartFromCompactness) {
  const std::string line = R"({"jsonrpc":"2.0","result":null,"id":1})" + std::string(985, ' ');
  const auto s = shape_of(line);
  EXPECT_TRUE(s.compact);
  EXPECT_EQ(s.trailing_whitespace, 985u);
  EXPECT_EQ(s.leading_whitespace, 0u);
  EXPECT_EQ(shape_of("  {\"id\":1}").leading_whitespace, 2u);
}

TEST(ScanShape, NestedKeysAreNotTopLevelKeys) {
  const auto s = shape_of(R"({"id":1,"result":{"hosts":{"x":{}},"pruning":null},"jsonrpc":"2.0"})");
  EXPECT_EQ(s.key_order, "id,result,jsonrpc");
  EXPECT_EQ(s.depth, 4u);
}

TEST(ScanShape, BatchUsesTheFirstElement) {
  const auto s =
      shape_of(R"([{"id":1,"jsonrpc":"2.0","result":"a"},{"jsonrpc":"2.0","result":"b","id":2}])");
  EXPECT_TRUE(s.batch);
  EXPECT_EQ(s.key_order, "id,jsonrpc,result");
  const auto t = shape_of(R"([1,{"id":1,"result":2}])");
  EXPECT_EQ(t.key_order, "");
}

TEST(ScanShape, HostileKeysStayPrintableAndBounded) {
  auto s = shape_of("{\"a,b\":1,\"c\xff\":2,\"\\u0069d\":3}");
  EXPECT_EQ(s.key_order, "a?b,c?,\\u0069d");
  EXPECT_FALSE(s.keys_truncated);

  std::string many = "{";
  for (int i = 0; i < 100; ++i) many += "\"k" + std::to_string(i) + "\":0,";
  many += "\"" + std::string(1000, 'z') + "\":0}";
  s = shape_of(many);
  EXPECT_TRUE(s.keys_truncated);
  EXPECT_EQ(s.key_order.substr(0, 9), "k0,k1,k2,");
  EXPECT_LE(s.key_order.size(), kShapeMaxKeys * (kShapeMaxKeyBytes + 1));

  s = shape_of("{\"" + std::string(1000, 'z') + "\":0}");
  EXPECT_TRUE(s.keys_truncated);
  EXPECT_EQ(s.key_order, std::string(kShapeMaxKeyBytes, 'z'));
}

TEST(ScanShape, StopsAtTheDepthLimit) {
  const auto s = scan_shape(std::string(100000, '['), 64);
  EXPECT_TRUE(s.too_deep);
  EXPECT_EQ(s.depth, 65u);
  EXPECT_FALSE(scan_shape("[[]]", 2).too_deep);
  EXPECT_TRUE(scan_shape("[[[]]]", 2).too_deep);
}

TEST(ScanShape, ParseLineReportsTheShapeEvenForFailures) {
  const ParsedLine p = parse_line(R"({"jsonrpc": "2.0", "result": 1, "id": )");
  EXPECT_TRUE(std::holds_alternative<ParseFailure>(p.message));
  EXPECT_EQ(p.shape.key_order, "jsonrpc,result,id");
  EXPECT_FALSE(p.shape.compact);
}

}  // namespace
}  // namespace eo::electrum
