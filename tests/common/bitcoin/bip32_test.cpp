// BIP32 test vectors 1-5: master keys from seeds, private derivation along every chain, public
// derivation at every non-hardened step, and rejection of every invalid key in vector 5.
#include "common/bitcoin/bip32.h"

#include "common/bitcoin/hex.h"
#include "common/bitcoin/wallet_script.h"
#include "tests/common/bitcoin/test_hex.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eo::bitcoin {
namespace {

using testing::unhex;

constexpr std::uint32_t h = hardened_offset;

struct Step {
  std::uint32_t index;  // child index from the previous step (unused for the master key)
  std::string xpub;
  std::string xprv;
};

struct Vector {
  std::string seed_hex;
  std::vector<Step> chain;  // chain[0] is m
};

const std::vector<Vector> vectors = {
    {"000102030405060708090a0b0c0d0e0f",
     {
         {0,
          "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD2"
          "65TMg7usUDFdp6W1EGMcet8",
          "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNN"
          "U3TGtRBeJgk33yuGBxrMPHi"},
         {0 + h,
          "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ"
          "9xv5ski8PX9rL2dZXvgGDnw",
          "xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZ"
          "G7XnxHrnYeSvkzY7d2bhkJ7"},
         {1,
          "xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5uMash7SyYq527H"
          "qck2AxYysAA7xmALppuCkwQ",
          "xprv9wTYmMFdV23N2TdNG573QoEsfRrWKQgWeibmLntzniatZvR9BmLnvSxqu53Kw1UmYPxLgboyZQaXwTCg8MSY"
          "3H2EU4pWcQDnRnrVA1xe8fs"},
         {2 + h,
          "xpub6D4BDPcP2GT577Vvch3R8wDkScZWzQzMMUm3PWbmWvVJrZwQY4VUNgqFJPMM3No2dFDFGTsxxpG5uJh7n7ep"
          "u4trkrX7x7DogT5Uv6fcLW5",
          "xprv9z4pot5VBttmtdRTWfWQmoH1taj2axGVzFqSb8C9xaxKymcFzXBDptWmT7FwuEzG3ryjH4ktypQSAewRiNMj"
          "ANTtpgP4mLTj34bhnZX7UiM"},
         {2,
          "xpub6FHa3pjLCk84BayeJxFW2SP4XRrFd1JYnxeLeU8EqN3vDfZmbqBqaGJAyiLjTAwm6ZLRQUMv1ZACTj37sR62"
          "cfN7fe5JnJ7dh8zL4fiyLHV",
          "xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5"
          "Mm3wDvUAKRHSC34sJ7in334"},
         {1000000000,
          "xpub6H1LXWLaKsWFhvm6RVpEL9P4KfRZSW7abD2ttkWP3SSQvnyA8FSVqNTEcYFgJS2UaFcxupHiYkro49S8yGas"
          "TvXEYBVPamhGW6cFJodrTHy",
          "xprvA41z7zogVVwxVSgdKUHDy1SKmdb533PjDz7J6N6mV6uS3ze1ai8FHa8kmHScGpWmj4WggLyQjgPie1rFSruo"
          "UihUZREPSL39UNdE3BBDu76"},
     }},
    {"fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a29f9c999693908d8a8784817e7b78"
     "75726f6c696663605d5a5754514e4b484542",
     {
         {0,
          "xpub661MyMwAqRbcFW31YEwpkMuc5THy2PSt5bDMsktWQcFF8syAmRUapSCGu8ED9W6oDMSgv6Zz8idoc4a6mr8B"
          "DzTJY47LJhkJ8UB7WEGuduB",
          "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm5"
          "5Qn3LqFtT2emdEXVYsCzC2U"},
         {0,
          "xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpb"
          "Zb7ap6r1D3tgFxHmwMkQTPH",
          "xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G8"
          "1dwSM1fwqWpWkeS3v86pgKt"},
         {2147483647 + h,
          "xpub6ASAVgeehLbnwdqV6UKMHVzgqAG8Gr6riv3Fxxpj8ksbH9ebxaEyBLZ85ySDhKiLDBrQSARLq1uNRts8RuJi"
          "HjaDMBU4Zn9h8LZNnBC5y4a",
          "xprv9wSp6B7kry3Vj9m1zSnLvN3xH8RdsPP1Mh7fAaR7aRLcQMKTR2vidYEeEg2mUCTAwCd6vnxVrcjfy2kRgVsF"
          "awNzmjuHc2YmYRmagcEPdU9"},
         {1,
          "xpub6DF8uhdarytz3FWdA8TvFSvvAh8dP3283MY7p2V4SeE2wyWmG5mg5EwVvmdMVCQcoNJxGoWaU9DCWh89Lojf"
          "Z537wTfunKau47EL2dhHKon",
          "xprv9zFnWC6h2cLgpmSA46vutJzBcfJ8yaJGg8cX1e5StJh45BBciYTRXSd25UEPVuesF9yog62tGAQtHjXajPPd"
          "bRCHuWS6T8XA2ECKADdw4Ef"},
         {2147483646 + h,
          "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grB"
          "GRjaDMzQLcgJvLJuZZvRcEL",
          "xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8"
          "HFsTjSyQbLYnMpCqE2VbFWc"},
         {2,
          "xpub6FnCn6nSzZAw5Tw7cgR9bi15UV96gLZhjDstkXXxvCLsUXBGXPdSnLFbdpq8p9HmGsApME5hQTZ3emM2rnY5"
          "agb9rXpVGyy3bdW6EEgAtqt",
          "xprvA2nrNbFZABcdryreWet9Ea4LvTJcGsqrMzxHx98MMrotbir7yrKCEXw7nadnHM8Dq38EGfSh6dqA9QWTyefM"
          "LEcBYJUuekgW4BYPJcr9E7j"},
     }},
    {"4b381541583be4423346c643850da4b320e46a87ae3d2a4e6da11eba819cd4acba45d239319ac14f863b8d5ab5a0"
     "d0c64d2e8a1e7d1457df2e5a3c51c73235be",
     {
         {0,
          "xpub661MyMwAqRbcEZVB4dScxMAdx6d4nFc9nvyvH3v4gJL378CSRZiYmhRoP7mBy6gSPSCYk6SzXPTf3ND1cZAc"
          "eL7SfJ1Z3GC8vBgp2epUt13",
          "xprv9s21ZrQH143K25QhxbucbDDuQ4naNntJRi4KUfWT7xo4EKsHt2QJDu7KXp1A3u7Bi1j8ph3EGsZ9Xvz9dGuV"
          "rtHHs7pXeTzjuxBrCmmhgC6"},
         {0 + h,
          "xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6o"
          "DaPPLPxSb7gwQN3ih19Zm4Y",
          "xprv9uPDJpEQgRQfDcW7BkF7eTya6RPxXeJCqCJGHuCJ4GiRVLzkTXBAJMu2qaMWPrS7AANYqdq6vcBcBUdJCVVF"
          "ceUvJFjaPdGZ2y9WACViL4L"},
     }},
    {"3ddd5602285899a946114506157c7997e5444528f3003f6134712147db19b678",
     {
         {0,
          "xpub661MyMwAqRbcGczjuMoRm6dXaLDEhW1u34gKenbeYqAix21mdUKJyuyu5F1rzYGVxyL6tmgBUAEPrEz92mBX"
          "jByMRiJdba9wpnN37RLLAXa",
          "xprv9s21ZrQH143K48vGoLGRPxgo2JNkJ3J3fqkirQC2zVdk5Dgd5w14S7fRDyHH4dWNHUgkvsvNDCkvAwcSHNAQ"
          "whwgNMgZhLtQC63zxwhQmRv"},
         {0 + h,
          "xpub69AUMk3qDBi3uW1sXgjCmVjJ2G6WQoYSnNHyzkmdCHEhSZ4tBok37xfFEqHd2AddP56Tqp4o56AePAgCjYdv"
          "pW2PU2jbUPFKsav5ut6Ch1m",
          "xprv9vB7xEWwNp9kh1wQRfCCQMnZUEG21LpbR9NPCNN1dwhiZkjjeGRnaALmPXCX7SgjFTiCTT6bXes17boXtjq3"
          "xLpcDjzEuGLQBM5ohqkao9G"},
         {1 + h,
          "xpub6BJA1jSqiukeaesWfxe6sNK9CCGaujFFSJLomWHprUL9DePQ4JDkM5d88n49sMGJxrhpjazuXYWdMf17C9T5"
          "XnxkopaeS7jGk1GyyVziaMt",
          "xprv9xJocDuwtYCMNAo3Zw76WENQeAS6WGXQ55RCy7tDJ8oALr4FWkuVoHJeHVAcAqiZLE7Je3vZJHxspZdFHfnB"
          "EjHqU5hG1Jaj32dVoS6XLT1"},
     }},
};

TEST(Bip32, MasterKeysFromSeed) {
  for (const Vector& v : vectors) {
    const auto master = ExtendedPrivKey::from_seed(unhex(v.seed_hex));
    ASSERT_TRUE(master) << v.seed_hex;
    EXPECT_EQ(master->to_string(), v.chain[0].xprv);
    EXPECT_EQ(master->neuter().to_string(), v.chain[0].xpub);
    EXPECT_EQ(master->depth(), 0);
  }
}

TEST(Bip32, PrivateDerivationAlongEveryChain) {
  for (const Vector& v : vectors) {
    auto key = ExtendedPrivKey::from_seed(unhex(v.seed_hex));
    ASSERT_TRUE(key);
    for (std::size_t i = 1; i < v.chain.size(); ++i) {
      key = key->derive_child(v.chain[i].index);
      ASSERT_TRUE(key) << v.chain[i].xprv;
      EXPECT_EQ(key->to_string(), v.chain[i].xprv);
      EXPECT_EQ(key->neuter().to_string(), v.chain[i].xpub);
      EXPECT_EQ(key->depth(), i);
      EXPECT_EQ(key->child_number(), v.chain[i].index);
    }
  }
}

TEST(Bip32, PublicDerivationAtEveryNonHardenedStep) {
  int checked = 0;
  for (const Vector& v : vectors) {
    for (std::size_t i = 1; i < v.chain.size(); ++i) {
      const auto parent = ExtendedPubKey::parse(v.chain[i - 1].xpub);
      ASSERT_TRUE(parent) << v.chain[i - 1].xpub;
      const auto child = parent->derive_child(v.chain[i].index);
      if (is_hardened(v.chain[i].index)) {
        EXPECT_FALSE(child) << "hardened public derivation must fail";
        continue;
      }
      ASSERT_TRUE(child) << v.chain[i].xpub;
      EXPECT_EQ(child->to_string(), v.chain[i].xpub);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 6);  // vector 1: 2 steps, vector 2: 4 steps
}

TEST(Bip32, PublicDerivationAlongPath) {
  // Vector 1: m/0H/1/2H -> .../2/1000000000.
  const auto parent = ExtendedPubKey::parse(vectors[0].chain[3].xpub);
  ASSERT_TRUE(parent);
  const auto child = parent->derive_path("2/1000000000");
  ASSERT_TRUE(child);
  EXPECT_EQ(child->to_string(), vectors[0].chain[5].xpub);
  EXPECT_EQ(parent->derive_path("m/2/1000000000"), child);
  EXPECT_FALSE(parent->derive_path("2'/1000000000"));
  EXPECT_FALSE(parent->derive_path("2//1"));
}

TEST(Bip32, PrivateDerivationAlongPath) {
  const auto master = ExtendedPrivKey::from_seed(unhex(vectors[0].seed_hex));
  ASSERT_TRUE(master);
  const auto key = master->derive_path("m/0'/1/2h/2/1000000000");
  ASSERT_TRUE(key);
  EXPECT_EQ(key->to_string(), vectors[0].chain[5].xprv);
}

TEST(Bip32, ParseAndSerializeRoundTrip) {
  for (const Vector& v : vectors) {
    for (const Step& step : v.chain) {
      const auto pub = ExtendedPubKey::parse(step.xpub);
      ASSERT_TRUE(pub) << step.xpub;
      EXPECT_EQ(pub->to_string(), step.xpub);
      EXPECT_EQ(pub->kind, ExtendedKeyKind::xpub);
      const auto prv = ExtendedPrivKey::parse(step.xprv);
      ASSERT_TRUE(prv) << step.xprv;
      EXPECT_EQ(prv->to_string(), step.xprv);
      EXPECT_EQ(prv->neuter(), *pub);
      // Each parser refuses the other kind of key.
      EXPECT_FALSE(ExtendedPubKey::parse(step.xprv));
      EXPECT_FALSE(ExtendedPrivKey::parse(step.xpub));
    }
  }
}

TEST(Bip32, ParentFingerprintIsTheParentsIdentifier) {
  const auto master = ExtendedPrivKey::from_seed(unhex(vectors[0].seed_hex));
  ASSERT_TRUE(master);
  const auto child = master->derive_child(0 + h);
  ASSERT_TRUE(child);
  EXPECT_EQ(child->parent_fingerprint(), master->neuter().fingerprint());
  const auto vector_child = ExtendedPubKey::parse(vectors[0].chain[1].xpub);
  ASSERT_TRUE(vector_child);
  EXPECT_EQ(vector_child->parent_fingerprint, master->neuter().fingerprint());
}

TEST(Bip32, Vector5InvalidKeysAreRejected) {
  const std::vector<std::string> invalid_pub = {
      // pubkey version / prvkey mismatch
      "xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6LBpB85b3D2yc8sfvZU521AAwdZafE"
      "z7mnzBBsz4wKY5fTtTQBm",
      // invalid pubkey prefix 04
      "xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6Txnt3siSujt9RCVYsx4qHZGc62TG4"
      "McvMGcAUjeuwZdduYEvFn",
      // invalid pubkey prefix 01
      "xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6N8ZMMXctdiCjxTNq964yKkwrkBJJw"
      "pzZS4HS2fxvyYUA4q2Xe4",
      // zero depth with non-zero parent fingerprint
      "xpub661no6RGEX3uJkY4bNnPcw4URcQTrSibUZ4NqJEw5eBkv7ovTwgiT91XX27VbEXGENhYRCf7hyEbWrR3FewATd"
      "CEebj6znwMfQkhRYHRLpJ",
      // zero depth with non-zero index
      "xpub661MyMwAuDcm6CRQ5N4qiHKrJ39Xe1R1NyfouMKTTWcguwVcfrZJaNvhpebzGerh7gucBvzEQWRugZDuDXjNDR"
      "mXzSZe4c7mnTK97pTvGS8",
      // unknown extended key version
      "DMwo58pR1QLEFihHiXPVykYB6fJmsTeHvyTp7hRThAtCX8CvYzgPcn8XnmdfHGMQzT7ayAmfo4z3gY5KfbrZWZ6St2"
      "4UVf2Qgo6oujFktLHdHY4",
      "DMwo58pR1QLEFihHiXPVykYB6fJmsTeHvyTp7hRThAtCX8CvYzgPcn8XnmdfHPmHJiEDXkTiJTVV9rHEBUem2mwVbb"
      "NfvT2MTcAqj3nesx8uBf9",
      // invalid pubkey 020000000000000000000000000000000000000000000000000000000000000007
      "xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6Q5JXayek4PRsn35jii4veMimro1xe"
      "fsM58PgBMrvdYre8QyULY",
  };
  const std::vector<std::string> invalid_prv = {
      // prvkey version / pubkey mismatch
      "xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzFGTQQD3dC4H2D5GBj7vWvSQaaBv5cx"
      "i9gafk7NF3pnBju6dwKvH",
      // invalid prvkey prefix 04
      "xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzFGpWnsj83BHtEy5Zt8CcDr1UiRXuWC"
      "mTQLxEK9vbz5gPstX92JQ",
      // invalid prvkey prefix 01
      "xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzFAzHGBP2UuGCqWLTAPLcMtD9y5gkZ6"
      "Eq3Rjuahrv17fEQ3Qen6J",
      // zero depth with non-zero parent fingerprint
      "xprv9s2SPatNQ9Vc6GTbVMFPFo7jsaZySyzk7L8n2uqKXJen3KUmvQNTuLh3fhZMBoG3G4ZW1N2kZuHEPY53qmbZzC"
      "HshoQnNf4GvELZfqTUrcv",
      // zero depth with non-zero index
      "xprv9s21ZrQH4r4TsiLvyLXqM9P7k1K3EYhA1kkD6xuquB5i39AU8KF42acDyL3qsDbU9NmZn6MsGSUYZEsuoePmjz"
      "sB3eFKSUEh3Gu1N3cqVUN",
      // private key 0 not in 1..n-1
      "xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzF93Y5wvzdUayhgkkFoicQZcP3y52uP"
      "PxFnfoLZB21Teqt1VvEHx",
      // private key n not in 1..n-1
      "xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzFAzHGBP2UuGCqWLTAPLcMtD5SDKr24"
      "z3aiUvKr9bJpdrcLg1y3G",
      // invalid checksum
      "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3"
      "TGtRBeJgk33yuGBxrMPHL",
  };
  for (const auto& s : invalid_pub) {
    EXPECT_FALSE(ExtendedPubKey::parse(s)) << s;
    EXPECT_FALSE(ExtendedPrivKey::parse(s)) << s;
  }
  for (const auto& s : invalid_prv) {
    EXPECT_FALSE(ExtendedPrivKey::parse(s)) << s;
    EXPECT_FALSE(ExtendedPubKey::parse(s)) << s;
  }
}

TEST(Bip32, Bip84ZprvAndZpub) {
  // BIP84 test vectors (mnemonic "abandon ... about").
  const auto root = ExtendedPrivKey::parse(
      "zprvAWgYBBk7JR8Gjrh4UJQ2uJdG1r3WNRRfURiABBE3RvMXYSrRJL62XuezvGdPvG6GFBZduosCc1YP5wixPox7"
      "zhZLfiUm8aunE96BBa4Kei5");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->kind(), ExtendedKeyKind::zpub);
  EXPECT_EQ(root->neuter().to_string(),
            "zpub6jftahH18ngZxLmXaKw3GSZzZsszmt9WqedkyZdezFtWRFBZqsQH5hyUmb4pCEeZGmVfQuP5bedXTB8is6"
            "fTv19U1GQRyQUKQGUTzyHACMF");
  const auto account = root->derive_path("m/84'/0'/0'");
  ASSERT_TRUE(account);
  EXPECT_EQ(account->to_string(),
            "zprvAdG4iTXWBoARxkkzNpNh8r6Qag3irQB8PzEMkAFeTRXxHpbF9z4QgEvBRmfvqWvGp42t42nvgGpNgYSJA9"
            "iefm1yYNZKEm7z6qUWCroSQnE");
  const auto xpub = ExtendedPubKey::parse(
      "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDK"
      "f31mGDtKsAYz2oz2AGutZYs");
  ASSERT_TRUE(xpub);
  EXPECT_EQ(account->neuter(), *xpub);
  EXPECT_EQ(implied_output_type(xpub->kind), OutputType::p2wpkh);
  EXPECT_EQ(network_of(xpub->kind), Network::mainnet);

  const std::pair<const char*, const char*> receive[] = {
      {"0/0", "0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c"},
      {"0/1", "03e775fd51f0dfb8cd865d9ff1cca2a158cf651fe997fdc9fee9c1d3b5e995ea77"},
      {"1/0", "03025324888e429ab8e3dbaf1f7802648b9cd01e9b418485c5fa4c1b9b5700e1a6"},
  };
  for (const auto& [path, pubkey] : receive) {
    const auto child = xpub->derive_path(path);
    ASSERT_TRUE(child) << path;
    EXPECT_EQ(to_hex(child->pubkey), pubkey) << path;
  }
  const auto first =
      output_script_for_child(implied_output_type(xpub->kind), *xpub->derive_child(0), 0);
  ASSERT_TRUE(first);
  EXPECT_EQ(script_to_address(*first, Network::mainnet),
            "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu");
}

TEST(Bip32, Bip49UprvAndUpub) {
  // BIP49 test vectors (testnet).
  const auto root = ExtendedPrivKey::parse(
      "uprv8tXDerPXZ1QsVNjUJWTurs9kA1KGfKUAts74GCkcXtU8GwnH33GDRbNJpEqTvipfCyycARtQJhmdfWf8oKt4"
      "1X9LL1zeD2pLsWmxEk3VAwd");
  ASSERT_TRUE(root);
  const auto account = root->derive_path("m/49'/1'/0'");
  ASSERT_TRUE(account);
  EXPECT_EQ(account->to_string(),
            "uprv91G7gZkzehuMVxDJTYE6tLivdF8e4rvzSu1LFfKw3b2Qx1Aj8vpoFnHdfUZ3hmi9jsvPifmZ24RTN2Khw"
            "B8BfMLTVqaBReibyaFFcTP1s9n");
  const ExtendedPubKey upub = account->neuter();
  EXPECT_EQ(upub.to_string(),
            "upub5EFU65HtV5TeiSHmZZm7FUffBGy8UKeqp7vw43jYbvZPpoVsgU93oac7Wk3u6moKegAEWtGNF8DehrnHt"
            "v21XXEMYRUocHqguyjknFHYfgY");
  EXPECT_EQ(implied_output_type(upub.kind), OutputType::p2sh_p2wpkh);
  EXPECT_EQ(network_of(upub.kind), Network::testnet);

  const auto key = account->derive_path("0/0");
  ASSERT_TRUE(key);
  EXPECT_EQ(to_hex(key->private_key()),
            "c9bdb49cfbaedca21c4b1f3a7803c34636b1d7dc55a717132443fc3f4c5867e8");
  EXPECT_EQ(to_hex(key->public_key()),
            "03a1af804ac108a8a51782198c2d034b28bf90c8803f5a53f76276fa69a4eae77f");
  const auto script = output_script_for_child(OutputType::p2sh_p2wpkh, *upub.derive_child(0), 0);
  ASSERT_TRUE(script);
  EXPECT_EQ(script_to_address(*script, Network::testnet), "2Mww8dCYPUpKHofjgcXcBCEGmniw9CoaiD2");
}

TEST(Bip32, KindsSerializeWithTheirPrefixes) {
  const Bytes seed = unhex(vectors[0].seed_hex);
  for (ExtendedKeyKind kind :
       {ExtendedKeyKind::xpub, ExtendedKeyKind::tpub, ExtendedKeyKind::ypub, ExtendedKeyKind::zpub,
        ExtendedKeyKind::upub, ExtendedKeyKind::vpub}) {
    const auto master = ExtendedPrivKey::from_seed(seed, kind);
    ASSERT_TRUE(master);
    const std::string pub = master->neuter().to_string();
    const std::string prv = master->to_string();
    EXPECT_EQ(pub.substr(0, 4), to_string(kind));
    EXPECT_EQ(prv.substr(0, 3), std::string(to_string(kind).substr(0, 1)) + "pr");
    const auto parsed = ExtendedPubKey::parse(pub);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->kind, kind);
    EXPECT_EQ(ExtendedPrivKey::parse(prv), master);
  }
  EXPECT_EQ(public_version(ExtendedKeyKind::xpub), 0x0488B21Eu);
  EXPECT_EQ(private_version(ExtendedKeyKind::tpub), 0x04358394u);
  EXPECT_EQ(implied_output_type(ExtendedKeyKind::xpub), OutputType::p2pkh);
  EXPECT_EQ(implied_output_type(ExtendedKeyKind::vpub), OutputType::p2wpkh);
}

TEST(Bip32, SeedLengthLimits) {
  EXPECT_FALSE(ExtendedPrivKey::from_seed(Bytes(15, 1)));
  EXPECT_TRUE(ExtendedPrivKey::from_seed(Bytes(16, 1)));
  EXPECT_TRUE(ExtendedPrivKey::from_seed(Bytes(64, 1)));
  EXPECT_FALSE(ExtendedPrivKey::from_seed(Bytes(65, 1)));
}

TEST(Bip32, DepthLimit) {
  auto pub = ExtendedPubKey::parse(vectors[0].chain[0].xpub);
  ASSERT_TRUE(pub);
  pub->depth = 255;
  EXPECT_FALSE(pub->derive_child(0));
}

TEST(DerivationPath, Parse) {
  EXPECT_EQ(parse_derivation_path(""), std::vector<std::uint32_t>{});
  EXPECT_EQ(parse_derivation_path("m"), std::vector<std::uint32_t>{});
  EXPECT_EQ(parse_derivation_path("0/5"), (std::vector<std::uint32_t>{0, 5}));
  EXPECT_EQ(parse_derivation_path("m/86'/0h/0H/1/2147483647"),
            (std::vector<std::uint32_t>{86 + h, 0 + h, 0 + h, 1, 2147483647}));
  for (const char* bad : {"m/", "/0", "0/", "0//1", "2147483648", "-1", "+1", "1''", "a", "m/ 1",
                          "1/m", "99999999999", "0x10"}) {
    EXPECT_FALSE(parse_derivation_path(bad)) << bad;
  }
  EXPECT_EQ(format_derivation_path({86 + h, 0 + h, 0 + h, 0, 5}), "m/86'/0'/0'/0/5");
}

}  // namespace
}  // namespace eo::bitcoin
