// A record without its id is malformed too: idempotency downstream rests on that id.
// Malformed records are identified by the hash of their bytes (they have no id).
#include "aggregator/ingest/decode.h"

#include "aggregator/results/derive.h"
#include "aggregator/results/normalize.h"
#include "common/bus/topics.h"

#include "eo/v1/honeypot.pb.h"
#include "eo/v1/observation.pb.h"

#include <algorithm>
#include <vector>

namespace eo::aggregator::ingest {

namespace {

results::MalformedRecord malformed(const bus::Message& m, std::string reason) {
  std::size_t head = std::min(m.value.size(), results::kMalformedHeadBytes);
  return {m.topic,
          results::sha256_hex(m.value),
          m.partition,
          m.offset,
          m.key,
          std::move(reason),
          static_cast<std::int64_t>(m.value.size()),
          m.value.substr(0, head)};
}

// The next row to fill: one the batch held before while there are any (its buffers are reused),
// else a new one.
template <class Row>
Row& next_row(std::vector<Row>& rows, std::size_t& used) {
  if (used == rows.size()) rows.emplace_back();
  return rows[used++];
}

}  // namespace

DecodedBatch decode(std::span<const bus::Message> messages) {
  DecodedBatch out;
  decode(messages, out);
  return out;
}

void decode(std::span<const bus::Message> messages, DecodedBatch& out) {
  std::size_t used = 0, used_events = 0;
  out.malformed.clear();
  v1::Observation observation;
  v1::HoneypotEvent event;
  for (const auto& m : messages) {
    if (m.topic == bus::topics::kObservations) {
      if (!observation.ParseFromString(m.value)) {
        out.malformed.push_back(malformed(m, "not an eo.v1.Observation"));
      } else if (observation.observation_id().empty()) {
        out.malformed.push_back(malformed(m, "observation without observation_id"));
      } else {
        results::to_row(observation, next_row(out.observations, used));
      }
    } else if (m.topic == bus::topics::kHoneypotEvents) {
      if (!event.ParseFromString(m.value)) {
        out.malformed.push_back(malformed(m, "not an eo.v1.HoneypotEvent"));
      } else if (event.event_id().empty()) {
        out.malformed.push_back(malformed(m, "event without event_id"));
      } else {
        results::to_row(event, next_row(out.events, used_events));
      }
    } else {
      out.malformed.push_back(malformed(m, "unexpected topic"));
    }
  }
  out.observations.resize(used);
  out.events.resize(used_events);
}

}  // namespace eo::aggregator::ingest
