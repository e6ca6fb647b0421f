// Unit tests of configuration handling: every misconfiguration names its setting; topic names.
#include "common/bus/factory.h"
#include "common/bus/names.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace eo::bus {
namespace {

// The message of the std::invalid_argument thrown by `make`, or "" if none.
template <typename F>
std::string refusal(F make) {
  try {
    make();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(Names, KafkaLegalAndPathSafe) {
  EXPECT_TRUE(valid_name("observations.v1"));
  EXPECT_TRUE(valid_name("honeypot.events-v1_x"));
  EXPECT_FALSE(valid_name(""));
  EXPECT_FALSE(valid_name("."));
  EXPECT_FALSE(valid_name(".."));
  EXPECT_FALSE(valid_name("a/b"));
  EXPECT_FALSE(valid_name("a b"));
  EXPECT_FALSE(valid_name(std::string(250, 'a')));
  EXPECT_TRUE(valid_name(std::string(249, 'a')));
}

TEST(Factory, MisconfigurationNamesTheSetting) {
  eo::test::TempDir tmp;
  BusConfig embedded;
  EXPECT_EQ(refusal([&] { make_producer(embedded); }).rfind("log_dir:", 0), 0u);
  EXPECT_EQ(refusal([&] { make_consumer(embedded, "g", {"t"}); }).rfind("log_dir:", 0), 0u);

  embedded.log_dir = tmp.path();
  embedded.kafka_overrides["linger.ms"] = "1";
  EXPECT_EQ(refusal([&] { make_producer(embedded); }).rfind("kafka_overrides:", 0), 0u);
  embedded.kafka_overrides.clear();
  embedded.client_id = "has space";
  EXPECT_EQ(refusal([&] { make_producer(embedded); }).rfind("client_id:", 0), 0u);
  embedded.client_id = "agent";
  embedded.local_log.segment_bytes = 10;
  EXPECT_EQ(refusal([&] { make_producer(embedded); }).rfind("local_log.segment_bytes:", 0), 0u);
  embedded.local_log = {};
  EXPECT_EQ(refusal([&] { make_consumer(embedded, "", {"t"}); }).rfind("group_id:", 0), 0u);
  EXPECT_EQ(refusal([&] { make_consumer(embedded, "g", {}); }).rfind("topics:", 0), 0u);
  EXPECT_EQ(refusal([&] { make_consumer(embedded, "g", {"a/b"}); }).rfind("topics:", 0), 0u);
  EXPECT_EQ(refusal([&] { make_producer(embedded); }), "");

  BusConfig kafka;
  kafka.kafka_brokers = "127.0.0.1:1";
  EXPECT_EQ(refusal([&] { make_producer(kafka); }).rfind("log_dir:", 0), 0u);
  kafka.log_dir = tmp.path();
  kafka.kafka_overrides["enable.idempotence"] = "false";
  EXPECT_NE(refusal([&] { make_producer(kafka); }).find("enable.idempotence"), std::string::npos);
  kafka.kafka_overrides = {{"enable.auto.commit", "true"}};
  EXPECT_NE(refusal([&] { make_consumer(kafka, "g", {"t"}); }).find("enable.auto.commit"),
            std::string::npos);
  kafka.kafka_overrides = {{"no.such.property", "1"}};
  EXPECT_NE(refusal([&] { make_producer(kafka); }).find("no.such.property"), std::string::npos);
  kafka.kafka_overrides = {{"linger.ms", "-5"}};
  EXPECT_NE(refusal([&] { make_producer(kafka); }).find("linger.ms"), std::string::npos);
  kafka.kafka_overrides = {};
  EXPECT_EQ(refusal([&] { make_producer(kafka); }), "");  // connects lazily
}

}  // namespace
}  // namespace eo::bus
