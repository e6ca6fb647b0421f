// The transaction decoder against Bitcoin Core's own vectors (data/core_tx_vectors.json, from
// tx_valid.json and tx_invalid.json): Core deserializes every one of them, so ours must too, and
// give back the same bytes. tx_invalid's transactions fail CheckTransaction (no outputs, negative
// or too large amounts, duplicate inputs, bad coinbase sizes), which is validation, not decoding:
// a decoder that refused them would refuse what Core reads.
#include "common/bitcoin/hex.h"
#include "common/bitcoin/tx.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace eo::bitcoin {
namespace {

nlohmann::json vectors() {
  std::ifstream in("tests/common/bitcoin/data/core_tx_vectors.json");
  return nlohmann::json::parse(in);
}

// Decodes, re-encodes to the same bytes, and reads back its own legacy form with the same txid.
void expect_round_trip(const nlohmann::json& vector) {
  SCOPED_TRACE(vector["comment"].get<std::string>());
  const auto raw = from_hex(vector["hex"].get<std::string>());
  ASSERT_TRUE(raw);
  const auto tx = parse_transaction(*raw);
  ASSERT_TRUE(tx);
  EXPECT_EQ(serialize(*tx), *raw);
  const auto stripped = parse_transaction(serialize_without_witness(*tx));
  ASSERT_TRUE(stripped);
  EXPECT_EQ(txid(*stripped), txid(*tx));
  if (vector.contains("txid")) {
    EXPECT_EQ(txid_hex(*tx), vector["txid"].get<std::string>());
  }
}

TEST(CoreTxVectors, ValidTransactionsDecodeAndReencode) {
  const auto all = vectors();
  ASSERT_GE(all["valid"].size(), 10u);
  for (const auto& vector : all["valid"]) expect_round_trip(vector);
}

TEST(CoreTxVectors, CheckTransactionFailuresStillDecode) {
  const auto all = vectors();
  ASSERT_GE(all["check_transaction_invalid"].size(), 5u);
  for (const auto& vector : all["check_transaction_invalid"]) expect_round_trip(vector);
}

TEST(CoreTxVectors, WitnessStacksKeepTheirPlaces) {
  // Four inputs, only the second with a witness: BIP144 keeps an empty stack per input.
  const auto all = vectors();
  for (const auto& vector : all["valid"]) {
    if (vector["comment"].get<std::string>().find("four inputs") == std::string::npos) continue;
    const auto tx = parse_transaction(*from_hex(vector["hex"].get<std::string>()));
    ASSERT_TRUE(tx && tx->inputs.size() == 4);
    EXPECT_TRUE(tx->has_witness());
    EXPECT_TRUE(tx->inputs[0].witness.empty());
    EXPECT_EQ(tx->inputs[1].witness.size(), 2u);
    EXPECT_TRUE(tx->inputs[2].witness.empty());
    EXPECT_TRUE(tx->inputs[3].witness.empty());
    return;
  }
  FAIL() << "the four-input witness vector is missing";
}

}  // namespace
}  // namespace eo::bitcoin
