#include "coordinator/campaign/standing.h"

namespace eo::coordinator {

RoundTargets sort_round_targets(std::span<const store::Standing> standings, std::uint32_t round,
                                std::uint32_t announce_rounds) {
  RoundTargets out;
  for (const auto& s : standings) {
    if (!s.listed_round && !s.announced_round) {
      out.active.push_back(s.target_id);
      out.unsighted.push_back(s.target_id);
      continue;
    }
    const bool listed = s.listed_round && *s.listed_round >= round;
    // announced_round may exceed round: an announcement counted after a restart re-plans it.
    const bool announced =
        s.announced_round && std::int64_t{round} - *s.announced_round <= announce_rounds;
    (listed || announced ? out.active : out.gone).push_back(s.target_id);
  }
  return out;
}

}  // namespace eo::coordinator
