// Records go out before the bookkeeping is written: the other order could record a finding as
// published that never reached the bus (a crash after the commit), which would lose it for good.
#include "aggregator/findings/publish.h"

#include <map>
#include <set>
#include <string>

#include "common/bus/topics.h"

namespace eo::aggregator::findings {

namespace {

struct Published {
  std::string hash;
  std::string kind, server, target_id, vantage_id;
};

std::map<std::string, Published> published(results::Database& db) {
  std::map<std::string, Published> out;
  auto s = db.prepare(
      "SELECT finding_id, content_sha256, kind, server, target_id, vantage_id "
      "FROM findings_published");
  while (s.step()) {
    out.emplace(s.text(0), Published{s.text(1), s.text(2), s.text(3), s.text(4), s.text(5)});
  }
  return out;
}

v1::Finding withdrawal(const std::string& finding_id, const Published& p,
                       std::int64_t created_unix_us) {
  v1::Finding out;
  out.set_finding_id(finding_id);
  out.set_kind(p.kind);
  out.set_server(p.server);
  out.set_target_id(p.target_id);
  out.set_vantage_id(p.vantage_id);
  out.set_withdrawn(true);
  out.set_summary("withdrawn: no longer holds on the current observations");
  out.set_created_unix_us(created_unix_us);
  return out;
}

}  // namespace

PublishResult publish_new(results::Database& db, bus::Producer& producer,
                          const std::vector<IdentifiedFinding>& findings,
                          std::int64_t created_unix_us) {
  PublishResult result;
  auto before = published(db);
  // Records in batch order: the new or changed findings, then the withdrawals.
  struct Pending {
    const IdentifiedFinding* finding;  // null: a withdrawal of `id`
    std::string id;
    std::string hash;
    std::string server;
    std::string value;
  };
  std::vector<Pending> pending;
  std::set<std::string> current;
  for (const auto& f : findings) {
    current.insert(f.finding_id);
    std::string hash = content_sha256(f);
    auto it = before.find(f.finding_id);
    if (it != before.end() && it->second.hash == hash) {
      ++result.unchanged;
      continue;
    }
    pending.push_back({&f, f.finding_id, std::move(hash), f.finding.server,
                       to_proto(f, created_unix_us).SerializeAsString()});
  }
  for (const auto& [id, p] : before) {
    if (current.contains(id)) continue;
    pending.push_back(
        {nullptr, id, "", p.server, withdrawal(id, p, created_unix_us).SerializeAsString()});
  }
  std::vector<bus::OutgoingRecord> records;
  records.reserve(pending.size());
  for (const auto& p : pending) records.push_back({bus::topics::kFindings, p.server, p.value});
  auto batch = producer.publish_batch(records);
  result.status = batch.status;

  // Only what the producer accepted is recorded: a refused withdrawal stays in the bookkeeping
  // and goes again next pass, as a refused finding does.
  results::Transaction tx(db);
  for (std::size_t i = 0; i < batch.accepted; ++i) {
    const Pending& p = pending[i];
    if (p.finding == nullptr) {
      auto s = db.prepare("DELETE FROM findings_published WHERE finding_id = ?");
      s.add(p.id);
      s.run();
      ++result.withdrawn;
      continue;
    }
    const Finding& f = p.finding->finding;
    auto s = db.prepare(
        "INSERT OR REPLACE INTO findings_published(finding_id, content_sha256, published_us, "
        "kind, server, target_id, vantage_id) VALUES(?,?,?,?,?,?,?)");
    s.add(p.id).add(p.hash).add(created_unix_us).add(f.kind).add(f.server).add(f.target_id);
    s.add(f.vantage_id);
    s.run();
    ++result.published;
  }
  tx.commit();
  return result;
}

}  // namespace eo::aggregator::findings
