#include "cli/local_tally.h"

#include "cli/coordinator_command.h"

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <vector>

namespace eo::cli {

void Tally::add(const v1::Observation& o) {
  const std::string& failure = o.failure();
  bool before_server = o.outcome() == v1::OUTCOME_DNS_ERROR ||
                       o.outcome() == v1::OUTCOME_UNREACHABLE ||
                       o.outcome() == v1::OUTCOME_PROXY_ERROR || failure.starts_with("dns:") ||
                       failure.starts_with("connect:") || failure.starts_with("proxy:");
  bool reached = o.outcome() == v1::OUTCOME_OK || !before_server;
  std::lock_guard lock(mutex_);
  ++s_.observations;
  if (seen_.insert(o.target().id()).second) ++s_.targets;
  if (reached && reached_.insert(o.target().id()).second) ++s_.targets_reached;
  if (!reached) ++s_.unreached[failure.empty() ? v1::Outcome_Name(o.outcome()) : failure];
}

std::string progress_line(const v1::CampaignStatus& s, const Tally::Snapshot& t,
                          std::chrono::steady_clock::duration elapsed) {
  constexpr int kWidth = 24;
  double finished = double(s.tasks_done() + s.tasks_failed());
  double share = s.tasks_total() == 0 ? 0 : finished / double(s.tasks_total());
  int filled = static_cast<int>(share * kWidth);
  std::ostringstream out;
  out << std::setw(4) << std::chrono::duration_cast<std::chrono::seconds>(elapsed).count() << " s  "
      << round_text(s, std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count())
      << " [" << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] "
      << s.tasks_done() << " done " << s.tasks_leased() << " leased " << s.tasks_failed()
      << " failed / " << s.tasks_total() << " | " << t.targets_reached << "/" << t.targets
      << " servers answered | " << s.state();
  return out.str();
}

std::string failure_counts(const std::map<std::string, std::size_t>& unreached) {
  std::vector<std::pair<std::size_t, std::string>> sorted;
  for (const auto& [failure, n] : unreached) sorted.emplace_back(n, failure);
  std::sort(sorted.rbegin(), sorted.rend());
  std::string out;
  for (const auto& [n, failure] : sorted) {
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + failure;
  }
  return out.empty() ? "no probe finished" : out;
}

}  // namespace eo::cli
