// A finding: one thing the analyses say about one server, with the observations behind it. Every
// analysis that concludes something (differential treatment, modified implementation, operator
// cluster, honeypot suspicion, phishing broadcast, query leak) states it as Findings; the
// findings module gives them stable ids, saves them to the `findings` table, publishes them on
// findings.v1 and counts them by kind.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace eo::aggregator::findings {

// The kinds, as tables, metrics, findings.v1 and the testbed's ground truth name them.
// Differential findings are "differential.<dimension>" (reachability, content, error, rate_limit,
// latency).
inline constexpr const char* kDifferentialPrefix = "differential.";
inline constexpr const char* kModifiedImplementation = "modified_implementation";
inline constexpr const char* kOperatorCluster = "operator_cluster";
inline constexpr const char* kHoneypotSuspicion = "honeypot_suspicion";
inline constexpr const char* kPhishingBroadcast = "phishing_broadcast";
inline constexpr const char* kQueryLeak = "query_leak";

struct Finding {
  std::string kind;
  std::string server;      // host name, as in the servers table
  std::string target_id;   // empty when the finding is about the whole server
  std::string vantage_id;  // empty unless one vantage is singled out
  std::string dimension;   // differential dimension, else empty
  std::optional<double> score;
  std::optional<double> p;
  std::optional<double> q;
  std::string summary;                // one sentence a reader of the report understands
  std::vector<std::string> evidence;  // observation or event ids
  nlohmann::json details = nlohmann::json::object();

  bool operator==(const Finding&) const = default;
};

}  // namespace eo::aggregator::findings
