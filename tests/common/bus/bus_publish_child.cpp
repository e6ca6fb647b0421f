// A publisher process for the crash test: publishes "target-<i % 16>" = "<key>:<i>" for i = 0..
// and appends i to an acknowledgement file after each publish() that returned ok, until killed;
// having published COUNT it flushes for up to 30 s and exits 6 if that did not deliver all.
// usage: bus_publish_child ACK_FILE COUNT BROKERS|- LOG_DIR CLIENT_ID TOPIC [KEY=VALUE ...]
#include "common/bus/factory.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include <fcntl.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s ACK_FILE COUNT BROKERS|- LOG_DIR CLIENT_ID TOPIC [K=V...]\n",
                 argv[0]);
    return 2;
  }
  eo::bus::BusConfig config;
  config.kafka_brokers = std::string(argv[3]) == "-" ? "" : argv[3];
  config.log_dir = argv[4];
  config.client_id = argv[5];
  for (int i = 7; i < argc; ++i) {
    std::string kv = argv[i];
    auto eq = kv.find('=');
    if (eq != std::string::npos) config.kafka_overrides[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  int acks = ::open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (acks < 0) return 3;
  auto producer = eo::bus::make_producer(config);
  int count = std::atoi(argv[2]);
  for (int i = 0; i < count; ++i) {
    std::string key = "target-" + std::to_string(i % 16);
    eo::bus::Status s = producer->publish(argv[6], key, key + ":" + std::to_string(i));
    if (!s.ok()) {
      std::fprintf(stderr, "publish %d: %s\n", i, s.detail.c_str());
      return 4;
    }
    std::string line = std::to_string(i) + "\n";
    if (::write(acks, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 5;
  }
  eo::bus::Status flushed = producer->flush(std::chrono::seconds(30));
  if (!flushed.ok()) std::fprintf(stderr, "flush: %s\n", flushed.detail.c_str());
  return flushed.ok() ? 0 : 6;
}
