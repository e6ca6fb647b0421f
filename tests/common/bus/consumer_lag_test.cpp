// parse_consumer_lag on librdkafka's statistics JSON (the shape of librdkafka 2.0's
// STATISTICS.md, trimmed to the fields read).
#include "common/bus/kafka/consumer_lag.h"

#include <gtest/gtest.h>

namespace eo::bus::kafka {
namespace {

TEST(ConsumerLag, KnownPartitionsOnly) {
  const char* json = R"({"name": "rdkafka#consumer-1", "type": "consumer", "topics": {
    "observations.v1": {"topic": "observations.v1", "partitions": {
      "0": {"partition": 0, "consumer_lag": 12, "committed_offset": 30},
      "1": {"partition": 1, "consumer_lag": 0},
      "2": {"partition": 2, "consumer_lag": -1},
      "-1": {"partition": -1, "consumer_lag": -1}}},
    "honeypot.events.v1": {"partitions": {"3": {"partition": 3, "consumer_lag": 7}}}}})";
  PartitionLag lag = parse_consumer_lag(json);
  PartitionLag expected = {
      {{"observations.v1", 0}, 12}, {{"observations.v1", 1}, 0}, {{"honeypot.events.v1", 3}, 7}};
  EXPECT_EQ(lag, expected);
}

TEST(ConsumerLag, MalformedStatisticsGiveNothing) {
  EXPECT_TRUE(parse_consumer_lag("").empty());
  EXPECT_TRUE(parse_consumer_lag("{\"topics\": [1, 2]}").empty());
  EXPECT_TRUE(parse_consumer_lag("{\"topics\": {\"t\": {\"partitions\": {\"0\": 5}}}}").empty());
  EXPECT_TRUE(parse_consumer_lag("{\"topics\": {\"t\": {\"partitions\": {\"0\": "
                                 "{\"partition\": \"zero\", \"consumer_lag\": 1}}}}}")
                  .empty());
}

}  // namespace
}  // namespace eo::bus::kafka
