// The bus on a real broker's SASL_SSL listener (SCRAM-SHA-512): with the right settings records
// flow; a wrong password or an untrusted broker certificate is reported naming the setting to
// fix, the producer keeps every record in its spool meanwhile, and a producer with the fixed
// settings on the same spool delivers them all. Runs only under
// tests/support/kafka/run_with_kafka.py --sasl (ctest -L kafka_real), which sets the variables.
#include "tests/common/bus/bus_backends.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

namespace eo::bus::test {
namespace {

using namespace std::chrono_literals;

constexpr char kTopic[] = "observations.v1";
constexpr int kCount = 200;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) throw std::runtime_error(std::string(name) + " is not set");
  return value;
}

class KafkaSecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    topic_ = kafka_.name(kTopic);
    kafka_.create_topic(topic_, 4);
  }

  // The settings a real cluster's client needs, as --kafka-property would pass them.
  BusConfig secured(const std::string& client_id, const std::string& password,
                    const std::string& ca) {
    BusConfig config = kafka_.config(client_id);
    config.kafka_brokers = env("EO_KAFKA_SASL_BOOTSTRAP");
    config.kafka_overrides.insert({{"security.protocol", "SASL_SSL"},
                                   {"sasl.mechanisms", "SCRAM-SHA-512"},
                                   {"sasl.username", env("EO_KAFKA_SASL_USER")},
                                   {"sasl.password", password},
                                   {"ssl.ca.location", ca}});
    return config;
  }
  BusConfig good(const std::string& client_id) {
    return secured(client_id, env("EO_KAFKA_SASL_PASSWORD"), env("EO_KAFKA_CA"));
  }

  void publish_all(Producer& p) {
    for (int i = 0; i < kCount; ++i) {
      std::string key = "target-" + std::to_string(i % 16);
      ASSERT_TRUE(p.publish(topic_, key, make_value(key, i)).ok());
    }
  }

  // Until the producer names a refused setting (librdkafka retries the login meanwhile).
  static std::string await_client_error(Producer& p) {
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (p.stats().client_error.empty() && std::chrono::steady_clock::now() < deadline) {
      (void)p.flush(100ms);  // returns at once when acknowledged; else waits the 100 ms
    }
    return p.stats().client_error;
  }

  // A producer refused with `bad` settings names `setting`, keeps everything spooled, and one
  // with the good settings on the same spool then delivers all of it.
  void refused_then_fixed(const BusConfig& bad, const std::string& setting) {
    {
      auto p = make_producer(bad);
      publish_all(*p);
      std::string error = await_client_error(*p);
      EXPECT_EQ(error.rfind(setting, 0), 0u) << error;
      Status flushed = p->flush(100ms);
      EXPECT_EQ(flushed.code, Code::timeout);
      EXPECT_NE(flushed.detail.find(setting), std::string::npos) << flushed.detail;
      EXPECT_EQ(p->stats().spool_depth, static_cast<std::uint64_t>(kCount));
      EXPECT_EQ(p->stats().delivered, 0u);
    }
    auto p = make_producer(good(bad.client_id));
    Status flushed = p->flush(20s);
    ASSERT_TRUE(flushed.ok()) << flushed.detail;
    EXPECT_EQ(p->stats().replayed, static_cast<std::uint64_t>(kCount));
    EXPECT_EQ(p->stats().client_error, "");

    auto c = make_consumer(good("consumer"), kafka_.name("aggregator"), {topic_});
    auto got = consume_until(*c, 20s, [](const std::vector<Message>& all) {
      return distinct_sequences(all).size() >= static_cast<std::size_t>(kCount);
    });
    EXPECT_EQ(distinct_sequences(got).size(), static_cast<std::size_t>(kCount));
    EXPECT_EQ(check_first_occurrence_order(got), "");
  }

  // A consumer with `bad` settings: poll() fails naming `setting` instead of waiting forever.
  void consumer_refused(const BusConfig& bad, const std::string& setting) {
    auto c = make_consumer(bad, kafka_.name("aggregator"), {topic_});
    Status status;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (status.ok() && std::chrono::steady_clock::now() < deadline) {
      status = c->poll(100, 200ms).status;
    }
    EXPECT_EQ(status.code, Code::unavailable) << status.detail;
    EXPECT_NE(status.detail.find(setting), std::string::npos) << status.detail;
  }

  RealKafkaBackend kafka_;
  std::string topic_;
};

TEST_F(KafkaSecurity, WrongPasswordIsNamedAndTheSpoolIsDeliveredOnceFixed) {
  refused_then_fixed(secured("agent", "not-the-password", env("EO_KAFKA_CA")),
                     "sasl.username/sasl.password");
}

TEST_F(KafkaSecurity, UntrustedBrokerCertificateIsNamedAndTheSpoolIsDeliveredOnceFixed) {
  refused_then_fixed(secured("agent", env("EO_KAFKA_SASL_PASSWORD"), env("EO_KAFKA_OTHER_CA")),
                     "ssl.ca.location");
}

TEST_F(KafkaSecurity, ConsumerWithAWrongPasswordSaysWhichSetting) {
  consumer_refused(secured("consumer", "not-the-password", env("EO_KAFKA_CA")),
                   "sasl.username/sasl.password");
}

TEST_F(KafkaSecurity, ConsumerThatDoesNotTrustTheBrokerSaysWhichSetting) {
  consumer_refused(secured("consumer", env("EO_KAFKA_SASL_PASSWORD"), env("EO_KAFKA_OTHER_CA")),
                   "ssl.ca.location");
}

}  // namespace
}  // namespace eo::bus::test
