// Which targets a continuous campaign's round plans and which are gone (coordinator/README.md,
// "Gone targets"): a pure function of the standings the store keeps, so every coordinator
// that plans the round decides the same.
#pragma once

#include "common/store/store.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace eo::coordinator {

struct RoundTargets {
  std::vector<std::string> active;  // planned this round
  std::vector<std::string> gone;    // no source names them any more: no tasks
  // Never sighted (linked before the store kept standings): active, and taken as announced this
  // round, so they go only after a full grace period of silence.
  std::vector<std::string> unsighted;
};

// A target is active in `round` when a seed source listed it for this round, or a probed server
// announced it in one of the last `announce_rounds` rounds (round - announced <= announce_rounds);
// otherwise it is gone.
RoundTargets sort_round_targets(std::span<const store::Standing> standings, std::uint32_t round,
                                std::uint32_t announce_rounds);

}  // namespace eo::coordinator
