// Hex and reversed-hex helpers, including rejection of malformed hex.
#include "common/bitcoin/hex.h"

#include <gtest/gtest.h>

namespace eo::bitcoin {
namespace {

TEST(Hex, EncodesLowercase) {
  EXPECT_EQ(to_hex(Bytes{}), "");
  EXPECT_EQ(to_hex(Bytes{0x00, 0xab, 0xff, 0x10}), "00abff10");
}

TEST(Hex, DecodesEitherCase) {
  EXPECT_EQ(from_hex("00AbfF10"), (Bytes{0x00, 0xab, 0xff, 0x10}));
  EXPECT_EQ(from_hex(""), Bytes{});
}

TEST(Hex, RejectsMalformed) {
  EXPECT_FALSE(from_hex("abc"));
  EXPECT_FALSE(from_hex("0g"));
  EXPECT_FALSE(from_hex("0x00"));
  EXPECT_FALSE(from_hex(" 00"));
  EXPECT_FALSE(from_hex(std::string("0\0", 2)));
}

TEST(Hex, ReversedForms) {
  EXPECT_EQ(to_reversed_hex(Bytes{0x01, 0x02, 0x03}), "030201");
  EXPECT_EQ(from_reversed_hex("030201"), (Bytes{0x01, 0x02, 0x03}));
  EXPECT_FALSE(from_reversed_hex("0302z1"));
}

TEST(Hex, Hash256FromDisplayHex) {
  const std::string display = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
  const auto hash = hash256_from_display_hex(display);
  ASSERT_TRUE(hash);
  EXPECT_EQ((*hash)[0], 0x6f);
  EXPECT_EQ((*hash)[31], 0x00);
  EXPECT_EQ(to_reversed_hex(*hash), display);
  EXPECT_FALSE(hash256_from_display_hex(display.substr(2)));
  EXPECT_FALSE(hash256_from_display_hex(display + "00"));
}

}  // namespace
}  // namespace eo::bitcoin
