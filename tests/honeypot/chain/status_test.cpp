// Electrum's status hash on examples computed by hand (Python hashlib, and checked against
// electrum.synchronizer.history_status of Electrum 4.3.4).
#include "honeypot/chain/status.h"

#include <gtest/gtest.h>

namespace eo::honeypot::chain {
namespace {

TEST(ElectrumStatus, EmptyHistoryIsNull) { EXPECT_EQ(electrum_status({}), std::nullopt); }

TEST(ElectrumStatus, ConfirmedThenMempool) {
  const std::vector<HistoryItem> history = {
      {"4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", 170, 0},
      {"f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16", 0, 1000},
  };
  // sha256("4a5e...a33b:170:f418...9e16:0:"); fees do not enter the status.
  EXPECT_EQ(electrum_status(history),
            "4a769303b9f08c452b544bcb453267e0252f71ad122ebdafb6c795207784676c");
}

TEST(ElectrumStatus, UnconfirmedParentIsMinusOne) {
  const std::vector<HistoryItem> history = {
      {"f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16", -1, 226},
  };
  EXPECT_EQ(electrum_status(history),
            "c8a0502b0a7eea134c41f10b6f4ab4876a8ce5d34a5dc15aa9d12f0c9e6b5756");
}

}  // namespace
}  // namespace eo::honeypot::chain
