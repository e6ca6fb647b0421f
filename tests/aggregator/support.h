// Test and benchmark helpers for the aggregator: synthetic observations and honeypot events with
// realistic results, and a canonical dump of a results database (to say "identical").
#pragma once

#include "aggregator/results/results_db.h"

#include "eo/v1/honeypot.pb.h"
#include "eo/v1/observation.pb.h"

#include <cstdint>
#include <string>
#include <vector>

namespace eo::aggregator::test {

// Observation number `i` of a campaign of `servers` servers x `vantages` vantages x the eight
// probes, round by round: deterministic ids ("obs-<i>"), metadata results claiming ElectrumX,
// rate_limit_ramp results throttled at 40 + target index % 7, a TLS leaf on TLS targets.
v1::Observation synthetic_observation(std::uint64_t i, std::uint64_t servers = 1000,
                                      std::uint64_t vantages = 6);
v1::HoneypotEvent synthetic_event(std::uint64_t i);

// Observations captured from a real server (tests/realserver/electrumx_test.py --capture): one
// per line of agent/probes/<probe>/testdata/<server>.jsonl after its provenance line, for each
// probe that has the file (paths from the repository top, the tests' working directory).
// Lines that are not observations fail the calling test.
std::vector<results::ObservationRow> captured_rows(const std::vector<std::string>& probes,
                                                   const std::string& server);

// The <server> names (e.g. "electrumx-1.20.0-default") captured for a probe.
std::vector<std::string> captured_servers(const std::string& probe);

// Every table, every row, in primary-key order, as text; not findings_published (bookkeeping of
// what went out on findings.v1, not a function of the rows).
std::string dump(results::ResultsDb& db);

}  // namespace eo::aggregator::test
