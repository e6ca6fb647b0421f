// yaml-cpp parsing of the reference file; every pattern is compiled once here so a bad regex is
// a start-up error naming its key, never a surprise during analysis.
#include "aggregator/reference/reference.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace eo::aggregator::reference {

namespace {

struct Parser {
  std::string origin;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw ReferenceError(origin + ": " + key + ": " + what);
  }

  Pattern pattern(const std::string& text, const std::string& key) const {
    try {
      return {text, std::regex(text, std::regex::ECMAScript)};
    } catch (const std::regex_error& e) {
      fail(key, std::string("bad regex: ") + e.what());
    }
  }

  std::string scalar(const YAML::Node& node, const std::string& key) const {
    if (!node || !node.IsScalar()) fail(key, "must be a string");
    return node.as<std::string>();
  }

  // A variant map {value, versions, option}; a bare scalar is the default value everywhere.
  Variant variant(const YAML::Node& node, const std::string& key, const VersionLine& line) const {
    if (node.IsScalar()) return {pattern(scalar(node, key), key), "", line.all(), ""};
    if (!node.IsMap()) fail(key, "must be a pattern or a map {value, versions, option}");
    Variant v;
    v.value = pattern(scalar(node["value"], key + ".value"), key + ".value");
    if (node["versions"]) v.versions_text = scalar(node["versions"], key + ".versions");
    auto versions = line.range(v.versions_text);
    if (!versions) fail(key + ".versions", "not a range of listed releases: " + v.versions_text);
    v.versions = *versions;
    if (node["option"]) v.option = scalar(node["option"], key + ".option");
    return v;
  }

  std::vector<Variant> variants(const YAML::Node& node, const std::string& key,
                                const VersionLine& line) const {
    if (!node.IsSequence()) return {variant(node, key, line)};
    if (node.size() == 0) fail(key, "lists no value");
    std::vector<Variant> out;
    for (std::size_t i = 0; i < node.size(); ++i) {
      out.push_back(variant(node[i], key + "[" + std::to_string(i) + "]", line));
    }
    return out;
  }

  std::vector<FactRule> fact_rules(const YAML::Node& node, const std::string& key,
                                   const VersionLine& line) const {
    if (!node.IsMap()) fail(key, "must be a map of fact: values");
    std::vector<FactRule> out;
    for (const auto& kv : node) {
      auto fact = kv.first.as<std::string>();
      out.push_back({fact, variants(kv.second, key + "." + fact, line)});
    }
    return out;
  }

  VersionLine releases(const YAML::Node& node, const std::string& key) const {
    std::vector<std::string> names;
    if (node) {
      if (!node.IsSequence()) fail(key, "must be a list");
      for (std::size_t i = 0; i < node.size(); ++i) {
        names.push_back(scalar(node[i], key + "[" + std::to_string(i) + "]"));
      }
    }
    std::string error;
    auto line = VersionLine::make(std::move(names), error);
    if (!line) fail(key, error);
    return *line;
  }

  Implementation implementation(const std::string& name, const YAML::Node& node) const {
    std::string key = "implementations." + name;
    if (!node.IsMap()) fail(key, "must be a map");
    Implementation impl;
    impl.name = name;
    impl.display = scalar(node["display"], key + ".display");
    if (node["confirmed"]) impl.confirmed = scalar(node["confirmed"], key + ".confirmed");
    impl.claim = pattern(scalar(node["claim"], key + ".claim"), key + ".claim");
    if (impl.claim.regex.mark_count() < 1) fail(key + ".claim", "needs a (version) group");
    impl.line = releases(node["releases"], key + ".releases");
    if (!node["facts"]) fail(key + ".facts", "must be a map of fact: values");
    impl.facts = fact_rules(node["facts"], key + ".facts", impl.line);
    if (const auto& any = node["any_fact"]) {
      if (!any.IsSequence()) fail(key + ".any_fact", "must be a list");
      impl.any_fact = variants(any, key + ".any_fact", impl.line);
    }
    if (const auto& versions = node["version_facts"]) {
      impl.version_facts = fact_rules(versions, key + ".version_facts", impl.line);
    }
    return impl;
  }

  RateLimitRule rate_rule(const YAML::Node& node, const std::string& key) const {
    RateLimitRule rule;
    rule.style = scalar(node["style"], key + ".style");
    rule.kind = scalar(node["kind"], key + ".kind");
    if (rule.kind != "error" && rule.kind != "disconnect" && rule.kind != "slowdown") {
      fail(key + ".kind", "must be error, disconnect or slowdown");
    }
    if (node["code"]) rule.code = scalar(node["code"], key + ".code");
    if (node["message"]) rule.message = scalar(node["message"], key + ".message");
    rule.code_pattern = pattern(rule.code.empty() ? ".*" : rule.code, key + ".code");
    rule.message_pattern =
        pattern(rule.message.empty() ? "[\\s\\S]*" : rule.message, key + ".message");
    return rule;
  }

  Reference parse(std::string_view text) const {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      fail("", e.what());
    }
    if (!root.IsMap()) fail("", "must be a map");
    Reference ref;
    if (root["min_matches"]) ref.min_matches = root["min_matches"].as<std::uint32_t>();
    if (root["min_contradictions"]) {
      ref.min_contradictions = root["min_contradictions"].as<std::uint32_t>();
    }
    const auto& impls = root["implementations"];
    if (!impls || !impls.IsMap() || impls.size() == 0) fail("implementations", "must be a map");
    for (const auto& kv : impls) {
      ref.implementations.push_back(implementation(kv.first.as<std::string>(), kv.second));
    }
    if (const auto& styles = root["rate_limit_styles"]) {
      if (!styles.IsSequence()) fail("rate_limit_styles", "must be a list");
      for (std::size_t i = 0; i < styles.size(); ++i) {
        ref.rate_limit_styles.push_back(
            rate_rule(styles[i], "rate_limit_styles[" + std::to_string(i) + "]"));
      }
    }
    return ref;
  }
};

}  // namespace

namespace {

const FactRule* rule_of(const std::vector<FactRule>& rules, std::string_view name) {
  for (const auto& rule : rules) {
    if (rule.fact == name) return &rule;
  }
  return nullptr;
}

}  // namespace

const FactRule* Implementation::fact(std::string_view name) const { return rule_of(facts, name); }

const FactRule* Implementation::version_fact(std::string_view name) const {
  return rule_of(version_facts, name);
}

const Implementation* Reference::find(std::string_view name) const {
  for (const auto& impl : implementations) {
    if (impl.name == name) return &impl;
  }
  return nullptr;
}

Reference parse_reference(std::string_view yaml_text, const std::string& origin) {
  return Parser{origin}.parse(yaml_text);
}

Reference load_reference_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ReferenceError(path + ": cannot read");
  std::stringstream text;
  text << in.rdbuf();
  return parse_reference(text.str(), path);
}

const Reference& builtin_reference() {
  static const Reference reference =
      parse_reference(builtin_reference_text(), "data/fingerprints.yaml (built in)");
  return reference;
}

}  // namespace eo::aggregator::reference
