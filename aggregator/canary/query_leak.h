// Query leaks: joins canary issuance (the `canaries` the address probes' results list) to
// sightings (honeypot REQUEST and CANARY_SIGHTING events asking for an issued script hash). A
// canary is derived for one (target, vantage class, round) only, so a sighting of it anywhere
// but in our own probe's session means the target, or someone it passed the query to, asked
// again: one query_leak finding per such target. Pure. See docs/canaries.md.
#pragma once

#include "aggregator/findings/finding.h"
#include "aggregator/inventory/inventory.h"
#include "aggregator/results/rows.h"

#include <cstdint>
#include <span>
#include <vector>

namespace eo::aggregator::canary {

struct LeakConfig {
  // A sighting at the issuing probe's own target up to this long after the probe's end (or any
  // time before it: an earlier, unpublished attempt of the same task) is taken for the probe
  // itself reaching a honeypot that is a target, not for a leak.
  std::int64_t own_session_slack_us = 2'000'000;
  std::size_t max_sightings_in_details = 50;
};

// One finding (kind query_leak) per target whose canaries were seen: the delay between issuance
// and each sighting, the sighting's source IP (or pseudonym), ASN and country (`geo`), client
// name and TLS fingerprint, how many of the target's canaries were issued and seen; evidence
// = the issuing observations and the sighting events. A script hash issued to two targets (which
// derivation makes impossible; the registry refuses it) is never blamed on either: it is counted
// in details.ambiguous_canaries of neither and skipped.
std::vector<findings::Finding> find_query_leaks(std::span<const results::ObservationRow> rows,
                                                std::span<const results::EventRow> events,
                                                const inventory::GeoLookup& geo,
                                                const LeakConfig& config = {});

}  // namespace eo::aggregator::canary
