// The server's pure building blocks: JA3, addresses and subnets, reply layouts, ids,
// pseudonyms, bounded params text, argument checks and ElectrumX cost accounting.
#include "honeypot/server/cost.h"
#include "honeypot/server/ja3.h"
#include "honeypot/server/net_address.h"
#include "honeypot/server/params.h"
#include "honeypot/server/privacy.h"
#include "honeypot/server/random.h"
#include "honeypot/server/recorder.h"
#include "honeypot/server/wire.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace eo::honeypot::server {
namespace {

using Json = nlohmann::json;

TEST(Ja3, GreaseIsDroppedAndTheHashIsMd5OfTheString) {
  ClientHello hello;
  hello.version = 771;
  hello.ciphers = {0x0a0a, 4865, 4866};
  hello.extensions = {0x1a1a, 0, 11, 10};
  hello.groups = {0x2a2a, 29, 23};
  hello.point_formats = {0};
  const std::string ja3 = ja3_string(hello);
  EXPECT_EQ(ja3, "771,4865-4866,0-11-10,29-23,0");
  EXPECT_EQ(ja3_hash(ja3), "948811e49520f2ea58a274b0c86b7243");
  EXPECT_TRUE(is_grease(0xfafa));
  EXPECT_FALSE(is_grease(0x0a1a));
  EXPECT_FALSE(is_grease(4865));
}

TEST(Ja3, ExtensionBodiesAreReadWithinTheirDeclaredLengths) {
  const std::uint8_t groups[] = {0x00, 0x04, 0x00, 0x1d, 0x00, 0x17, 0xff};
  EXPECT_EQ(parse_supported_groups(groups, sizeof groups), (std::vector<std::uint16_t>{29, 23}));
  const std::uint8_t lying[] = {0x00, 0x40, 0x00, 0x1d};  // claims 64 bytes, has 2
  EXPECT_EQ(parse_supported_groups(lying, sizeof lying), (std::vector<std::uint16_t>{29}));
  const std::uint8_t formats[] = {0x02, 0x00, 0x01};
  EXPECT_EQ(parse_point_formats(formats, sizeof formats), (std::vector<std::uint8_t>{0, 1}));
  EXPECT_TRUE(parse_point_formats(nullptr, 0).empty());
}

TEST(NetAddress, SubnetsMatchV4AndV6AndMappedAddresses) {
  const auto net = *Cidr::parse("127.0.0.2/32");
  EXPECT_TRUE(net.contains(*IpAddress::parse("127.0.0.2")));
  EXPECT_FALSE(net.contains(*IpAddress::parse("127.0.0.1")));
  EXPECT_TRUE(Cidr::parse("10.0.0.0/8")->contains(*IpAddress::parse("::ffff:10.1.2.3")));
  EXPECT_TRUE(Cidr::parse("2001:db8::/32")->contains(*IpAddress::parse("2001:db8:1::5")));
  EXPECT_FALSE(Cidr::parse("2001:db8::/32")->contains(*IpAddress::parse("10.0.0.1")));
  EXPECT_EQ(Cidr::parse("192.168.7.9/20")->to_string(), "192.168.0.0/20");
  EXPECT_FALSE(Cidr::parse("10.0.0.0/33"));
  EXPECT_FALSE(Cidr::parse("nonsense/8"));
  EXPECT_FALSE(IpAddress::parse("300.1.1.1"));
}

TEST(NetAddress, ElectrumxGroupsBySlash24AndSlash48ButNotLoopbackOrPrivate) {
  EXPECT_EQ(subnet_group(*IpAddress::parse("198.51.100.77")), "198.51.100.0/24");
  EXPECT_EQ(subnet_group(*IpAddress::parse("2001:db8:1:2::9")), "2001:db8:1::/48");
  EXPECT_EQ(subnet_group(*IpAddress::parse("127.0.0.2")), "");
  EXPECT_EQ(subnet_group(*IpAddress::parse("192.168.1.1")), "");
  EXPECT_EQ(subnet_group(*IpAddress::parse("fd00::1")), "");
}

TEST(Wire, EnvelopesFollowEachImplementationsKeyOrderAndSpacing) {
  const WireStyle electrumx{Layout::electrumx, false};
  const WireStyle fulcrum{Layout::sorted, true};
  const WireStyle eps{Layout::python, false};
  EXPECT_EQ(result_body(electrumx, 7, "\"x\""), R"({"jsonrpc":"2.0","result":"x","id":7})");
  EXPECT_EQ(result_body(fulcrum, 7, "\"x\""), R"({"id":7,"jsonrpc":"2.0","result":"x"})");
  EXPECT_EQ(result_body(eps, 7, "\"x\""), R"({"jsonrpc": "2.0", "result": "x", "id": 7})");
  EXPECT_EQ(error_body(eps, 1, std::nullopt, "txid not found"),
            R"({"error": {"message": "txid not found"}, "jsonrpc": "2.0", "id": 1})");
  EXPECT_EQ(error_body(fulcrum, nullptr, -32700, "bad"),
            R"({"error":{"code":-32700,"message":"bad"},"id":null,"jsonrpc":"2.0"})");
  EXPECT_EQ(finish_line("{}", fulcrum), "{}\r\n");
  ObjectText o(Layout::sorted);
  o.add("tx_hash", "\"a\"").add("height", "5");
  EXPECT_EQ(o.str(), R"({"height":5,"tx_hash":"a"})");
  ObjectText p(Layout::electrumx);
  p.add("tx_hash", "\"a\"").add("height", "5");
  EXPECT_EQ(p.str(), R"({"tx_hash":"a","height":5})");
  EXPECT_EQ(json_string("caf\xc3\xa9", Layout::python), "\"caf\\u00e9\"");
  EXPECT_EQ(json_string("bad \xff", Layout::electrumx), "\"bad \xef\xbf\xbd\"");
  EXPECT_EQ(json_number(-1), "-1");
  EXPECT_EQ(json_number(0.0001), "0.0001");
  EXPECT_EQ(notification_body(electrumx, "m", "[]"),
            R"({"jsonrpc":"2.0","method":"m","params":[]})");
}

TEST(Random, UuidsAreVersion4AndDistinct) {
  RandomSource random;
  const std::regex shape("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = random.uuid_v4();
    ASSERT_TRUE(std::regex_match(id, shape)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(Privacy, PseudonymIsHmacSha256OfTheIp) {
  EXPECT_EQ(ip_pseudonym("salt-salt-salt-salt", "127.0.0.1"),
            "ba1fb52268f38ea4d2fdaed24ede935c7295ef70f9617aa509f2db2313dba2c0");
  EXPECT_NE(ip_pseudonym("another-salt-value", "127.0.0.1"),
            ip_pseudonym("salt-salt-salt-salt", "127.0.0.1"));
}

TEST(Recorder, ParamsTextIsBoundedAndNeverCutsUtf8) {
  const Json small = Json::array({"abc", 5, Json::object({{"k", true}})});
  EXPECT_EQ(bounded_json(small, 4096), R"(["abc",5,{"k":true}])");
  const Json huge = Json::array({std::string(1 << 20, 'f')});
  const std::string cut = bounded_json(huge, 4096);
  EXPECT_LE(cut.size(), 4096u + 3);
  EXPECT_EQ(cut.substr(cut.size() - 3), "...");
  std::string accents;
  for (int i = 0; i < 3000; ++i) accents += "\xc3\xa9";
  const std::string text = bounded_json(Json::array({accents}), 101);
  EXPECT_TRUE(Json::accept(Json(text.substr(0, text.size() - 3)).dump()));  // valid UTF-8
}

TEST(Params, HashesIntegersAndStatus) {
  EXPECT_EQ(hash_arg(std::string(64, 'A')), std::string(64, 'a'));
  EXPECT_FALSE(hash_arg(std::string(63, 'a')));
  EXPECT_FALSE(hash_arg(std::string(62, 'a') + "zz"));
  EXPECT_FALSE(hash_arg(5));
  EXPECT_EQ(non_negative_arg(Json(12)), 12);
  EXPECT_EQ(non_negative_arg(Json("12")), 12);
  EXPECT_FALSE(non_negative_arg(Json(-1)));
  EXPECT_FALSE(non_negative_arg(Json(1.5)));
  EXPECT_EQ(with_commas(1234567), "1,234,567");
  EXPECT_EQ(with_commas(999), "999");
  // Found by params_fuzz (corpus/params/regress-with-commas-int64-min): -value overflowed.
  EXPECT_EQ(with_commas(INT64_MIN), "-9,223,372,036,854,775,808");
  struct Item {
    std::string tx_hash;
    std::int64_t height;
  };
  const std::vector<Item> items{{"ab", 5}, {"cd", -1}};
  EXPECT_EQ(history_status(items),
            "cc8030a74fe579025507941ce8dac8a011419f2ff730f9ee8686ee6bbe8880dc");
  EXPECT_FALSE(history_status(std::vector<Item>{}));
}

TEST(Cost, SoftLimitSlowsHardLimitEndsAndCostDecays) {
  CostLimits limits;
  limits.enabled = true;
  const auto t0 = Clock::now();
  CostMeter meter(limits, nullptr, t0);
  EXPECT_EQ(meter.session_cost(t0), 5);  // the connection
  EXPECT_EQ(meter.throttle_delay(t0).count(), 0);
  meter.bump(1000 + 4495, t0);  // halfway between soft (1000) and hard (10000)
  EXPECT_NEAR(static_cast<double>(meter.throttle_delay(t0).count()), 1250, 2);
  EXPECT_FALSE(meter.over_hard_limit(t0));
  meter.bump(5000, t0);
  EXPECT_TRUE(meter.over_hard_limit(t0));
  EXPECT_NEAR(meter.session_cost(t0 + std::chrono::seconds(100)), 10500 - 100, 1e-6);
}

TEST(Cost, SessionsOfOneSubnetShareTheirGroupsCost) {
  CostLimits limits;
  limits.enabled = true;
  CostGroups groups;
  const auto t0 = Clock::now();
  auto* group = groups.join("198.51.100.0/24", t0);
  CostMeter first(limits, group, t0);
  CostMeter second(limits, groups.join("198.51.100.0/24", t0), t0);
  first.bump(3000, t0);
  EXPECT_NEAR(second.effective(t0), 5 + 3005, 1e-6);  // its own plus the other session's
  EXPECT_GT(second.throttle_delay(t0).count(), 0);
  EXPECT_EQ(groups.join("", t0), nullptr);
}

}  // namespace
}  // namespace eo::honeypot::server
