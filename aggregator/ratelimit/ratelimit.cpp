// The median, not the mean: one ramp cut short by a transient failure should not move the
// threshold. A tie between styles goes to the name first in order, so results are stable.
#include "aggregator/ratelimit/ratelimit.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

namespace eo::aggregator::ratelimit {

namespace {

struct Throttle {
  std::string kind;
  std::string code;
  std::string message;
};

Throttle throttle_of(const results::ObservationRow& ramp) {
  Throttle t{ramp.ramp_kind, "", ""};
  auto result = nlohmann::json::parse(ramp.result_json, nullptr, false);
  if (!result.is_object()) return t;
  auto first = result.find("first_throttle");
  if (first == result.end() || !first->is_object()) return t;
  auto error = first->find("error");
  if (error != first->end() && error->is_object()) {
    auto code = error->find("code");
    if (code != error->end() && code->is_number_integer()) {
      t.code = std::to_string(code->get<std::int64_t>());
    }
    auto message = error->find("message");
    if (message != error->end() && message->is_string()) t.message = message->get<std::string>();
  }
  return t;
}

}  // namespace

std::string style_of(const results::ObservationRow& ramp, const reference::Reference& reference) {
  if (ramp.ramp_throttled.value_or(0) == 0) return kNone;
  auto t = throttle_of(ramp);
  for (const auto& rule : reference.rate_limit_styles) {
    if (rule.kind == t.kind && rule.code_pattern.matches(t.code) &&
        rule.message_pattern.matches(t.message)) {
      return rule.style;
    }
  }
  return kUnclassified;
}

std::vector<RateLimit> infer_rate_limits(std::span<const results::ObservationRow> rows,
                                         const reference::Reference& reference) {
  struct Acc {
    RateLimit limit;
    std::vector<std::int64_t> thresholds;
    std::map<std::string, std::uint64_t> styles;
  };
  std::map<std::pair<std::string, std::string>, Acc> by_pair;
  for (const auto& row : rows) {
    if (row.probe_name != "rate_limit_ramp" || !row.ramp_throttled) continue;
    auto& acc = by_pair[{row.target_id, row.vantage_id}];
    acc.limit.target_id = row.target_id;
    acc.limit.vantage_id = row.vantage_id;
    ++acc.limit.observations;
    acc.limit.evidence.push_back(row.observation_id);
    if (*row.ramp_throttled == 0) continue;
    ++acc.limit.throttled;
    if (row.ramp_threshold) acc.thresholds.push_back(*row.ramp_threshold);
    ++acc.styles[style_of(row, reference)];
  }
  std::vector<RateLimit> out;
  for (auto& [key, acc] : by_pair) {
    auto& t = acc.thresholds;
    if (!t.empty()) {
      std::sort(t.begin(), t.end());
      acc.limit.threshold = t[(t.size() - 1) / 2];
    }
    std::uint64_t best = 0;
    for (const auto& [style, n] : acc.styles) {
      if (n > best) {
        best = n;
        acc.limit.style = style;
      }
    }
    std::sort(acc.limit.evidence.begin(), acc.limit.evidence.end());
    out.push_back(std::move(acc.limit));
  }
  return out;
}

void save_rate_limits(results::Database& db, const std::vector<RateLimit>& limits) {
  results::Transaction tx(db);
  db.exec("DELETE FROM rate_limits");
  for (const auto& l : limits) {
    auto s = db.prepare("INSERT INTO rate_limits VALUES(?,?,?,?,?,?,?)");
    s.bind(1, l.target_id).bind(2, l.vantage_id);
    s.bind(3, static_cast<std::int64_t>(l.observations));
    s.bind(4, static_cast<std::int64_t>(l.throttled)).bind(5, l.threshold).bind(6, l.style);
    s.bind(7, nlohmann::json(l.evidence).dump());
    s.run();
  }
  tx.commit();
}

}  // namespace eo::aggregator::ratelimit
