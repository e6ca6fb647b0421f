// Flattens the wire messages into rows: the envelope as it is, plus the columns derived from the
// probe's result (claimed software, protocol, banner hash, TLS leaf, normalized content hash,
// rate-limit threshold). Never throws on what an agent or a server wrote: a result that is not
// JSON just derives nothing.
#pragma once

#include "aggregator/results/rows.h"

#include "eo/v1/honeypot.pb.h"
#include "eo/v1/observation.pb.h"

#include <string>
#include <string_view>

namespace eo::aggregator::results {

ObservationRow to_row(const v1::Observation& observation);
// The same into a recycled row: every column is assigned, and the strings keep their capacity,
// so that ingest's rows cost no allocations once their buffers have grown.
void to_row(const v1::Observation& observation, ObservationRow& row);
EventRow to_row(const v1::HoneypotEvent& event);
void to_row(const v1::HoneypotEvent& event, EventRow& row);  // recycled, as above

// "region=eu,network=clearnet": from the coordinator's task id
// ("<campaign>|r<round>|<target>|<vantage class>|<profile>|<probe>"), else from the vantage.
std::string vantage_class_of(const v1::Observation& observation);

// "203.0.113.5" from "203.0.113.5:50002", "2001:db8::1" from "[2001:db8::1]:50002".
std::string host_of(std::string_view address);

}  // namespace eo::aggregator::results
