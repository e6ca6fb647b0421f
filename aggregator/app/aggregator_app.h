// `observatory aggregator`: consumes observations.v1 and honeypot.events.v1 into the results
// database, re-runs the analyses when something changed (at most every analyze_every) and
// publishes new or changed findings on findings.v1 through the same bus.
#pragma once

#include "aggregator/app/analyze.h"

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

namespace eo::aggregator::app {

struct AggregatorOptions {
  std::string kafka;                                    // brokers; empty: the embedded log
  std::map<std::string, std::string> kafka_properties;  // librdkafka settings for the cluster
  std::string data_dir = "observatory-data";            // the embedded log is data_dir/bus ...
  std::string log_dir;                                  // ... unless given here
  std::string group = "aggregator";  // consumer group: instances share the partitions
  std::string db = "results.sqlite";
  std::string metrics_listen;
  std::string fingerprints;  // reference file; empty: the built-in data/fingerprints.yaml
  std::string suspicion;     // suspicion weights; empty: the built-in data/suspicion.yaml
  std::string geo_database;  // libloc database; empty: Debian's; "none": no geo data
  bool once = false;         // consume until caught up, analyse, exit
  // With once: store only; no analysis and nothing published. Several agents' embedded logs go
  // into one database this way before one analysis sees them all (an analysis per log would
  // publish findings from part of the data and withdraw them at the next).
  bool ingest_only = false;
  // --once: caught up when every held partition is read to its end and a poll this long
  // brought nothing.
  std::chrono::milliseconds idle{1000};
  // --once: give up (an error) after this long without a record while still not caught up (a
  // group that never assigns, brokers that never answer).
  std::chrono::seconds once_timeout{300};
  std::size_t batch = 5000;
  std::chrono::seconds analyze_every{60};
  std::chrono::hours window = kDefaultWindow;  // what a pass reads; zero: the whole history
  // Open data (docs/data.md): after each pass, the day files of observations and findings here.
  std::string export_daily;
  bool export_client_ips = false;  // honeypot clients' IPs in exported findings (withheld)
  // Raw observations of whole UTC days older than this many days are exported to export_daily
  // and then deleted; 0 keeps everything.
  int retention_days = 0;
  std::string log_format = "text";
};

// Returns the process exit code. Throws std::invalid_argument / std::runtime_error for a
// misconfiguration or an environment that refuses at start-up (named).
int run_aggregator(const AggregatorOptions& options);

}  // namespace eo::aggregator::app
