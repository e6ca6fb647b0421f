// Unit tests of the Kafka producer's ack window: the watermark moves only over a contiguous
// acknowledged prefix, whatever order the acknowledgements arrive in.
#include "common/bus/kafka/ack_window.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

namespace eo::bus::kafka {
namespace {

TEST(AckWindow, WatermarkFollowsTheAcknowledgedPrefix) {
  AckWindow w;
  w.reset(100);
  for (int i = 100; i < 105; ++i) w.sent(i);
  EXPECT_EQ(w.low(), 100);
  EXPECT_EQ(w.end(), 105);
  EXPECT_TRUE(w.ack(102));
  EXPECT_TRUE(w.ack(101));
  EXPECT_EQ(w.low(), 100);
  EXPECT_TRUE(w.ack(100));
  EXPECT_EQ(w.low(), 103);
  EXPECT_EQ(w.in_flight(), 2u);
  EXPECT_FALSE(w.ack(99));   // already below the watermark
  EXPECT_FALSE(w.ack(105));  // never sent
  EXPECT_TRUE(w.ack(104));
  EXPECT_TRUE(w.ack(103));
  EXPECT_EQ(w.low(), 105);
  EXPECT_EQ(w.in_flight(), 0u);
}

TEST(AckWindow, AnyOrderEndsAtTheEnd) {
  std::vector<int> order(1000);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(3));
  AckWindow w;
  w.reset(0);
  for (int i = 0; i < 1000; ++i) w.sent(i);
  std::int64_t last = 0;
  for (int o : order) {
    ASSERT_TRUE(w.ack(o));
    ASSERT_GE(w.low(), last);
    last = w.low();
  }
  EXPECT_EQ(w.low(), 1000);
}

TEST(AckWindow, ResetForgetsInFlight) {
  AckWindow w;
  w.reset(0);
  w.sent(0);
  w.sent(1);
  w.ack(1);
  w.reset(w.low());  // starting over resends 0 and 1
  EXPECT_EQ(w.low(), 0);
  EXPECT_EQ(w.in_flight(), 0u);
}

}  // namespace
}  // namespace eo::bus::kafka
