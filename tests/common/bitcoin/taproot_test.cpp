// Taproot output keys against BIP341's wallet vectors and BIP86's derivation vectors.
#include "common/bitcoin/taproot.h"

#include "common/bitcoin/hex.h"
#include "common/bitcoin/keys.h"
#include "common/bitcoin/script.h"
#include "common/bitcoin/wallet_script.h"
#include "tests/common/bitcoin/test_hex.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eo::bitcoin {
namespace {

using testing::unhex;
using testing::unhex_array;

TEST(Taproot, Bip341KeyPathOnlyVector) {
  // bip-0341/wallet-test-vectors.json, scriptPubKey[0].
  const auto internal =
      unhex_array<32>("d6889cb081036e0faefa3a35157ad71086b123b2b144b649798b494c300a961d");
  const auto output = taproot_output_key(internal);
  ASSERT_TRUE(output);
  EXPECT_EQ(to_hex(*output), "53a1f6e454df1aa2776a2814a721372d6258050de330b3c6d10ee8f4e0dda343");
  const auto script = bip86_script(internal);
  ASSERT_TRUE(script);
  EXPECT_EQ(to_hex(*script),
            "512053a1f6e454df1aa2776a2814a721372d6258050de330b3c6d10ee8f4e0dda343");
  EXPECT_EQ(script_to_address(*script, Network::mainnet),
            "bc1p2wsldez5mud2yam29q22wgfh9439spgduvct83k3pm50fcxa5dps59h4z5");
}

TEST(Taproot, Bip341ScriptTreeVectors) {
  // scriptPubKey[1] and [2]: single-leaf trees, merkle root given.
  struct Case {
    const char* internal;
    const char* merkle_root;
    const char* tweaked;
  };
  const Case cases[] = {
      {"187791b6f712a8ea41c8ecdd0ee77fab3e85263b37e1ec18a3651926b3a6cf27",
       "5b75adecf53548f3ec6ad7d78383bf84cc57b55a3127c72b9a2481752dd88b21",
       "147c9c57132f6e7ecddba9800bb0c4449251c92a1e60371ee77557b6620f3ea3"},
      {"93478e9488f956df2396be2ce6c5cced75f900dfa18e7dabd2428aae78451820",
       "c525714a7f49c28aedbbba78c005931a81c234b2f6c99a73e4d06082adc8bf2b",
       "e4d810fd50586274face62b8a807eb9719cef49c04177cc6b76a9a4251d5450e"},
  };
  for (const Case& c : cases) {
    const auto output = taproot_output_key(unhex_array<32>(c.internal), unhex(c.merkle_root));
    ASSERT_TRUE(output) << c.internal;
    EXPECT_EQ(to_hex(*output), c.tweaked);
  }
}

TEST(Taproot, RejectsInvalidInput) {
  XOnlyPubKey not_on_curve{};
  not_on_curve.fill(0xff);  // x >= p
  EXPECT_FALSE(taproot_output_key(not_on_curve));
  EXPECT_FALSE(bip86_script(not_on_curve));
  const auto internal =
      unhex_array<32>("d6889cb081036e0faefa3a35157ad71086b123b2b144b649798b494c300a961d");
  EXPECT_FALSE(taproot_output_key(internal, Bytes(31, 0)));
}

// BIP86 test vectors (mnemonic "abandon ... about").
struct Bip86Case {
  std::string path;  // below the account key m/86'/0'/0'
  std::string xprv;
  std::string xpub;
  std::string internal_key;
  std::string output_key;
  std::string script;
  std::string address;
};

const std::vector<Bip86Case> bip86_cases = {
    {"0/0",
     "xprvA449goEeU9okwCzzZaxiy475EQGQzBkc65su82nXEvcwzfSskb2hAt2WymrjyRL6kpbVTGL3cKtp9herYXSjjQ1j"
     "4stsXXiRF7kXkCacK3T",
     "xpub6H3W6JmYJXN49h5TfcVjLC3onS6uPeUTTJoVvRC8oG9vsTn2J8LwigLzq5tHbrwAzH9DGo6ThGUdWsqce8dGfwHV"
     "BxSbixjDADGGdzF7t2B",
     "cc8a4bc64d897bddc5fbc2f670f7a8ba0b386779106cf1223c6fc5d7cd6fc115",
     "a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c",
     "5120a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c",
     "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"},
    {"0/1",
     "xprvA449goEeU9okyiF1LmKiDaTgeXvmh87DVyRd35VPbsSop8n8uALpbtrUhUXByPFKK7C2yuqrB1FrhiDkEMC4RGmA"
     "5KTwsE1aB5jRu9zHsuQ",
     "xpub6H3W6JmYJXN4CCKUSnriaiQRCZmG6aq4sCMDqTu1ACyngw7HShf59hAxYjXgKDuuHThVEUzdHrc3aXCr9kfvQvZP"
     "it5dnD3K9xVRBzjK3rX",
     "83dfe85a3151d2517290da461fe2815591ef69f2b18a2ce63f01697a8b313145",
     "a82f29944d65b86ae6b5e5cc75e294ead6c59391a1edc5e016e3498c67fc7bbb",
     "5120a82f29944d65b86ae6b5e5cc75e294ead6c59391a1edc5e016e3498c67fc7bbb",
     "bc1p4qhjn9zdvkux4e44uhx8tc55attvtyu358kutcqkudyccelu0was9fqzwh"},
    {"1/0",
     "xprvA3Ln3Gt3aphvUgzgEDT8vE2cYqb4PjFfpmbiFKphxLg1FjXQpkAk5M1ZKDY15bmCAHA35jTiawbFuwGtbDZogKF1"
     "WfjwxML4gK7WfYW5JRP",
     "xpub6GL8SnQwRCGDhB59LEz9HMyM6sRYoByXBzXK3iEKWgCz8XrZNHUzd9L3AUBELW5NzA7dEFvMas1F84TuPH3xqdUA"
     "5tumaGWFgihJzWytXe3",
     "399f1b2f4393f29a18c937859c5dd8a77350103157eb880f02e8c08214277cef",
     "882d74e5d0572d5a816cef0041a96b6c1de832f6f9676d9605c44d5e9a97d3dc",
     "5120882d74e5d0572d5a816cef0041a96b6c1de832f6f9676d9605c44d5e9a97d3dc",
     "bc1p3qkhfews2uk44qtvauqyr2ttdsw7svhkl9nkm9s9c3x4ax5h60wqwruhk7"},
};

class Bip86 : public ::testing::Test {
 protected:
  void SetUp() override {
    auto root = ExtendedPrivKey::parse(
        "xprv9s21ZrQH143K3GJpoapnV8SFfukcVBSfeCficPSGfubmSFDxo1kuHnLisriDvSnRRuL2Qrg5ggqHKNVpxR86"
        "QEC8w35uxmGoggxtQTPvfUu");
    ASSERT_TRUE(root);
    root_ = *root;
    auto account = root_->derive_path("m/86'/0'/0'");
    ASSERT_TRUE(account);
    account_ = *account;
  }

  std::optional<ExtendedPrivKey> root_;
  std::optional<ExtendedPrivKey> account_;
};

TEST_F(Bip86, RootAndAccountKeys) {
  EXPECT_EQ(root_->neuter().to_string(),
            "xpub661MyMwAqRbcFkPHucMnrGNzDwb6teAX1RbKQmqtEF8kK3Z7LZ59qafCjB9eCRLiTVG3uxBxgKvRgbubR"
            "hqSKXnGGb1aoaqLrpMBDrVxga8");
  EXPECT_EQ(account_->to_string(),
            "xprv9xgqHN7yz9MwCkxsBPN5qetuNdQSUttZNKw1dcYTV4mkaAFiBVGQziHs3NRSWMkCzvgjEe3n9xV8oYywv"
            "M8at9yRqyaZVz6TYYhX98VjsUk");
  EXPECT_EQ(account_->neuter().to_string(),
            "xpub6BgBgsespWvERF3LHQu6CnqdvfEvtMcQjYrcRzx53QJjSxarj2afYWcLteoGVky7D3UKDP9QyrLprQ3VC"
            "ECoY49yfdDEHGCtMMj92pReUsQ");
}

TEST_F(Bip86, PrivateDerivationToOutputKeys) {
  for (const Bip86Case& c : bip86_cases) {
    const auto key = account_->derive_path(c.path);
    ASSERT_TRUE(key) << c.path;
    EXPECT_EQ(key->to_string(), c.xprv) << c.path;
    EXPECT_EQ(key->neuter().to_string(), c.xpub) << c.path;
    const XOnlyPubKey internal = x_only(key->public_key());
    EXPECT_EQ(to_hex(internal), c.internal_key) << c.path;
    const auto output = bip86_output_key(internal);
    ASSERT_TRUE(output) << c.path;
    EXPECT_EQ(to_hex(*output), c.output_key) << c.path;
    const auto script = bip86_script(internal);
    ASSERT_TRUE(script) << c.path;
    EXPECT_EQ(to_hex(*script), c.script) << c.path;
    EXPECT_EQ(script_to_address(*script, Network::mainnet), c.address) << c.path;
    EXPECT_EQ(address_to_script(c.address, Network::mainnet), *script) << c.path;
  }
}

TEST_F(Bip86, PublicDerivationFromAccountXpub) {
  const ExtendedPubKey account_xpub = account_->neuter();
  for (const Bip86Case& c : bip86_cases) {
    const std::uint32_t branch = c.path[0] == '0' ? 0 : 1;
    const std::uint32_t index = c.path[2] == '0' ? 0 : 1;
    const auto branch_key = account_xpub.derive_child(branch);
    ASSERT_TRUE(branch_key);
    EXPECT_EQ(bip86_script_for_child(*branch_key, index), unhex(c.script)) << c.path;
    EXPECT_EQ(output_script_for_child(OutputType::p2tr, *branch_key, index), unhex(c.script));
    EXPECT_EQ(account_xpub.derive_path(c.path)->to_string(), c.xpub) << c.path;
  }
}

TEST(Keys, SecretAndPublicKeyChecks) {
  SecretKey zero{};
  EXPECT_FALSE(is_valid_secret_key(zero));
  EXPECT_FALSE(public_key_from_secret(zero));
  SecretKey one{};
  one[31] = 1;
  const auto g = public_key_from_secret(one);
  ASSERT_TRUE(g);
  EXPECT_EQ(to_hex(*g), "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
  EXPECT_TRUE(is_valid_compressed_pubkey(*g));
  CompressedPubKey bad = *g;
  bad[0] = 0x04;
  EXPECT_FALSE(is_valid_compressed_pubkey(bad));
  Tweak tweak{};
  tweak[31] = 1;
  const auto two_g = add_tweak(*g, tweak);
  SecretKey two{};
  two[31] = 2;
  EXPECT_EQ(two_g, public_key_from_secret(two));
  EXPECT_EQ(add_tweak(one, tweak), two);
  Tweak too_big{};
  too_big.fill(0xff);
  EXPECT_FALSE(add_tweak(*g, too_big));
  EXPECT_FALSE(add_tweak(one, too_big));
}

}  // namespace
}  // namespace eo::bitcoin
