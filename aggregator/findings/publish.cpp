// Records go out before the bookkeeping is written: the other order could record a finding as
// published that never reached the bus (a crash after the commit), which would lose it for good.
#include "aggregator/findings/publish.h"

#include <map>
#include <set>
#include <string>

#include "common/bus/topics.h"

namespace eo::aggregator::findings {

namespace {

std::map<std::string, std::string> published_hashes(results::Database& db) {
  std::map<std::string, std::string> out;
  auto s = db.prepare("SELECT finding_id, content_sha256 FROM findings_published");
  while (s.step()) out.emplace(s.text(0), s.text(1));
  return out;
}

}  // namespace

PublishResult publish_new(results::Database& db, bus::Producer& producer,
                          const std::vector<IdentifiedFinding>& findings,
                          std::int64_t created_unix_us) {
  PublishResult result;
  auto before = published_hashes(db);
  struct Pending {
    const IdentifiedFinding* finding;
    std::string hash;
    std::string value;
  };
  std::vector<Pending> pending;
  for (const auto& f : findings) {
    std::string hash = content_sha256(f);
    auto it = before.find(f.finding_id);
    if (it != before.end() && it->second == hash) {
      ++result.unchanged;
      continue;
    }
    pending.push_back({&f, std::move(hash), to_proto(f, created_unix_us).SerializeAsString()});
  }
  std::vector<bus::OutgoingRecord> records;
  records.reserve(pending.size());
  for (const auto& p : pending) {
    records.push_back({bus::topics::kFindings, p.finding->finding.server, p.value});
  }
  auto batch = producer.publish_batch(records);
  result.status = batch.status;
  result.published = batch.accepted;

  std::set<std::string> current;
  for (const auto& f : findings) current.insert(f.finding_id);
  results::Transaction tx(db);
  for (std::size_t i = 0; i < batch.accepted; ++i) {
    auto s = db.prepare("INSERT OR REPLACE INTO findings_published VALUES(?,?,?)");
    s.add(pending[i].finding->finding_id).add(pending[i].hash).add(created_unix_us);
    s.run();
  }
  for (const auto& [id, hash] : before) {
    if (current.contains(id)) continue;
    auto s = db.prepare("DELETE FROM findings_published WHERE finding_id = ?");
    s.add(id);
    s.run();
  }
  tx.commit();
  return result;
}

}  // namespace eo::aggregator::findings
