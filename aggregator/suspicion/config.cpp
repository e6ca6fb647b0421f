// yaml-cpp parsing of the suspicion file: every indicator must be weighed (a typo would silently
// drop one from every score), weights and thresholds are numbers >= 0.
#include "aggregator/suspicion/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace eo::aggregator::suspicion {

namespace {

constexpr const char* kIndicators[] = {
    kCertificateReuse, kIdenticalSignatures, kModifiedResponses, kDifferentialTreatment,
    kNoResourceLimits, kImprobableUptime,    kSybilPeers,        kMetadataCorrelation};

struct Parser {
  std::string origin;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw ConfigError(origin + ": " + key + ": " + what);
  }

  double number(const YAML::Node& node, const std::string& key) const {
    if (!node || !node.IsScalar()) fail(key, "must be a number");
    try {
      double v = node.as<double>();
      if (!(v >= 0)) fail(key, "must be >= 0");
      return v;
    } catch (const YAML::Exception&) {
      fail(key, "must be a number");
    }
  }

  template <typename T>
  void optional_number(const YAML::Node& node, const std::string& key, T& out) const {
    if (node) out = static_cast<T>(number(node, key));
  }
};

}  // namespace

double Config::weight(const std::string& indicator) const {
  auto it = weights.find(indicator);
  return it == weights.end() ? 0 : it->second;
}

std::string Config::level(double score) const {
  for (const auto& l : levels) {
    if (score >= l.min) return l.name;
  }
  return "none";
}

Config parse_config(std::string_view yaml_text, const std::string& origin) {
  Parser p{origin};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    p.fail("(file)", e.what());
  }
  if (!root.IsMap()) p.fail("(file)", "must be a map");
  Config c;
  c.threshold = p.number(root["threshold"], "threshold");
  p.optional_number(root["max_evidence"], "max_evidence", c.max_evidence);
  const auto& levels = root["levels"];
  if (!levels || !levels.IsSequence()) p.fail("levels", "must be a list of {name, min}");
  for (std::size_t i = 0; i < levels.size(); ++i) {
    auto key = "levels[" + std::to_string(i) + "]";
    if (!levels[i]["name"] || !levels[i]["name"].IsScalar()) p.fail(key + ".name", "missing");
    c.levels.push_back(
        {levels[i]["name"].as<std::string>(), p.number(levels[i]["min"], key + ".min")});
  }
  std::stable_sort(c.levels.begin(), c.levels.end(),
                   [](const Level& a, const Level& b) { return a.min > b.min; });
  const auto& indicators = root["indicators"];
  if (!indicators || !indicators.IsMap()) p.fail("indicators", "must be a map");
  for (const char* name : kIndicators) {
    auto key = std::string("indicators.") + name;
    const auto& node = indicators[name];
    if (!node || !node.IsMap()) p.fail(key, "missing (every indicator needs a weight)");
    c.weights[name] = p.number(node["weight"], key + ".weight");
  }
  for (const auto& kv : indicators) {
    auto name = kv.first.as<std::string>();
    if (!c.weights.contains(name)) p.fail("indicators." + name, "unknown indicator");
  }
  const auto& ramps = indicators[kNoResourceLimits];
  p.optional_number(ramps["min_ramps"], "indicators.no_resource_limits.min_ramps", c.min_ramps);
  if (const auto& limits = ramps["default_limits"]) {
    const std::string key = "indicators.no_resource_limits.default_limits";
    if (!limits.IsMap()) p.fail(key, "must map implementation names to ramp requests");
    for (const auto& kv : limits) {
      const auto name = kv.first.as<std::string>();
      double requests = 0;
      p.optional_number(kv.second, key + "." + name, requests);
      if (requests < 1) p.fail(key + "." + name, "must be at least 1 request");
      c.default_limits[name] = static_cast<std::uint64_t>(requests);
    }
  }
  const auto& uptime = indicators[kImprobableUptime];
  p.optional_number(uptime["min_rounds"], "indicators.improbable_uptime.min_rounds",
                    c.uptime_min_rounds);
  p.optional_number(uptime["min_uptime"], "indicators.improbable_uptime.min_uptime", c.uptime_min);
  p.optional_number(uptime["network_median_below"],
                    "indicators.improbable_uptime.network_median_below",
                    c.uptime_network_median_below);
  const auto& sybil = indicators[kSybilPeers];
  p.optional_number(sybil["min_peers"], "indicators.sybil_peers.min_peers", c.sybil_min_peers);
  p.optional_number(sybil["share"], "indicators.sybil_peers.share", c.sybil_share);
  if (const auto& kinds = root["finding_kinds"]) {
    if (!kinds.IsMap()) p.fail("finding_kinds", "must be a map of kind: weight");
    for (const auto& kv : kinds) {
      auto kind = kv.first.as<std::string>();
      c.finding_kinds[kind] = p.number(kv.second, "finding_kinds." + kind);
    }
  }
  return c;
}

Config load_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

const Config& builtin_config() {
  static const Config config =
      parse_config(builtin_config_text(), "data/suspicion.yaml (built in)");
  return config;
}

}  // namespace eo::aggregator::suspicion
