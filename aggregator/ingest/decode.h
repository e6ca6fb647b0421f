// Turns polled bus records into rows: observations.v1 -> ObservationRow, honeypot.events.v1 ->
// EventRow, anything undecodable -> MalformedRecord with the reason. Never throws on record bytes.
#pragma once

#include "aggregator/results/rows.h"
#include "common/bus/bus.h"

#include <span>
#include <vector>

namespace eo::aggregator::ingest {

struct DecodedBatch {
  std::vector<results::ObservationRow> observations;
  std::vector<results::EventRow> events;
  std::vector<results::MalformedRecord> malformed;
};

DecodedBatch decode(std::span<const bus::Message> messages);

}  // namespace eo::aggregator::ingest
