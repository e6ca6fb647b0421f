// Fuzz-ish checks: random and mutated input to every parser of untrusted data never crashes, and
// whatever is accepted re-encodes to exactly the input (no two encodings of one value).
#include "common/bitcoin/base58.h"
#include "common/bitcoin/bech32.h"
#include "common/bitcoin/bip32.h"
#include "common/bitcoin/header.h"
#include "common/bitcoin/hex.h"
#include "common/bitcoin/script.h"
#include "common/bitcoin/tx.h"
#include "tests/common/bitcoin/test_hex.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace eo::bitcoin {
namespace {

using testing::unhex;

constexpr int iterations = 3000;

Bytes random_bytes(std::mt19937& rng, std::size_t max_len) {
  std::uniform_int_distribution<std::size_t> len(0, max_len);
  std::uniform_int_distribution<int> byte(0, 255);
  Bytes out(len(rng));
  for (auto& b : out) b = static_cast<std::uint8_t>(byte(rng));
  return out;
}

std::string random_text(std::mt19937& rng, std::string_view alphabet, std::size_t max_len) {
  std::uniform_int_distribution<std::size_t> len(0, max_len);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string out(len(rng), ' ');
  for (auto& c : out) c = alphabet[pick(rng)];
  return out;
}

// Flips, inserts or deletes a few random bytes.
Bytes mutate(std::mt19937& rng, Bytes data) {
  std::uniform_int_distribution<int> ops(1, 4);
  std::uniform_int_distribution<int> kind(0, 2);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = ops(rng); i > 0; --i) {
    std::uniform_int_distribution<std::size_t> at(0, data.empty() ? 0 : data.size() - 1);
    const std::size_t pos = at(rng);
    switch (kind(rng)) {
      case 0:
        if (!data.empty()) data[pos] = static_cast<std::uint8_t>(byte(rng));
        break;
      case 1:
        data.insert(data.begin() + static_cast<long>(std::min(pos, data.size())),
                    static_cast<std::uint8_t>(byte(rng)));
        break;
      default:
        if (!data.empty()) data.erase(data.begin() + static_cast<long>(pos));
    }
  }
  return data;
}

std::string to_string(const Bytes& b) { return std::string(b.begin(), b.end()); }
Bytes to_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

TEST(Robustness, TransactionParser) {
  std::mt19937 rng(1);
  const Bytes seeds[] = {
      unhex("01000000000102fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f0000"
            "0000494830450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be02"
            "2040529b194ba3f9281a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51e1b8"
            "04cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206"
            "000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a914"
            "3bde42dbee7e4dbe6a21b2d50ce2f0167faa815988ac000247304402203609e17b84f6a7d30c80bfa610"
            "b5b4542f32a8a0d5447a12fb1366d7f01cc44a0220573a954c4518331561406f90300e8f3358f51928d4"
            "3c212a8caed02de67eebee0121025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07"
            "aeee635711000000"),
      unhex("0100000002fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f00000000"
            "00eeffffffef51e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000"
            "ffffffff02202cb206000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac909351"
            "0d000000001976a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988ac11000000"),
  };
  int accepted = 0;
  for (int i = 0; i < iterations; ++i) {
    const Bytes input =
        (i % 3 == 0) ? random_bytes(rng, 300) : mutate(rng, seeds[static_cast<std::size_t>(i) % 2]);
    const auto tx = parse_transaction(input);
    if (tx) {
      ++accepted;
      EXPECT_EQ(serialize(*tx), input);
    }
  }
  EXPECT_GT(accepted, 0);  // byte flips inside scripts and values keep a valid shape
}

TEST(Robustness, HeaderParser) {
  std::mt19937 rng(2);
  for (int i = 0; i < iterations; ++i) {
    const Bytes input = random_bytes(rng, 100);
    const auto header = parse_block_header(input);
    EXPECT_EQ(header.has_value(), input.size() == 80);
    if (header) {
      const auto bytes = serialize(*header);
      EXPECT_EQ(Bytes(bytes.begin(), bytes.end()), input);
      (void)check_proof_of_work(*header);
    }
  }
}

TEST(Robustness, Base58AndExtendedKeys) {
  std::mt19937 rng(3);
  const std::string xpub =
      "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265"
      "TMg7usUDFdp6W1EGMcet8";
  const std::string_view alphabet =
      "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0OIl+/ ";
  for (int i = 0; i < iterations; ++i) {
    const std::string text =
        (i % 2 == 0) ? random_text(rng, alphabet, 120) : to_string(mutate(rng, to_bytes(xpub)));
    if (const auto decoded = base58_decode(text)) {
      EXPECT_EQ(base58_encode(*decoded), text);
    }
    (void)base58check_decode(text);
    if (const auto key = ExtendedPubKey::parse(text)) {
      EXPECT_EQ(key->to_string(), text);
    }
    if (const auto key = ExtendedPrivKey::parse(text)) {
      EXPECT_EQ(key->to_string(), text);
    }
    (void)address_to_script(text, Network::mainnet);
  }
}

TEST(Robustness, Bech32AndSegwitAddresses) {
  std::mt19937 rng(4);
  const std::string address = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0";
  const std::string_view alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7lQPZRY1bio ~\x7f";
  for (int i = 0; i < iterations; ++i) {
    const std::string text = (i % 2 == 0) ? "bc1" + random_text(rng, alphabet, 95)
                                          : to_string(mutate(rng, to_bytes(address)));
    if (const auto d = bech32_decode(text)) {
      EXPECT_EQ(bech32_encode(d->variant, d->hrp, d->values), lower(text));
    }
    if (const auto a = segwit_address_decode(text)) {
      EXPECT_EQ(segwit_address_encode(a->hrp, a->witness_version, a->program), lower(text));
    }
    for (Network n : {Network::mainnet, Network::testnet, Network::regtest}) {
      if (const auto script = address_to_script(text, n)) {
        EXPECT_EQ(script_to_address(*script, n), lower(text));
      }
    }
  }
}

TEST(Robustness, HexAndPaths) {
  std::mt19937 rng(5);
  for (int i = 0; i < iterations; ++i) {
    const std::string hex = random_text(rng, "0123456789abcdefABCDEFxg ", 40);
    if (const auto bytes = from_hex(hex)) {
      EXPECT_EQ(to_hex(*bytes), lower(hex));
    }
    const std::string path = random_text(rng, "m0123456789/'hH -", 30);
    if (const auto p = parse_derivation_path(path)) {
      EXPECT_LE(p->size(), 255u);
    }
  }
}

}  // namespace
}  // namespace eo::bitcoin
