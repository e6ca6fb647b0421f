// Names of the store's enums, the campaign state machine and the lease id format, shared by
// every backend so that they agree byte for byte.
#include "common/store/store.h"

#include <charconv>

namespace eo::store {

Result<std::vector<bool>> StateStore::complete_batch(std::span<const Completion> batch) {
  Result<std::vector<bool>> out;
  for (const auto& c : batch) {
    auto one = complete(c.lease_id, c.ok, c.failure);
    if (!one.ok()) return {one.status, std::move(out.value)};
    out.value.push_back(one.value);
  }
  return out;
}

std::string_view to_string(Code code) {
  switch (code) {
    case Code::ok:
      return "ok";
    case Code::not_found:
      return "not_found";
    case Code::invalid_argument:
      return "invalid_argument";
    case Code::conflict:
      return "conflict";
    case Code::unavailable:
      return "unavailable";
    case Code::io_error:
      return "io_error";
  }
  return "unknown";
}

std::string_view to_string(CampaignState state) {
  switch (state) {
    case CampaignState::pending:
      return "pending";
    case CampaignState::running:
      return "running";
    case CampaignState::paused:
      return "paused";
    case CampaignState::done:
      return "done";
    case CampaignState::cancelled:
      return "cancelled";
  }
  return "unknown";
}

std::optional<CampaignState> campaign_state_from(std::string_view name) {
  for (auto s : {CampaignState::pending, CampaignState::running, CampaignState::paused,
                 CampaignState::done, CampaignState::cancelled}) {
    if (to_string(s) == name) return s;
  }
  return std::nullopt;
}

bool transition_allowed(CampaignState from, CampaignState to) {
  using S = CampaignState;
  if (from == to) return true;
  switch (from) {
    case S::pending:
      return to == S::running || to == S::cancelled;
    case S::running:
      return to == S::paused || to == S::done || to == S::cancelled;
    case S::paused:
      return to == S::running || to == S::cancelled;
    case S::done:
    case S::cancelled:
      return false;
  }
  return false;
}

std::string_view to_string(TaskState state) {
  switch (state) {
    case TaskState::queued:
      return "queued";
    case TaskState::leased:
      return "leased";
    case TaskState::done:
      return "done";
    case TaskState::failed:
      return "failed";
  }
  return "unknown";
}

std::string make_lease_id(std::string_view task_id, std::uint32_t attempt) {
  std::string id(task_id);
  id += '#';
  id += std::to_string(attempt);
  return id;
}

bool parse_lease_id(std::string_view lease_id, std::string& task_id, std::uint32_t& attempt) {
  auto hash = lease_id.rfind('#');
  if (hash == std::string_view::npos || hash == 0 || hash + 1 == lease_id.size()) return false;
  auto digits = lease_id.substr(hash + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), attempt);
  if (ec != std::errc() || end != digits.data() + digits.size() || attempt == 0) return false;
  task_id.assign(lease_id.substr(0, hash));
  return true;
}

}  // namespace eo::store
