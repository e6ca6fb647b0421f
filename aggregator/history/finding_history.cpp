#include "aggregator/history/finding_history.h"

#include <map>
#include <set>
#include <string>

namespace eo::aggregator::history {

FindingCounts update_findings(results::Database& db, const std::vector<FindingRef>& findings,
                              const RoundKey& at) {
  std::map<std::string, std::int64_t> open;  // finding id -> opened_us
  {
    auto st =
        db.prepare("SELECT finding_id, opened_us FROM finding_history WHERE withdrawn_us IS NULL");
    while (st.step()) open.emplace(st.text(0), st.i64(1));
  }
  FindingCounts counts;
  std::set<std::string> present;
  for (const auto& f : findings) {
    present.insert(f.finding_id);
    if (open.count(f.finding_id)) continue;
    ++counts.opened;
    // Withdrawn and back within one data time (passes with no new observation between them):
    // the stretch goes on.
    auto reopen = db.prepare(
        "UPDATE finding_history SET withdrawn_us = NULL, withdrawn_campaign = NULL, "
        "withdrawn_round = NULL WHERE finding_id = ? AND withdrawn_us = ?");
    reopen.bind(1, f.finding_id).bind(2, at.started_us);
    reopen.run();
    if (db.changes() > 0) continue;
    auto st = db.prepare("INSERT INTO finding_history VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    st.add(f.finding_id).add(at.started_us).add(f.kind).add(f.server);
    st.add_or_null(f.target_id).add_or_null(f.vantage_id);
    st.add(at.campaign_id).add(at.round);
    st.bind_null(9).bind_null(10).bind_null(11);
    st.run();
  }
  for (const auto& [id, opened_us] : open) {
    if (present.count(id)) continue;
    ++counts.withdrawn;
    auto st = db.prepare(
        "UPDATE finding_history SET withdrawn_us = ?, withdrawn_campaign = ?, withdrawn_round = ? "
        "WHERE finding_id = ? AND opened_us = ?");
    st.bind(1, at.started_us).bind(2, at.campaign_id).bind(3, at.round).bind(4, id);
    st.bind(5, opened_us);
    st.run();
  }
  return counts;
}

}  // namespace eo::aggregator::history
