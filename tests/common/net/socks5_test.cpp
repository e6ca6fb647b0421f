// SOCKS5 byte layouts (RFC 1928/1929).
#include "common/net/socks5.h"

#include <gtest/gtest.h>

namespace eo::net::socks5 {
namespace {

TEST(Socks5, GreetingOffersOneMethod) {
  EXPECT_EQ(encode_greeting(false), (Bytes{5, 1, 0}));
  EXPECT_EQ(encode_greeting(true), (Bytes{5, 1, 2}));
}

TEST(Socks5, AuthLayout) {
  auto auth = encode_auth({"ab", "xyz"});
  ASSERT_TRUE(auth);
  EXPECT_EQ(*auth, (Bytes{1, 2, 'a', 'b', 3, 'x', 'y', 'z'}));
  EXPECT_FALSE(encode_auth({std::string(256, 'u'), "p"}));
  EXPECT_FALSE(encode_auth({"", "p"}));
}

TEST(Socks5, OnionNamesGoAsDomainNamesNeverResolved) {
  auto request =
      encode_connect("explorerzydxu5ecjrkwceayqybizmpjjznk5izmitf2modhcusuqlid.onion", 50001);
  ASSERT_TRUE(request);
  EXPECT_EQ((*request)[3], 3);  // ATYP domain
  EXPECT_EQ((*request)[4], 62);
  EXPECT_EQ(request->at(request->size() - 2), 50001 >> 8);
  EXPECT_EQ(request->back(), 50001 & 0xff);
}

TEST(Socks5, AddressLiterals) {
  auto v4 = encode_connect("127.0.0.1", 80);
  ASSERT_TRUE(v4);
  EXPECT_EQ(*v4, (Bytes{5, 1, 0, 1, 127, 0, 0, 1, 0, 80}));
  auto v6 = encode_connect("::1", 443);
  ASSERT_TRUE(v6);
  EXPECT_EQ((*v6)[3], 4);
  EXPECT_EQ(v6->size(), 4u + 16 + 2);
}

TEST(Socks5, ReplyLengthFromHeader) {
  std::uint8_t v4[5] = {5, 0, 0, 1, 0};
  std::uint8_t domain[5] = {5, 0, 0, 3, 9};
  std::uint8_t bad[5] = {4, 0, 0, 1, 0};
  std::uint8_t bad_atyp[5] = {5, 0, 0, 9, 0};
  EXPECT_EQ(connect_reply_length(v4), 10u);
  EXPECT_EQ(connect_reply_length(domain), 4u + 1 + 9 + 2);
  EXPECT_FALSE(connect_reply_length(bad));
  EXPECT_FALSE(connect_reply_length(bad_atyp));
  EXPECT_EQ(reply_name(1), "socks5_general_failure");
  EXPECT_EQ(reply_name(200), "socks5_unknown_reply");
}

}  // namespace
}  // namespace eo::net::socks5
