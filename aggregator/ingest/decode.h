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

// The same into `batch`, whose rows are recycled (see results::to_row): ingest alternates two
// batches, so that a row's strings are allocated once and not once per observation.
void decode(std::span<const bus::Message> messages, DecodedBatch& batch);

}  // namespace eo::aggregator::ingest
