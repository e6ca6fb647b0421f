// Reads typed values out of yaml-cpp nodes, naming the key path in every error, and refuses keys
// it does not know (a typo in a profile must not silently fall back to a default).
#pragma once

#include "honeypot/server/profile.h"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace eo::honeypot::server::yaml {

// A node and the path that leads to it ("profile.rules[2].action").
struct At {
  YAML::Node node;  // a handle; read through const access only (non-const [] inserts keys)
  std::string path;

  At child(std::string_view key) const;
  bool has(std::string_view key) const;
  [[noreturn]] void fail(std::string_view what) const;

  // Throws ConfigError unless every key of this map is one of `known`.
  void only(std::initializer_list<std::string_view> known) const;

  std::string str() const;
  bool boolean() const;
  std::int64_t integer() const;
  std::uint64_t unsigned_integer() const;
  double number() const;
  std::vector<std::string> strings() const;
  nlohmann::json json() const;  // scalars typed as YAML 1.2 core reads them
};

// Sets `out` from `key` when the map has it.
void read(const At& at, std::string_view key, std::string& out);
void read(const At& at, std::string_view key, bool& out);
void read(const At& at, std::string_view key, double& out);
void read(const At& at, std::string_view key, std::size_t& out);
void read(const At& at, std::string_view key, std::int64_t& out);

Cidr cidr(const At& at);
IpAddress ip(const At& at);

// One entry of a profile's `rules:` list (rules_yaml.cpp).
Rule rule(const At& at);

}  // namespace eo::honeypot::server::yaml
