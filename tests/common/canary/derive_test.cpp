// Canary derivation: keyed, deterministic, unique over a realistic campaign grid, and every
// canary a valid script and address of its type that an xpub's gap-limit window reproduces.
#include "common/canary/derive.h"

#include "common/bitcoin/hex.h"
#include "common/bitcoin/wallet_script.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace eo::canary {
namespace {

using bitcoin::OutputType;

bitcoin::Bytes secret_of(std::uint8_t fill) { return bitcoin::Bytes(32, fill); }

Issuance issuance(std::string target, std::string vantage_class = "network=clearnet",
                  std::uint32_t round = 1) {
  return {"camp", std::move(target), std::move(vantage_class), round};
}

TEST(CanaryDerive, TaskKeyMatchesAnIndependentHmac) {
  // python3: hmac.new(bytes(range(32)), b"eo-canary-v1/task" + b"".join(len(f).to_bytes(4,"big")
  //   + f for f in [b"c1", b"h.example:50002:s", b"network=clearnet", b"3"]), "sha256")
  bitcoin::Bytes secret(32);
  for (std::size_t i = 0; i < secret.size(); ++i) secret[i] = std::uint8_t(i);
  EXPECT_EQ(to_hex(task_key(secret, {"c1", "h.example:50002:s", "network=clearnet", 3})),
            "a66d4e4bdf415294bb616efd406e829ed6d66ab88ea2927001b2fba5b1d9e01a");
}

TEST(CanaryDerive, FieldBoundariesCannotBeShifted) {
  // Without length prefixes "a|b" + "c" and "a" + "b|c" would feed the MAC the same bytes.
  auto secret = secret_of(7);
  EXPECT_NE(task_key(secret, {"c", "ab", "c", 1}), task_key(secret, {"c", "a", "bc", 1}));
  EXPECT_NE(task_key(secret, {"c", "t", "v", 11}), task_key(secret, {"c", "t", "v1", 1}));
}

TEST(CanaryDerive, RefusesAShortSecret) {
  EXPECT_THROW(task_key(bitcoin::Bytes(kMinSecretBytes - 1, 1), issuance("t")),
               std::invalid_argument);
}

TEST(CanaryDerive, TaskKeyHexRoundTrips) {
  auto key = task_key(secret_of(1), issuance("t"));
  EXPECT_EQ(parse_task_key(to_hex(key)), key);
  EXPECT_FALSE(parse_task_key("00"));
  EXPECT_FALSE(parse_task_key(std::string(64, 'g')));
}

TEST(CanaryDerive, Deterministic) {
  auto a = all_canaries(task_key(secret_of(1), issuance("t")));
  auto b = all_canaries(task_key(secret_of(1), issuance("t")));
  ASSERT_EQ(a.size(), 4u * (kReceiveWindow + kChangeWindow));
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].scripthash, b[i].scripthash);
    EXPECT_EQ(a[i].label(), b[i].label());
  }
}

void expect_script_type(OutputType type, bitcoin::ScriptType script_type) {
  switch (script_type) {
    case bitcoin::ScriptType::p2pkh:
      EXPECT_EQ(type, OutputType::p2pkh);
      break;
    case bitcoin::ScriptType::p2sh:
      EXPECT_EQ(type, OutputType::p2sh_p2wpkh);
      break;
    case bitcoin::ScriptType::p2wpkh:
      EXPECT_EQ(type, OutputType::p2wpkh);
      break;
    case bitcoin::ScriptType::p2tr:
      EXPECT_EQ(type, OutputType::p2tr);
      break;
    default:
      ADD_FAILURE() << "not a standard script: " << bitcoin::to_string(script_type);
  }
}

TEST(CanaryDerive, EveryCanaryIsAValidScriptAndAddressOfItsType) {
  const auto key = task_key(secret_of(2), issuance("electrum.example:50002:s"));
  const std::map<OutputType, std::pair<std::string, std::string>> prefixes = {
      {OutputType::p2pkh, {"xpub", "1"}},
      {OutputType::p2sh_p2wpkh, {"ypub", "3"}},
      {OutputType::p2wpkh, {"zpub", "bc1q"}},
      {OutputType::p2tr, {"xpub", "bc1p"}}};
  for (OutputType type : canary_types()) {
    SCOPED_TRACE(std::string(bitcoin::to_string(type)));
    const auto account = canary_account(key, type);
    const std::string xpub = account.to_string();
    EXPECT_EQ(xpub.substr(0, 4), prefixes.at(type).first);
    EXPECT_EQ(account.depth, 3);  // m/purpose'/0'/0', as a wallet exports it
    auto parsed = bitcoin::ExtendedPubKey::parse(xpub);
    ASSERT_TRUE(parsed);
    auto window = canary_window(key, type);
    ASSERT_EQ(window.size(), kReceiveWindow + kChangeWindow);
    for (const auto& canary : window) {
      expect_script_type(type, bitcoin::classify_script(canary.script));
      EXPECT_EQ(canary.address.rfind(prefixes.at(type).second, 0), 0u) << canary.address;
      EXPECT_EQ(bitcoin::address_to_script(canary.address, bitcoin::Network::mainnet),
                canary.script);
      EXPECT_EQ(bitcoin::electrum_scripthash(canary.script), canary.scripthash);
      // What a wallet (or xpub_gap_scan) derives from the exported xpub alone.
      auto branch = parsed->derive_child(canary.chain);
      ASSERT_TRUE(branch);
      EXPECT_EQ(bitcoin::output_script_for_child(type, *branch, canary.index), canary.script);
      auto label = parse_label(canary.label());
      ASSERT_TRUE(label);
      EXPECT_EQ(label->type, type);
      EXPECT_EQ(label->chain, canary.chain);
      EXPECT_EQ(label->index, canary.index);
    }
    EXPECT_EQ(window.front().label(), std::string(bitcoin::to_string(type)) + "/0/0");
    EXPECT_EQ(window.back().label(), std::string(bitcoin::to_string(type)) + "/1/9");
  }
}

TEST(CanaryDerive, ParseLabelRejectsGarbage) {
  for (const char* bad : {"", "p2wpkh", "p2wpkh/0", "p2wpkh/2/1", "p2xx/0/1", "p2wpkh/0/-1",
                          "p2wpkh/0/1/", "p2wpkh/0/99999999999"}) {
    EXPECT_FALSE(parse_label(bad)) << bad;
  }
}

// 30 targets (clearnet, TLS and onion ids) x 3 vantage classes x 3 rounds = 270 issuances of 120
// canaries: every script hash and every account xpub is distinct.
TEST(CanaryDerive, UniqueAcrossTargetsVantagesAndRounds) {
  const auto secret = secret_of(3);
  const std::vector<std::string> classes = {"network=clearnet", "region=eu,network=clearnet",
                                            "network=tor"};
  std::set<std::string> scripthashes;
  std::set<std::string> xpubs;
  std::size_t issued = 0;
  for (int t = 0; t < 30; ++t) {
    std::string target = t % 3 == 0   ? "s" + std::to_string(t) + ".example.org:50002:s"
                         : t % 3 == 1 ? "s" + std::to_string(t) + ".example.org:50001:t"
                                      : "abc" + std::to_string(t) + ".onion:50001:t";
    for (const auto& vantage_class : classes) {
      for (std::uint32_t round = 1; round <= 3; ++round) {
        auto key = task_key(secret, issuance(target, vantage_class, round));
        for (const auto& c : all_canaries(key)) {
          scripthashes.insert(c.scripthash);
          ++issued;
        }
        for (OutputType type : canary_types()) xpubs.insert(canary_account(key, type).to_string());
      }
    }
  }
  EXPECT_EQ(issued, 270u * 120u);
  EXPECT_EQ(scripthashes.size(), issued);
  EXPECT_EQ(xpubs.size(), 270u * 4u);
}

TEST(CanaryDerive, DifferentSecretsGiveDisjointSets) {
  std::set<std::string> first;
  for (const auto& c : all_canaries(task_key(secret_of(4), issuance("t")))) {
    first.insert(c.scripthash);
  }
  for (const auto& c : all_canaries(task_key(secret_of(5), issuance("t")))) {
    EXPECT_EQ(first.count(c.scripthash), 0u) << c.label();
  }
  EXPECT_NE(secret_id(secret_of(4)), secret_id(secret_of(5)));
  EXPECT_EQ(secret_id(secret_of(4)).size(), 16u);
}

}  // namespace
}  // namespace eo::canary
