#include "aggregator/behaviour/vector.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

namespace eo::aggregator::behaviour {

namespace {

constexpr std::size_t kMaxValue = 200;  // a hostile server's 1 MB error text is one fact too

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// An error value is "<code> <message>" (or "- <message>"): the code stays as it is.
bool is_error(const std::string& value) {
  if (value.empty()) return false;
  std::size_t i = value[0] == '-' ? 1 : 0;
  if (i < value.size() && value[i] == ' ') return i == 1;
  std::size_t digits = i;
  while (digits < value.size() && is_digit(value[digits])) ++digits;
  return digits > i && digits < value.size() && value[digits] == ' ';
}

bool names_fact(const reference::FactRule* rule, const std::string& raw) {
  if (!rule) return false;
  return std::any_of(rule->variants.begin(), rule->variants.end(),
                     [&](const reference::Variant& v) { return v.value.matches(raw); });
}

std::uint64_t allowed_by(const reference::Reference& reference, const std::string& name,
                         const std::string& raw) {
  std::uint64_t mask = 0;
  const bool reference_fact = !name.starts_with("claim.") && !name.starts_with("limit.");
  for (std::size_t i = 0; i < reference.implementations.size() && i < 64; ++i) {
    const auto& impl = reference.implementations[i];
    bool allowed = reference_fact &&
                   (names_fact(impl.fact(name), raw) || names_fact(impl.version_fact(name), raw) ||
                    std::any_of(impl.any_fact.begin(), impl.any_fact.end(),
                                [&](const reference::Variant& v) { return v.value.matches(raw); }));
    if (allowed) mask |= std::uint64_t{1} << i;
  }
  return mask;
}

// Regex matching is the cost of a vector: values repeat across servers, so each is judged once.
class Builder {
 public:
  explicit Builder(const reference::Reference& reference) : reference_(reference) {}

  void add(Vector& v, const std::string& name, const std::string& raw) {
    if (raw.empty() || (name == "limit.style" && raw == ratelimit::kNone)) return;
    auto key = std::make_pair(name, raw);
    auto it = cache_.find(key);
    if (it == cache_.end()) it = cache_.emplace(key, allowed_by(reference_, name, raw)).first;
    if (raw.starts_with("failure ") && it->second == 0) return;
    if (name == "claim.software") v.claims |= claimed_by(raw);
    auto [fact, fresh] = v.facts.try_emplace(name);
    if (fresh) fact->second.listed_by = listed_by(name);
    fact->second.values.emplace(normalise(raw), Value{raw.substr(0, kMaxValue), it->second});
  }

 private:
  std::uint64_t listed_by(const std::string& name) const {
    if (name.starts_with("claim.") || name.starts_with("limit.")) return ~std::uint64_t{0};
    std::uint64_t mask = 0;
    for (std::size_t i = 0; i < reference_.implementations.size() && i < 64; ++i) {
      const auto& impl = reference_.implementations[i];
      if (impl.fact(name) || impl.version_fact(name)) mask |= std::uint64_t{1} << i;
    }
    return mask;
  }

  // The claim patterns hold a version; any stands in for it ("ElectrumX 1", "electrs/1").
  std::uint64_t claimed_by(const std::string& software) const {
    std::uint64_t mask = 0;
    for (std::size_t i = 0; i < reference_.implementations.size() && i < 64; ++i) {
      const auto& claim = reference_.implementations[i].claim;
      if (claim.matches(software + " 1") || claim.matches(software + "/1")) {
        mask |= std::uint64_t{1} << i;
      }
    }
    return mask;
  }

  const reference::Reference& reference_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> cache_;
};

}  // namespace

std::string normalise(const std::string& value) {
  if (!is_error(value)) return value.substr(0, kMaxValue);
  std::size_t message = value.find(' ') + 1;
  std::string out = value.substr(0, message);
  for (std::size_t i = message; i < value.size() && out.size() < kMaxValue;) {
    std::size_t run = i;
    while (run < value.size() && is_hex(value[run])) ++run;
    if (run - i >= 16) {
      out += "<hex>";
      i = run;
    } else if (is_digit(value[i])) {
      out += '#';
      while (i < value.size() && is_digit(value[i])) ++i;
    } else if (std::isspace(static_cast<unsigned char>(value[i]))) {
      if (out.back() != ' ') out += ' ';
      ++i;
    } else {
      out += value[i++];
    }
  }
  return out;
}

Vector make_vector(std::string server, std::span<const fingerprint::Fact> facts,
                   const reference::Reference& reference) {
  Builder builder(reference);
  Vector v{std::move(server), {}};
  for (const auto& f : facts) builder.add(v, f.name, f.value);
  return v;
}

std::vector<Vector> vectors(std::span<const results::ObservationRow> rows,
                            const std::vector<inventory::Server>& servers,
                            const std::vector<ratelimit::RateLimit>& limits,
                            const reference::Reference& reference) {
  std::map<std::string, std::size_t> server_of_target;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    for (const auto& t : servers[i].targets) server_of_target.emplace(t, i);
  }
  std::vector<Vector> out(servers.size());
  for (std::size_t i = 0; i < servers.size(); ++i) out[i].server = servers[i].server;
  Builder builder(reference);
  std::set<std::pair<std::size_t, std::string>> parsed;  // (server, content hash)
  for (const auto& row : rows) {
    if (row.probe_name != "metadata" && row.probe_name != "version_matrix" &&
        row.probe_name != "hostile_input") {
      continue;
    }
    auto it = server_of_target.find(row.target_id);
    if (it == server_of_target.end()) continue;
    if (!row.content_sha256.empty() && !parsed.emplace(it->second, row.content_sha256).second) {
      continue;
    }
    for (const auto& f : fingerprint::facts_of(row)) builder.add(out[it->second], f.name, f.value);
  }
  for (const auto& limit : limits) {
    auto it = server_of_target.find(limit.target_id);
    if (it != server_of_target.end()) builder.add(out[it->second], "limit.style", limit.style);
  }
  for (std::size_t i = 0; i < servers.size(); ++i) {
    // Only servers that showed behaviour carry a claim: a claim alone is no vector.
    if (!out[i].facts.empty()) builder.add(out[i], "claim.software", servers[i].claimed_software);
  }
  std::erase_if(out, [](const Vector& v) { return v.facts.empty(); });
  std::sort(out.begin(), out.end(),
            [](const Vector& a, const Vector& b) { return a.server < b.server; });
  return out;
}

}  // namespace eo::aggregator::behaviour
