// Reads typed values out of yaml-cpp nodes, naming the key path in every error.
#include "honeypot/server/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace eo::honeypot::server::yaml {
namespace {

template <typename T>
bool parse_number(const std::string& text, T& value) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && ptr == end;
}

}  // namespace

At At::child(std::string_view key) const {
  const YAML::Node& n = node;  // const operator[] never inserts
  return At{n[std::string(key)], path + "." + std::string(key)};
}

bool At::has(std::string_view key) const {
  const YAML::Node& n = node;
  return n.IsMap() && n[std::string(key)].IsDefined();
}

void At::fail(std::string_view what) const { throw ConfigError(path + ": " + std::string(what)); }

void At::only(std::initializer_list<std::string_view> known) const {
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsMap()) fail("expected a map");
  const YAML::Node& n = node;
  for (const auto& entry : n) {
    const std::string key = entry.first.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      fail("unknown key \"" + key + "\"");
    }
  }
}

std::string At::str() const {
  if (!node.IsScalar()) fail("expected a string");
  return node.Scalar();
}

bool At::boolean() const {
  if (!node.IsScalar()) fail("expected true or false");
  const std::string& s = node.Scalar();
  if (s == "true" || s == "True" || s == "yes") return true;
  if (s == "false" || s == "False" || s == "no") return false;
  fail("expected true or false, got \"" + s + "\"");
}

std::int64_t At::integer() const {
  std::int64_t v = 0;
  if (!node.IsScalar() || !parse_number(node.Scalar(), v)) fail("expected an integer");
  return v;
}

std::uint64_t At::unsigned_integer() const {
  std::uint64_t v = 0;
  if (!node.IsScalar() || !parse_number(node.Scalar(), v)) fail("expected an unsigned integer");
  return v;
}

double At::number() const {
  if (!node.IsScalar()) fail("expected a number");
  try {
    std::size_t used = 0;
    const double v = std::stod(node.Scalar(), &used);
    if (used == node.Scalar().size()) return v;
  } catch (const std::exception&) {
  }
  fail("expected a number");
}

std::vector<std::string> At::strings() const {
  if (!node.IsSequence()) fail("expected a list of strings");
  std::vector<std::string> out;
  const YAML::Node& n = node;
  for (std::size_t i = 0; i < n.size(); ++i) {
    out.push_back(At{n[i], path + "[" + std::to_string(i) + "]"}.str());
  }
  return out;
}

nlohmann::json At::json() const {
  if (!node.IsDefined() || node.IsNull()) return nullptr;
  const YAML::Node& n = node;
  if (n.IsSequence()) {
    auto out = nlohmann::json::array();
    for (std::size_t i = 0; i < n.size(); ++i) {
      out.push_back(At{n[i], path + "[" + std::to_string(i) + "]"}.json());
    }
    return out;
  }
  if (node.IsMap()) {
    auto out = nlohmann::json::object();
    for (const auto& entry : n) {
      const std::string key = entry.first.Scalar();
      out[key] = At{entry.second, path + "." + key}.json();
    }
    return out;
  }
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;  // quoted: always a string
  if (s == "true" || s == "false") return s == "true";
  if (s == "null" || s == "~") return nullptr;
  std::int64_t i = 0;
  if (parse_number(s, i)) return i;
  try {
    std::size_t used = 0;
    const double d = std::stod(s, &used);
    if (used == s.size()) return d;
  } catch (const std::exception&) {
  }
  return s;
}

void read(const At& at, std::string_view key, std::string& out) {
  if (at.has(key)) out = at.child(key).str();
}
void read(const At& at, std::string_view key, bool& out) {
  if (at.has(key)) out = at.child(key).boolean();
}
void read(const At& at, std::string_view key, double& out) {
  if (at.has(key)) out = at.child(key).number();
}
void read(const At& at, std::string_view key, std::size_t& out) {
  if (at.has(key)) out = static_cast<std::size_t>(at.child(key).unsigned_integer());
}
void read(const At& at, std::string_view key, std::int64_t& out) {
  if (at.has(key)) out = at.child(key).integer();
}

Cidr cidr(const At& at) {
  auto value = Cidr::parse(at.str());
  if (!value) at.fail("not a subnet (CIDR): \"" + at.str() + "\"");
  return *value;
}

IpAddress ip(const At& at) {
  auto value = IpAddress::parse(at.str());
  if (!value) at.fail("not an IP address: \"" + at.str() + "\"");
  return *value;
}

}  // namespace eo::honeypot::server::yaml
