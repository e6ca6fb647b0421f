// Synthetic records shaped like the agent's: the metadata result mirrors what the metadata probe
// writes against the honeypot's ElectrumX profile.
#include "tests/aggregator/support.h"

#include "aggregator/results/derive.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>

namespace eo::aggregator::test {

namespace {

constexpr std::array<const char*, 8> kProbes = {
    "metadata",      "version_matrix", "tls_certificate", "address_formats",
    "xpub_gap_scan", "hostile_input",  "rate_limit_ramp", "latency"};

std::string metadata_result(std::uint64_t server) {
  nlohmann::json r;
  r["version"] = {{"result", {"ElectrumX 1.20.0", "1.6.0"}},
                  {"key_order", "jsonrpc,result,id"},
                  {"crlf", false},
                  {"compact", true},
                  {"trailing_whitespace", false}};
  r["features"] = {
      {"result",
       {{"hosts", nlohmann::json::object()},
        {"pruning", nullptr},
        {"server_version", "ElectrumX 1.20.0"},
        {"protocol_min", "1.4"},
        {"protocol_max", "1.6.0"},
        {"genesis_hash", "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"},
        {"hash_function", "sha256"},
        {"services", nlohmann::json::array()}}}};
  r["banner"] = {{"result", "You are connected to an ElectrumX 1.20.0 server."}};
  r["donation_address"] = {{"result", ""}};
  r["peers"] = {
      {"result",
       nlohmann::json::array({nlohmann::json::array(
           {"203.0.113." + std::to_string(server % 250), "peer.example", {"v1.4.2", "s50002"}})})}};
  r["tip"] = {{"result", {{"height", 800000 + server}, {"hex", std::string(160, '0')}}}};
  r["header"] = {{"result", std::string(160, 'a')}};
  r["estimatefee"] = {{"result", 0.0001}};
  r["relayfee"] = {{"result", 0.00001}};
  return r.dump();
}

std::string ramp_result(std::uint64_t server) {
  std::int64_t threshold = 40 + static_cast<std::int64_t>(server % 7);
  nlohmann::json r = {{"requests_sent", threshold + 1},
                      {"final_rate", 11.25},
                      {"max_requests", 200},
                      {"throttled", true}};
  r["first_throttle"] = {{"error", {{"code", -101}, {"message", "excessive resource usage"}}},
                         {"request_index", threshold},
                         {"t_ms", 5200},
                         {"kind", "error"},
                         {"rate", 11.25},
                         {"rtt_us", 800}};
  return r.dump();
}

}  // namespace

v1::Observation synthetic_observation(std::uint64_t i, std::uint64_t servers,
                                      std::uint64_t vantages) {
  const std::uint64_t probe = i % kProbes.size();
  const std::uint64_t vantage = (i / kProbes.size()) % vantages;
  const std::uint64_t server = (i / (kProbes.size() * vantages)) % servers;
  const std::uint64_t round = i / (kProbes.size() * vantages * servers);
  const bool tls = server % 2 == 1;
  v1::Observation o;
  o.set_observation_id("obs-" + std::to_string(i));
  o.set_campaign_id("bench");
  o.set_round(static_cast<std::uint32_t>(round));
  o.set_agent_id("agent-" + std::to_string(vantage));
  auto* t = o.mutable_target();
  t->set_host("server" + std::to_string(server) + ".example");
  t->set_port(tls ? 50002 : 50001);
  t->set_transport(tls ? v1::TRANSPORT_TLS : v1::TRANSPORT_TCP);
  t->set_id(std::string(tls ? "tls://" : "tcp://") + t->host() + ":" + std::to_string(t->port()));
  t->add_resolved_ips("198.51.100." + std::to_string(server % 250));
  auto* v = o.mutable_vantage();
  v->set_id("vantage-" + std::to_string(vantage));
  v->set_region(vantage % 2 ? "eu" : "us");
  v->set_network(vantage == 5 ? v1::NETWORK_TOR : v1::NETWORK_CLEARNET);
  o.set_task_id("bench|r" + std::to_string(round) + "|" + t->id() + "|region=" + v->region() +
                ",network=clearnet|default|" + kProbes[probe]);
  o.set_probe_name(kProbes[probe]);
  o.set_probe_version(1);
  o.mutable_client_profile()->set_name("default");
  o.mutable_client_profile()->set_client_name("electrum/4.5.8");
  o.set_started_unix_us(1'700'000'000'000'000 + static_cast<std::int64_t>(i) * 1000);
  o.set_outcome(v1::OUTCOME_OK);
  auto* timings = o.mutable_timings();
  timings->set_connect_us(20'000 + i % 1000);
  timings->set_first_byte_us(40'000);
  timings->set_total_us(90'000);
  o.set_peer_address("198.51.100." + std::to_string(server % 250) + ":" +
                     std::to_string(t->port()));
  std::string result;
  if (probe == 0) {
    result = metadata_result(server);
  } else if (probe == 6) {
    result = ramp_result(server);
  } else {
    result = R"({"ping_rtt_us":{"min":700,"median":800,"max":900},"answered":true})";
  }
  o.set_result_json(result);
  o.set_response_bytes(result);  // raw bytes of about the same size as the parsed result
  if (tls) {
    auto* leaf = o.mutable_tls()->add_chain();
    leaf->set_sha256_fingerprint(std::string(64, 'c'));
    leaf->set_spki_sha256(std::string(63, 'd') + std::to_string(server % 10));
    leaf->set_subject("CN=server" + std::to_string(server) + ".example");
    leaf->set_not_after_unix(1'800'000'000);
    o.mutable_tls()->set_version("TLSv1.3");
  }
  return o;
}

v1::HoneypotEvent synthetic_event(std::uint64_t i) {
  v1::HoneypotEvent e;
  e.set_event_id("event-" + std::to_string(i));
  e.set_honeypot_id("hp-1");
  e.set_session_id("session-" + std::to_string(i / 10));
  e.set_kind(i % 10 == 0 ? v1::HONEYPOT_EVENT_CONNECT : v1::HONEYPOT_EVENT_REQUEST);
  e.set_time_unix_us(1'700'000'000'000'000 + static_cast<std::int64_t>(i));
  e.set_peer_ip("192.0.2." + std::to_string(i % 200));
  e.set_transport("tcp");
  e.set_method("blockchain.scripthash.subscribe");
  e.add_scripthashes(std::string(64, 'a'));
  return e;
}

std::string dump(results::ResultsDb& db) {
  static constexpr std::array<const char*, 16> kTables = {
      "observations ORDER BY observation_id",
      "honeypot_events ORDER BY event_id",
      "malformed ORDER BY topic, sha256",
      "servers ORDER BY server",
      "server_reachability ORDER BY server, vantage_id",
      "concentration ORDER BY dimension, grp",
      "concentration_summary ORDER BY dimension",
      "fingerprints ORDER BY target_id",
      "rate_limits ORDER BY target_id, vantage_id",
      "differential ORDER BY target_id, dimension, vantage_id",
      "operator_clusters ORDER BY cluster_id",
      "operator_members ORDER BY server",
      "findings ORDER BY finding_id",
      "suspicion ORDER BY server",
      "privacy_risk ORDER BY item",
      "sqlite_master ORDER BY name"};
  std::string out;
  for (const char* table : kTables) {
    out += std::string("== ") + table + "\n";
    auto s = db.database().prepare(std::string("SELECT * FROM ") + table);
    while (s.step()) {
      for (int c = 0; c < s.columns(); ++c) out += (s.is_null(c) ? "NULL" : s.text(c)) + "\x1f";
      out += '\n';
    }
  }
  return out;
}

std::vector<results::ObservationRow> captured_rows(const std::vector<std::string>& probes,
                                                   const std::string& server) {
  std::vector<results::ObservationRow> rows;
  for (const auto& probe : probes) {
    std::ifstream in("agent/probes/" + probe + "/testdata/" + server + ".jsonl");
    std::string line;
    std::getline(in, line);  // provenance
    while (std::getline(in, line)) {
      v1::Observation observation;
      const auto status = google::protobuf::util::JsonStringToMessage(line, &observation);
      EXPECT_TRUE(status.ok()) << probe << "/" << server << ": " << status.ToString();
      rows.push_back(results::to_row(observation));
    }
  }
  return rows;
}

std::vector<std::string> captured_servers(const std::string& probe) {
  std::vector<std::string> out;
  const std::filesystem::path dir = std::filesystem::path("agent/probes") / probe / "testdata";
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".jsonl") out.push_back(entry.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace eo::aggregator::test
