// The statistics behind a differential finding: Fisher's exact test on a 2x2 table of counts and
// the Benjamini-Hochberg false-discovery-rate adjustment across every test of a run.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace eo::aggregator::differential {

// Two-sided Fisher's exact test of the table [[a, b], [c, d]] with its margins fixed: the sum of
// the hypergeometric probabilities of every table no more probable than the observed one.
// Computed in log space, so large counts neither overflow nor underflow. 1 for a degenerate table.
double fisher_exact(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d);

// Benjamini-Hochberg q-values (adjusted p-values), in the order of `p`: a test is a discovery at
// false-discovery rate alpha when its q <= alpha.
std::vector<double> benjamini_hochberg(std::span<const double> p);

}  // namespace eo::aggregator::differential
