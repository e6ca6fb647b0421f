// Fact values: an error as "<code> <message>" (a code-less error, EPS, as "- <message>"), a
// result as "result" or, for server.version, "result <protocol>"; a dropped session as
// "failure <outcome>"; framing as the reply's key order, "crlf"/"lf", "compact"/"spaced".
#include "aggregator/fingerprint/facts.h"

#include <nlohmann/json.hpp>

namespace eo::aggregator::fingerprint {

namespace {

using nlohmann::json;

const json* member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string answer_value(const json& answer, bool version) {
  if (const json* error = member(answer, "error")) {
    const json* code = member(*error, "code");
    const json* message = member(*error, "message");
    std::string out = code && code->is_number_integer() ? std::to_string(code->get<std::int64_t>())
                                                        : std::string("-");
    out += " ";
    if (message && message->is_string()) out += message->get<std::string>();
    return out;
  }
  if (const json* result = member(answer, "result")) {
    if (version && result->is_array() && result->size() == 2 && (*result)[1].is_string()) {
      return "result " + (*result)[1].get<std::string>();
    }
    if (version && result->is_string()) return "result " + result->get<std::string>();
    return "result";
  }
  if (const json* outcome = member(answer, "outcome"); outcome && outcome->is_string()) {
    return "failure " + outcome->get<std::string>();
  }
  return {};
}

struct Collector {
  const results::ObservationRow& row;
  std::vector<Fact> facts;

  void add(std::string name, std::string value) {
    if (!value.empty()) facts.push_back({std::move(name), std::move(value), row.observation_id});
  }

  // Framing is read from successful replies only: some servers frame errors differently.
  void framing(const json& answer) {
    if (!member(answer, "result")) return;
    const json* order = member(answer, "key_order");
    if (order && order->is_string()) add("framing.key_order", order->get<std::string>());
    const json* crlf = member(answer, "crlf");
    if (crlf && crlf->is_boolean()) add("framing.terminator", crlf->get<bool>() ? "crlf" : "lf");
    const json* compact = member(answer, "compact");
    if (compact && compact->is_boolean()) {
      add("framing.spacing", compact->get<bool>() ? "compact" : "spaced");
    }
  }

  void metadata(const json& result) {
    if (const json* version = member(result, "version")) framing(*version);
    if (const json* features = member(result, "features")) {
      if (const json* f = member(*features, "result"); f && f->is_object()) {
        for (const char* key : {"services", "dsproof", "broadcast_package"}) {
          add(std::string("features.") + key, f->contains(key) ? "present" : "absent");
        }
      } else {
        add("features.reply", answer_value(*features, false));
      }
    }
    if (const json* donation = member(result, "donation_address")) {
      if (const json* value = member(*donation, "result")) {
        bool empty = value->is_string() && value->get_ref<const std::string&>().empty();
        add("donation_address", value->is_null() ? "null" : empty ? "empty" : "address");
      }
    }
  }

  void version_matrix(const json& result) {
    for (const char* variant :
         {"profile", "twice", "single_1.4", "too_old", "too_new", "no_params"}) {
      if (const json* answer = member(result, variant)) {
        add(std::string("version.") + variant, answer_value(*answer, true));
        framing(*answer);
      }
    }
  }

  void hostile_input(const json& result) {
    for (const auto& [name, answer] : result.items()) {
      add("error." + name, answer_value(answer, false));
      if (const json* alive = member(answer, "alive_after"); alive && alive->is_boolean()) {
        add("alive." + name, alive->get<bool>() ? "yes" : "no");
      }
    }
  }
};

}  // namespace

std::vector<Fact> facts_of(const results::ObservationRow& row) {
  // Only these probes tell implementations apart; the others' results are not parsed at all.
  if (row.probe_name != "metadata" && row.probe_name != "version_matrix" &&
      row.probe_name != "hostile_input") {
    return {};
  }
  Collector c{row, {}};
  if (row.result_json.empty()) return {};
  json result = json::parse(row.result_json, nullptr, false);
  if (!result.is_object()) return {};
  if (row.probe_name == "metadata") {
    c.metadata(result);
  } else if (row.probe_name == "version_matrix") {
    c.version_matrix(result);
  } else if (row.probe_name == "hostile_input") {
    c.hostile_input(result);
  }
  return std::move(c.facts);
}

std::string case_of(std::string_view fact_name) {
  for (std::string_view prefix : {"error.", "alive."}) {
    if (fact_name.starts_with(prefix)) {
      return "hostile_input." + std::string(fact_name.substr(prefix.size()));
    }
  }
  if (fact_name.starts_with("framing.")) return "version.profile";
  if (fact_name.starts_with("features.")) return "features";
  return std::string(fact_name);
}

}  // namespace eo::aggregator::fingerprint
