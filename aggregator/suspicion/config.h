// The suspicion weights, thresholds and levels, loaded from the one data file
// (data/suspicion.yaml, compiled into the binary; --suspicion replaces it).
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace eo::aggregator::suspicion {

// A start-up misconfiguration; the message names the file and key.
struct ConfigError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct Level {
  std::string name;
  double min = 0;
};

struct Config {
  double threshold = 0.4;
  std::vector<Level> levels;  // highest first
  std::size_t max_evidence = 20;
  std::map<std::string, double> weights;  // indicator name -> weight
  std::uint32_t min_ramps = 2;
  // Per implementation that limits by default: the ramp requests (server.ping) past which its
  // default limit throttles. Only ramps that went that far are evidence of no limits.
  std::map<std::string, std::uint64_t> default_limits;
  std::uint64_t uptime_min_rounds = 20;
  double uptime_min = 1.0;
  double uptime_network_median_below = 0.95;
  std::size_t sybil_min_peers = 2;
  double sybil_share = 0.5;
  std::map<std::string, double> finding_kinds;  // finding kind -> weight

  double weight(const std::string& indicator) const;  // 0 when not configured
  std::string level(double score) const;              // "none" below every level
};

// The indicator names the file must weigh.
inline constexpr const char* kCertificateReuse = "certificate_reuse";
inline constexpr const char* kIdenticalSignatures = "identical_signatures";
inline constexpr const char* kModifiedResponses = "modified_responses";
inline constexpr const char* kDifferentialTreatment = "differential_treatment";
inline constexpr const char* kNoResourceLimits = "no_resource_limits";
inline constexpr const char* kImprobableUptime = "improbable_uptime";
inline constexpr const char* kSybilPeers = "sybil_peers";
inline constexpr const char* kMetadataCorrelation = "metadata_correlation";

// Throws ConfigError naming `origin` and the bad key.
Config parse_config(std::string_view yaml_text, const std::string& origin);
Config load_config_file(const std::string& path);
// The data file as built into the binary.
const Config& builtin_config();
std::string_view builtin_config_text();

}  // namespace eo::aggregator::suspicion
