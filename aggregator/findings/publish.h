// Publishing findings on findings.v1 (key: server) without repeating them: the results database
// remembers, per finding id, the content hash last published and what the finding is about
// (table findings_published). A pass publishes the findings that are new or whose content
// changed, and a withdrawal (eo.v1.Finding.withdrawn) for each published one that no longer
// holds, then records them; a withdrawn finding is forgotten, so it is published again if it
// comes back. This bookkeeping is the one table that is not a pure function of the ingested rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "aggregator/findings/findings.h"
#include "aggregator/results/sqlite.h"
#include "common/bus/bus.h"

namespace eo::aggregator::findings {

struct PublishResult {
  std::size_t published = 0;  // accepted by the producer and recorded
  std::size_t unchanged = 0;  // published before with the same content
  std::size_t withdrawn = 0;  // published before, gone now: withdrawal accepted and recorded
  bus::Status status;         // not ok: the rest was refused and is tried again next pass
};

// Publishes with publish_batch (at-least-once from its return on), then records what was
// accepted in one transaction. A crash in between publishes those findings once more next time:
// consumers dedupe by (finding_id, content), as with every topic.
PublishResult publish_new(results::Database& db, bus::Producer& producer,
                          const std::vector<IdentifiedFinding>& findings,
                          std::int64_t created_unix_us);

}  // namespace eo::aggregator::findings
