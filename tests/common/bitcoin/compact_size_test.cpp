// CompactSize boundaries, canonical-encoding enforcement, and the ByteReader it reads from.
#include "common/bitcoin/compact_size.h"

#include "common/bitcoin/hex.h"
#include "tests/common/bitcoin/test_hex.h"

#include <gtest/gtest.h>

namespace eo::bitcoin {
namespace {

using testing::unhex;

TEST(CompactSize, EncodesBoundaries) {
  const std::pair<std::uint64_t, const char*> cases[] = {
      {0, "00"},
      {0xfc, "fc"},
      {0xfd, "fdfd00"},
      {0xffff, "fdffff"},
      {0x10000, "fe00000100"},
      {0xffffffff, "feffffffff"},
      {0x100000000, "ff0000000001000000"},
  };
  for (const auto& [value, hex] : cases) {
    Bytes out;
    append_compact_size(out, value);
    EXPECT_EQ(to_hex(out), hex);
    EXPECT_EQ(compact_size_length(value), out.size());
    ByteReader reader(out);
    EXPECT_EQ(read_compact_size(reader, UINT64_MAX), value);
    EXPECT_TRUE(reader.empty());
  }
}

TEST(CompactSize, RejectsNonMinimalEncodings) {
  for (const char* hex : {"fd0000", "fdfc00", "feffff0000", "ffffffffff00000000"}) {
    const Bytes bytes = unhex(hex);
    ByteReader reader(bytes);
    EXPECT_FALSE(read_compact_size(reader, UINT64_MAX)) << hex;
    EXPECT_EQ(reader.position(), 0u) << "a failed read consumes nothing";
  }
}

TEST(CompactSize, EnforcesMaximum) {
  const Bytes bytes = unhex("fe00000002");  // 0x02000000 = compact_size_max
  ByteReader ok(bytes);
  EXPECT_EQ(read_compact_size(ok), compact_size_max);
  const Bytes over = unhex("fe01000002");
  ByteReader too_big(over);
  EXPECT_FALSE(read_compact_size(too_big));
  ByteReader limited(bytes);
  EXPECT_FALSE(read_compact_size(limited, 10));
}

TEST(CompactSize, RejectsTruncation) {
  for (const char* hex : {"", "fd", "fd01", "fe010000", "ff01000000000000"}) {
    const Bytes bytes = unhex(hex);
    ByteReader reader(bytes);
    EXPECT_FALSE(read_compact_size(reader, UINT64_MAX)) << hex;
  }
}

TEST(ByteReader, ReadsLittleEndianAndStopsAtTheEnd) {
  const Bytes bytes = unhex("0102030405060708090a");
  ByteReader reader(bytes);
  EXPECT_EQ(reader.peek_u8(), 0x01);
  EXPECT_EQ(reader.read_u16_le(), 0x0201);
  EXPECT_EQ(reader.read_u32_le(), 0x06050403u);
  EXPECT_FALSE(reader.read_u64_le());  // only 4 left
  EXPECT_EQ(reader.remaining(), 4u);
  EXPECT_EQ(reader.read_i32_le(), 0x0a090807);
  EXPECT_FALSE(reader.read_u8());
  EXPECT_FALSE(reader.peek_u8());
  EXPECT_FALSE(reader.read_bytes(1));
  EXPECT_TRUE(reader.read_bytes(0));
}

TEST(ByteReader, SignedValuesRoundTrip) {
  Bytes out;
  append_i32_le(out, -2);
  append_i64_le(out, -5'000'000'000);
  EXPECT_EQ(to_hex(out), "feffffff000efad5feffffff");
  ByteReader reader(out);
  EXPECT_EQ(reader.read_i32_le(), -2);
  EXPECT_EQ(reader.read_i64_le(), -5'000'000'000);
}

}  // namespace
}  // namespace eo::bitcoin
