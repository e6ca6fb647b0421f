#include "aggregator/history/changes.h"

#include "aggregator/results/peers.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

namespace eo::aggregator::history {

namespace {

using json = nlohmann::json;

std::set<std::string> addresses(const Seen& row) {
  std::set<std::string> out;
  std::stringstream in(row.resolved_ips);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.insert(item);
  }
  if (!row.peer_ip.empty()) out.insert(row.peer_ip);
  return out;
}

std::string join(const std::set<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

std::set<std::string> from_json(const std::string& text) {
  std::set<std::string> out;
  auto parsed = json::parse(text, nullptr, false);
  if (!parsed.is_array()) return out;
  for (const auto& v : parsed) {
    if (v.is_string()) out.insert(v.get<std::string>());
  }
  return out;
}

std::string to_json(const std::set<std::string>& values) {
  return json(values).dump(-1, ' ', false, json::error_handler_t::replace);
}

// Relative to the state's round: < 0 older, 0 the same round, > 0 newer. Rounds of one campaign
// go by number (continuous campaigns count up); rounds of different campaigns by time.
int compare(const RoundKey& a, const RoundKey& b) {
  if (a.campaign_id == b.campaign_id) return a.round < b.round ? -1 : a.round > b.round ? 1 : 0;
  return a.started_us < b.started_us ? -1 : 1;
}

bool shows_new(const std::set<std::string>& values, const std::set<std::string>& previous) {
  return std::any_of(values.begin(), values.end(),
                     [&](const std::string& v) { return !previous.count(v); });
}

}  // namespace

Changes::State& Changes::state(const std::string& server, const std::string& attribute) {
  auto [it, fresh] = states_.try_emplace({server, attribute});
  if (!fresh) return it->second;
  State& s = it->second;
  auto st = db_.prepare(
      "SELECT campaign_id, round, round_us, current_json, previous_json, observation_id "
      "FROM server_values WHERE server = ? AND attribute = ?");
  st.bind(1, server).bind(2, attribute);
  if (st.step()) {
    s.round = {st.text(0), st.i64(1), st.i64(2)};
    s.current = from_json(st.text(3));
    s.previous = from_json(st.text(4));
    s.observation_id = st.text(5);
    s.loaded = true;
  }
  return s;
}

void Changes::sight(const std::string& server, const std::string& attribute, const RoundKey& at,
                    const std::set<std::string>& values, const std::string& observation_id,
                    Merge merge) {
  if (values.empty()) return;
  State& s = state(server, attribute);
  State before = s;
  int order = s.loaded ? compare(at, s.round) : 1;
  if (order < 0) return;  // a late observation of a round already passed: its set is closed
  if (order > 0) {
    if (!s.current.empty()) s.previous = s.current;
    s.current = values;
    s.round = at;
    s.observation_id = shows_new(values, s.previous) ? observation_id : "";
    s.loaded = true;
  } else {
    if (shows_new(values, s.previous) && s.observation_id.empty()) {
      s.observation_id = observation_id;
    }
    if (merge == Merge::replace) {
      s.current = values;
    } else if (merge == Merge::all) {
      s.current.insert(values.begin(), values.end());
    } else if (values.count("up")) {
      s.current = {"up"};
    }
    s.round.started_us = std::min(s.round.started_us, at.started_us);
  }
  bool same =
      before.loaded && before.current == s.current && before.previous == s.previous &&
      before.round.campaign_id == s.round.campaign_id && before.round.round == s.round.round &&
      before.round.started_us == s.round.started_us && before.observation_id == s.observation_id;
  if (!same) settle({server, attribute}, s);
}

void Changes::settle(const Key& key, const State& s) {
  auto& slot = pending_[{key.first, key.second, s.round.campaign_id, s.round.round}];
  if (s.current == s.previous) {
    slot.reset();
  } else {
    slot = ChangeRow{s.round.started_us, join(s.previous), join(s.current), s.observation_id};
  }
  dirty_.insert(key);
}

void Changes::observe(const Seen& row) {
  RoundKey at{row.campaign_id, row.round, row.started_us};
  auto one = [](const std::string& v) {
    return v.empty() ? std::set<std::string>{} : std::set<std::string>{v};
  };
  const std::string& id = row.observation_id;
  sight(row.server, "reachability", at, {row.answered ? "up" : "down"}, id, Merge::up_wins);
  sight(row.server, "version", at, one(row.server_version), id, Merge::all);
  sight(row.server, "banner", at, one(row.banner_sha256), id, Merge::all);
  sight(row.server, "certificate", at, one(row.cert_sha256), id, Merge::all);
  sight(row.server, "key", at, one(row.spki_sha256), id, Merge::all);
  sight(row.server, "addresses", at, addresses(row), id, Merge::all);
  if (!row.peers_json.empty()) {
    // A reply that is not {"result": [...]} lists nobody.
    const auto parsed = json::parse(row.peers_json, nullptr, false);
    const json result = parsed.is_object() ? parsed.value("result", json()) : json();
    sight(row.server, "peers", at, results::listed_peers(result), id, Merge::all);
  }
}

void Changes::infer(const std::string& server, const std::string& implementation,
                    const RoundKey& at) {
  if (implementation.empty()) return;
  sight(server, "implementation", at, {implementation}, "", Merge::replace);
}

std::uint64_t Changes::save() {
  for (const auto& key : dirty_) {
    const State& s = states_.at(key);
    auto st = db_.prepare("INSERT OR REPLACE INTO server_values VALUES(?,?,?,?,?,?,?,?)");
    st.add(key.first).add(key.second).add(s.round.campaign_id).add(s.round.round);
    st.add(s.round.started_us).add(to_json(s.current)).add(to_json(s.previous));
    st.add_or_null(s.observation_id);
    st.run();
  }
  std::uint64_t written = 0;
  for (const auto& [key, change] : pending_) {
    const auto& [server, attribute, campaign, round] = key;
    if (!change) {
      auto st = db_.prepare(
          "DELETE FROM server_changes WHERE server = ? AND attribute = ? AND campaign_id = ? AND "
          "round = ?");
      st.bind(1, server).bind(2, attribute).bind(3, campaign).bind(4, round);
      st.run();
      continue;
    }
    auto st = db_.prepare("INSERT OR REPLACE INTO server_changes VALUES(?,?,?,?,?,?,?,?)");
    st.add(server).add(attribute).add(campaign).add(round).add(change->changed_us);
    st.add_or_null(change->old_value).add(change->new_value).add_or_null(change->observation_id);
    st.run();
    ++written;
  }
  return written;
}

}  // namespace eo::aggregator::history
