// Bech32/Bech32m strings and segwit addresses against every BIP173 and BIP350 test vector.
#include "common/bitcoin/bech32.h"

#include "common/bitcoin/hex.h"
#include "common/bitcoin/script.h"
#include "tests/common/bitcoin/test_hex.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace eo::bitcoin {
namespace {

using testing::unhex;

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// BIP173 "valid Bech32".
const std::vector<std::string> valid_bech32 = {
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
};

// BIP350 "valid Bech32m".
const std::vector<std::string> valid_bech32m = {
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
};

// BIP173 "not valid Bech32" and BIP350 "not valid Bech32m": rejected under either checksum.
const std::vector<std::string> invalid_strings = {
    std::string("\x20") + "1nwldj5",
    std::string("\x7f") + "1axkwrx",
    std::string("\x80") + "1eym55h",
    "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
    "pzry9x0s0muk",
    "1pzry9x0s0muk",
    "x1b4n0q5v",
    "li1dgmt3",
    std::string("de1lg7wt") + "\xff",
    "A1G7SGD8",
    "10a06t8",
    "1qzzfhee",
    std::string("\x20") + "1xj0phk",
    std::string("\x7f") + "1g6xzxy",
    std::string("\x80") + "1vctc34",
    "an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
    "qyrz8wqd2c9m",
    "1qyrz8wqd2c9m",
    "y1b0jsk6g",
    "lt1igcx5c0",
    "in1muywd",
    "mm1crxm3i",
    "au1s5cgom",
    "M1VUXWEZ",
    "16plkw9",
    "1p2gdwpf",
};

TEST(Bech32, Bip173ValidStringsDecodeAsBech32AndReencode) {
  for (const auto& s : valid_bech32) {
    const auto decoded = bech32_decode(s);
    ASSERT_TRUE(decoded) << s;
    EXPECT_EQ(decoded->variant, Bech32Variant::bech32) << s;
    EXPECT_EQ(bech32_encode(Bech32Variant::bech32, decoded->hrp, decoded->values), lower(s));
  }
}

TEST(Bech32, Bip350ValidStringsDecodeAsBech32mAndReencode) {
  for (const auto& s : valid_bech32m) {
    const auto decoded = bech32_decode(s);
    ASSERT_TRUE(decoded) << s;
    EXPECT_EQ(decoded->variant, Bech32Variant::bech32m) << s;
    EXPECT_EQ(bech32_encode(Bech32Variant::bech32m, decoded->hrp, decoded->values), lower(s));
  }
}

TEST(Bech32, InvalidStringsAreRejected) {
  for (const auto& s : invalid_strings) EXPECT_FALSE(bech32_decode(s)) << s;
}

TEST(Bech32, FlippingOneCharacterBreaksTheChecksum) {
  std::string s = "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw";
  s[10] = s[10] == 'q' ? 'p' : 'q';
  EXPECT_FALSE(bech32_decode(s));
}

TEST(Bech32, EncodeRejectsBadInput) {
  const Bytes values{0, 1, 2};
  EXPECT_FALSE(bech32_encode(Bech32Variant::bech32, "", values));
  EXPECT_FALSE(bech32_encode(Bech32Variant::bech32, "BC", values));
  EXPECT_FALSE(bech32_encode(Bech32Variant::bech32, "b c", values));
  EXPECT_FALSE(bech32_encode(Bech32Variant::bech32, "bc", Bytes{32}));
  EXPECT_FALSE(bech32_encode(Bech32Variant::bech32, "bc", Bytes(83, 0)));  // 2+1+83+6 = 92
  EXPECT_TRUE(bech32_encode(Bech32Variant::bech32, "bc", Bytes(81, 0)));   // exactly 90
}

TEST(Bech32, ConvertBits) {
  EXPECT_EQ(convert_bits(Bytes{0xff}, 8, 5, true), (Bytes{31, 28}));
  EXPECT_EQ(convert_bits(Bytes{31, 28}, 5, 8, false), (Bytes{0xff}));
  EXPECT_FALSE(convert_bits(Bytes{31, 29}, 5, 8, false));   // non-zero padding
  EXPECT_FALSE(convert_bits(Bytes{32}, 5, 8, false));       // value out of range
  EXPECT_FALSE(convert_bits(Bytes{0, 0, 0}, 5, 8, false));  // 15 bits: a whole spare group
}

// BIP350 "valid segwit addresses" and their scriptPubKeys.
const std::vector<std::pair<std::string, std::string>> valid_addresses = {
    {"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"},
    {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
     "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"},
    {"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
     "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"},
    {"BC1SW50QGDZ25J", "6002751e"},
    {"bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"},
    {"tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
     "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
    {"tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
     "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
     "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
};

// BIP350 "invalid segwit addresses".
const std::vector<std::string> invalid_addresses = {
    "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
    "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
    "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
    "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
    "bc1pw5dgrnzv",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
    "bc1gmk9yu",
    // BIP173's own invalid list.
    "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
    "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2",
    "bc1rw5uspcuh",
    "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
    "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",
    // BIP173's valid v1+ addresses use Bech32, which BIP350 makes invalid for v1+.
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx",
    "BC1SW50QA3JX3S",
    "bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj",
};

std::string hrp_of(const std::string& address) { return lower(address.substr(0, 2)); }

TEST(SegwitAddress, Bip350ValidAddressesDecodeToTheirScripts) {
  for (const auto& [address, script_hex] : valid_addresses) {
    const auto decoded = segwit_address_decode(hrp_of(address), address);
    ASSERT_TRUE(decoded) << address;
    const auto script = witness_program_script(decoded->witness_version, decoded->program);
    ASSERT_TRUE(script) << address;
    EXPECT_EQ(to_hex(*script), script_hex) << address;
  }
}

TEST(SegwitAddress, Bip350ValidAddressesReencodeLowercase) {
  for (const auto& [address, script_hex] : valid_addresses) {
    const auto decoded = segwit_address_decode(address);
    ASSERT_TRUE(decoded) << address;
    EXPECT_EQ(segwit_address_encode(decoded->hrp, decoded->witness_version, decoded->program),
              lower(address));
  }
}

TEST(SegwitAddress, ValidAddressesMapThroughScriptApi) {
  for (const auto& [address, script_hex] : valid_addresses) {
    const Network network = hrp_of(address) == "bc" ? Network::mainnet : Network::testnet;
    EXPECT_EQ(address_to_script(address, network), unhex(script_hex)) << address;
    EXPECT_EQ(script_to_address(unhex(script_hex), network), lower(address));
    const Network other = network == Network::mainnet ? Network::testnet : Network::mainnet;
    EXPECT_FALSE(address_to_script(address, other)) << address;
    EXPECT_FALSE(address_to_script(address, Network::regtest)) << address;
  }
}

TEST(SegwitAddress, InvalidAddressesAreRejectedForEveryNetwork) {
  for (const auto& address : invalid_addresses) {
    EXPECT_FALSE(segwit_address_decode("bc", address)) << address;
    EXPECT_FALSE(segwit_address_decode("tb", address)) << address;
    for (Network n : {Network::mainnet, Network::testnet, Network::regtest}) {
      EXPECT_FALSE(address_to_script(address, n)) << address;
    }
  }
}

TEST(SegwitAddress, EncodeEnforcesProgramRules) {
  EXPECT_FALSE(segwit_address_encode("bc", 0, Bytes(21, 1)));
  EXPECT_FALSE(segwit_address_encode("bc", 1, Bytes(1, 1)));
  EXPECT_FALSE(segwit_address_encode("bc", 1, Bytes(41, 1)));
  EXPECT_FALSE(segwit_address_encode("bc", 17, Bytes(32, 1)));
  EXPECT_TRUE(segwit_address_encode("bc", 16, Bytes(2, 1)));
  EXPECT_TRUE(segwit_address_encode("bcrt", 0, Bytes(20, 1)));
}

TEST(SegwitAddress, RegtestHrp) {
  const Bytes program(20, 0x11);
  const auto address = segwit_address_encode("bcrt", 0, program);
  ASSERT_TRUE(address);
  EXPECT_EQ(address->substr(0, 6), "bcrt1q");
  const auto decoded = segwit_address_decode("bcrt", *address);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->program, program);
  EXPECT_FALSE(segwit_address_decode("bc", *address));
}

}  // namespace
}  // namespace eo::bitcoin
