// Tests IdTable: allocation, matching, and reporting of unknown, duplicate and odd ids.
#include "common/electrum/ids.h"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <memory>
#include <string>

namespace eo::electrum {
namespace {

using Json = nlohmann::json;

TEST(IdTable, AllocatesIncreasingIdsAndMatchesOnce) {
  IdTable<std::string> table;
  const auto a = table.allocate("version");
  const auto b = table.allocate("banner");
  EXPECT_EQ(a, 0);
  EXPECT_EQ(b, 1);
  EXPECT_EQ(table.outstanding(), 2u);

  auto m = table.take(Json(1));
  EXPECT_EQ(m.status, IdStatus::matched);
  EXPECT_EQ(m.id, 1);
  EXPECT_EQ(m.slot, "banner");
  EXPECT_EQ(table.outstanding(), 1u);

  m = table.take(Json(1));  // the same reply again
  EXPECT_EQ(m.status, IdStatus::not_outstanding);
  EXPECT_FALSE(m.slot);
  EXPECT_EQ(table.take(Json(0)).slot, "version");
  EXPECT_EQ(table.outstanding(), 0u);
}

TEST(IdTable, ReportsIdsItNeverIssued) {
  IdTable<int> table(100);
  table.allocate(1);
  EXPECT_EQ(table.take(Json(99)).status, IdStatus::never_issued);
  EXPECT_EQ(table.take(Json(101)).status, IdStatus::never_issued);
  EXPECT_EQ(table.take(Json(-5)).status, IdStatus::never_issued);
  const auto huge = table.take(Json(std::numeric_limits<std::uint64_t>::max()));
  EXPECT_EQ(huge.status, IdStatus::never_issued);
  EXPECT_FALSE(huge.id);
  EXPECT_EQ(table.outstanding(), 1u);
}

TEST(IdTable, NonIntegerIdsAreReported) {
  IdTable<int> table;
  table.allocate(1);
  EXPECT_EQ(table.take(Json()).status, IdStatus::not_integer);
  EXPECT_EQ(table.take(Json("0")).status, IdStatus::not_integer);
  EXPECT_EQ(table.take(Json(0.0)).status, IdStatus::not_integer);
  EXPECT_EQ(table.take(Json::array({0})).status, IdStatus::not_integer);
  EXPECT_EQ(table.take(Json(true)).status, IdStatus::not_integer);
  EXPECT_EQ(table.take(Json(0)).status, IdStatus::matched);
}

TEST(IdTable, LateReplyAfterCancelIsNotOutstanding) {
  IdTable<std::unique_ptr<int>> table;  // move-only slots work
  const auto id = table.allocate(std::make_unique<int>(42));
  auto slot = table.cancel(id);
  ASSERT_TRUE(slot);
  EXPECT_EQ(**slot, 42);
  EXPECT_FALSE(table.cancel(id));
  EXPECT_FALSE(table.is_outstanding(id));
  EXPECT_EQ(table.take(Json(id)).status, IdStatus::not_outstanding);
}

TEST(IdTable, DrainHandsBackEverySlot) {
  IdTable<std::string> table(5);
  table.allocate("a");
  table.allocate("b");
  std::map<std::int64_t, std::string> seen;
  table.drain([&](std::int64_t id, std::string slot) { seen[id] = slot; });
  EXPECT_EQ(seen, (std::map<std::int64_t, std::string>{{5, "a"}, {6, "b"}}));
  EXPECT_EQ(table.outstanding(), 0u);
  EXPECT_EQ(table.next_id(), 7);
  EXPECT_EQ(table.take(Json(5)).status, IdStatus::not_outstanding);
}

TEST(IdStatus, NamesAreStable) {
  EXPECT_EQ(to_string(IdStatus::matched), "matched");
  EXPECT_EQ(to_string(IdStatus::not_integer), "not_integer");
  EXPECT_EQ(to_string(IdStatus::never_issued), "never_issued");
  EXPECT_EQ(to_string(IdStatus::not_outstanding), "not_outstanding");
}

}  // namespace
}  // namespace eo::electrum
