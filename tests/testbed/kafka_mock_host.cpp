// The testbed's Kafka: librdkafka's mock cluster in a process of its own, so that the
// distributed run's agents, honeypots, coordinator and aggregator (separate processes) share one
// cluster. Prints "bootstraps <host:port,...>" once the brokers listen, then obeys one command
// per stdin line: `topic NAME PARTITIONS`, `down` (every broker), `up`; EOF or `quit` ends it.
// Each command is answered with one line, "ok" or "error <why>", so the caller knows it took.
// The brokers listen on 127.0.0.1 only: the testbed forwards them into the other namespaces.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

namespace {

constexpr int kBrokers = 3;

void set_all(rd_kafka_mock_cluster_t* cluster, bool up) {
  for (int id = 1; id <= kBrokers; ++id) {
    if (up) {
      rd_kafka_mock_broker_set_up(cluster, id);
    } else {
      rd_kafka_mock_broker_set_down(cluster, id);
    }
  }
}

}  // namespace

int main() {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!handle) {
    std::cerr << "kafka_mock_host: " << errstr << "\n";
    return 2;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, kBrokers);
  if (!cluster) {
    std::cerr << "kafka_mock_host: rd_kafka_mock_cluster_new failed\n";
    rd_kafka_destroy(handle);
    return 2;
  }
  std::cout << "bootstraps " << rd_kafka_mock_cluster_bootstraps(cluster) << std::endl;

  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream words(line);
    std::string command;
    words >> command;
    if (command == "quit") break;
    if (command == "down" || command == "up") {
      set_all(cluster, command == "up");
      std::cout << "ok" << std::endl;
    } else if (command == "topic") {
      std::string name;
      int partitions = 0;
      if (!(words >> name >> partitions) || partitions < 1 || partitions > 64) {
        std::cout << "error usage: topic NAME PARTITIONS(1-64)" << std::endl;
      } else if (rd_kafka_mock_topic_create(cluster, name.c_str(), partitions, kBrokers)) {
        std::cout << "error cannot create " << name << std::endl;
      } else {
        std::cout << "ok" << std::endl;
      }
    } else {
      std::cout << "error unknown command '" << command << "'" << std::endl;
    }
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(handle);
  return 0;
}
