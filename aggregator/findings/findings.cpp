// Ids hash the finding's key with separators that cannot occur inside the fields (NUL), so
// ("a", "bc") and ("ab", "c") differ. The content hash covers the canonical JSON of the finding
// (nlohmann orders object keys), so equal findings hash equal across processes and restarts.
#include "aggregator/findings/findings.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "aggregator/results/normalize.h"

namespace eo::aggregator::findings {

namespace {

using nlohmann::json;

auto key_of(const Finding& f) {
  return std::tie(f.kind, f.server, f.target_id, f.vantage_id, f.dimension);
}

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

std::optional<double> number_or_null(const results::Stmt& s, int col) {
  if (s.is_null(col)) return std::nullopt;
  return s.real(col);
}

json content_json(const IdentifiedFinding& f) {
  const Finding& x = f.finding;
  return {{"finding_id", f.finding_id},
          {"kind", x.kind},
          {"server", x.server},
          {"target_id", x.target_id},
          {"vantage_id", x.vantage_id},
          {"dimension", x.dimension},
          {"score", optional_number(x.score)},
          {"p", optional_number(x.p)},
          {"q", optional_number(x.q)},
          {"summary", x.summary},
          {"evidence", x.evidence},
          {"details", x.details}};
}

}  // namespace

std::string finding_id(const Finding& f) {
  std::string key;
  for (const auto* part : {&f.kind, &f.server, &f.target_id, &f.vantage_id, &f.dimension}) {
    key += *part;
    key += '\0';
  }
  return "f-" + results::sha256_hex(key).substr(0, 32);
}

std::vector<IdentifiedFinding> identify(std::vector<Finding> findings) {
  std::vector<std::pair<std::string, Finding>> keyed;
  keyed.reserve(findings.size());
  for (auto& f : findings)
    keyed.emplace_back(json{{"s", f.summary}, {"e", f.evidence}, {"d", f.details}}.dump(),
                       std::move(f));
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    if (key_of(a.second) != key_of(b.second)) return key_of(a.second) < key_of(b.second);
    return a.first < b.first;
  });
  std::vector<IdentifiedFinding> out;
  out.reserve(keyed.size());
  std::map<std::string, int> seen;
  for (auto& [content, f] : keyed) {
    std::string id = finding_id(f);
    int n = ++seen[id];
    if (n > 1) id += "-" + std::to_string(n);
    out.push_back({std::move(id), std::move(f)});
  }
  return out;
}

std::string content_sha256(const IdentifiedFinding& finding) {
  return results::sha256_hex(content_json(finding).dump());
}

v1::Finding to_proto(const IdentifiedFinding& identified, std::int64_t created_unix_us) {
  const Finding& f = identified.finding;
  v1::Finding out;
  out.set_finding_id(identified.finding_id);
  out.set_kind(f.kind);
  out.set_server(f.server);
  out.set_target_id(f.target_id);
  out.set_vantage_id(f.vantage_id);
  out.set_dimension(f.dimension);
  if (f.score) out.set_score(*f.score);
  if (f.p) out.set_p_value(*f.p);
  if (f.q) out.set_q_value(*f.q);
  out.set_summary(f.summary);
  for (const auto& e : f.evidence) out.add_evidence_observation_ids(e);
  if (f.details.is_object() && f.details.contains("indicators") &&
      f.details["indicators"].is_array()) {
    for (const auto& i : f.details["indicators"]) {
      auto* indicator = out.add_indicators();
      indicator->set_name(i.value("name", ""));
      indicator->set_weight(i.value("weight", 0.0));
      indicator->set_value(i.value("value", 0.0));
      indicator->set_explanation(i.value("explanation", ""));
      if (i.contains("evidence") && i["evidence"].is_array()) {
        for (const auto& e : i["evidence"]) {
          if (e.is_string()) indicator->add_evidence_observation_ids(e.get<std::string>());
        }
      }
    }
  }
  out.set_details_json(f.details.dump());
  out.set_created_unix_us(created_unix_us);
  return out;
}

void save_findings(results::Database& db, const std::vector<IdentifiedFinding>& findings) {
  results::Transaction tx(db);
  db.exec("DELETE FROM findings");
  for (const auto& [id, f] : findings) {
    auto s = db.prepare("INSERT INTO findings VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
    s.add(id).add(f.kind).add(f.server);
    s.add_or_null(f.target_id).add_or_null(f.vantage_id).add_or_null(f.dimension);
    s.add(f.score).add(f.p).add(f.q);
    s.add(f.summary).add(json(f.evidence).dump()).add(f.details.dump());
    s.run();
  }
  tx.commit();
}

std::vector<IdentifiedFinding> load_findings(results::Database& db) {
  std::vector<IdentifiedFinding> out;
  auto s = db.prepare(
      "SELECT finding_id, kind, server, target_id, vantage_id, dimension, score, p, q, summary, "
      "evidence_json, details_json FROM findings ORDER BY finding_id");
  while (s.step()) {
    IdentifiedFinding f;
    f.finding_id = s.text(0);
    f.finding.kind = s.text(1);
    f.finding.server = s.text(2);
    f.finding.target_id = s.text(3);
    f.finding.vantage_id = s.text(4);
    f.finding.dimension = s.text(5);
    f.finding.score = number_or_null(s, 6);
    f.finding.p = number_or_null(s, 7);
    f.finding.q = number_or_null(s, 8);
    f.finding.summary = s.text(9);
    f.finding.evidence = json::parse(s.text(10)).get<std::vector<std::string>>();
    f.finding.details = json::parse(s.text(11));
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace eo::aggregator::findings
