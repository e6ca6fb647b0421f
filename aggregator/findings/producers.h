// The findings of the analyses that conclude something per server: differential tests with
// status "finding" (differential.<dimension>), fingerprint verdicts that flag a modified
// implementation, and operator clusters (one operator_cluster finding per member). Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aggregator/differential/differential.h"
#include "aggregator/findings/finding.h"
#include "aggregator/fingerprint/infer.h"
#include "aggregator/operators/operators.h"

namespace eo::aggregator::findings {

// The server (lower-case host, as in the servers table) of "<transport>://<host>:<port>";
// "[v6]" loses its brackets. The id itself when it has no "://".
std::string server_of_target(std::string_view target_id);

// p, q, the counts and direction, the confounders (none for a finding, by definition of its
// status, but named when they were checked and only noted) and the observation ids.
std::vector<Finding> from_differential(const std::vector<differential::Test>& tests);

// The claim, the inferred implementation, each contradiction with its observation ids.
std::vector<Finding> from_fingerprints(const std::vector<fingerprint::Verdict>& verdicts);

// Cluster id, members, the links that joined them (and annotations) and its outliers.
std::vector<Finding> from_operators(const operators::Clustering& clustering);

}  // namespace eo::aggregator::findings
