// run_privacy_report: a fresh consumer group reads the topic from the start, then the analysis.
#include "honeypot/app/privacy_app.h"

#include "common/bus/factory.h"
#include "common/bus/topics.h"
#include "common/telemetry/log.h"
#include "common/privacy/privacy_report.h"

#include <chrono>
#include <fstream>
#include <iostream>
#include <unistd.h>

namespace eo::honeypot::app {

namespace {

std::vector<v1::HoneypotEvent> read_events(const PrivacyOptions& options) {
  bus::BusConfig config;
  config.kafka_brokers = options.kafka;
  config.kafka_overrides = options.kafka_properties;
  config.log_dir = options.data_dir + "/bus";
  config.client_id = "privacy-report";
  // A group of its own, so the report always reads the whole topic and commits nothing shared.
  std::string group = "privacy-report-" + std::to_string(getpid()) + "-" +
                      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  auto consumer = bus::make_consumer(config, group, {std::string(bus::topics::kHoneypotEvents)});
  std::vector<v1::HoneypotEvent> events;
  std::size_t malformed = 0;
  auto idle = std::chrono::milliseconds(options.idle_ms);
  for (;;) {
    auto polled = consumer->poll(1000, idle);
    if (!polled.status.ok()) {
      throw std::runtime_error("reading honeypot events: " + polled.status.detail);
    }
    if (polled.messages.empty()) break;
    for (const auto& message : polled.messages) {
      v1::HoneypotEvent event;
      if (event.ParseFromString(message.value)) {
        events.push_back(std::move(event));
      } else {
        ++malformed;
      }
    }
  }
  if (malformed > 0) {
    telemetry::log(telemetry::LogLevel::warn, "skipped malformed events", {{"count", malformed}});
  }
  return events;
}

}  // namespace

int run_privacy_report(const PrivacyOptions& options) {
  auto events = read_events(options);
  privacy::ReportOptions report_options;
  report_options.show_ips = options.show_ips;
  auto report = privacy::analyze(events, report_options);
  if (!options.json_out.empty()) {
    std::ofstream out(options.json_out);
    if (!out) throw std::invalid_argument("cannot write --json " + options.json_out);
    out << privacy::to_json(report).dump(1) << "\n";
  }
  std::string markdown = privacy::to_markdown(report);
  if (options.markdown_out.empty() || options.markdown_out == "-") {
    std::cout << markdown;
  } else {
    std::ofstream out(options.markdown_out);
    if (!out) throw std::invalid_argument("cannot write --markdown " + options.markdown_out);
    out << markdown;
  }
  telemetry::log(telemetry::LogLevel::info, "privacy report written",
                 {{"events", events.size()}, {"wallets", report.wallets.size()}});
  return 0;
}

}  // namespace eo::honeypot::app
