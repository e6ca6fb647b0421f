// `observatory privacy-report`: reads every HoneypotEvent on the bus and writes what the
// operator learned (JSON and Markdown).
#pragma once

#include <map>
#include <string>

namespace eo::honeypot::app {

struct PrivacyOptions {
  std::string kafka;
  std::map<std::string, std::string> kafka_properties;  // librdkafka settings for the cluster
  std::string data_dir = "observatory-data";
  std::string json_out;      // empty: none
  std::string markdown_out;  // empty or "-": stdout
  bool show_ips = false;
  long idle_ms = 2000;  // stop reading after this long without new events
};

int run_privacy_report(const PrivacyOptions& options);

}  // namespace eo::honeypot::app
