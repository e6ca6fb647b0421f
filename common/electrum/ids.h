// Allocates request ids and matches response ids back to the requests still waiting for them.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

namespace eo::electrum {

// How a response id relates to what this side sent. Every status but `matched` is peer
// misbehaviour (or a late reply) to record, never a reason to stop.
enum class IdStatus {
  matched,          // an outstanding request; its slot is returned and the id retired
  not_integer,      // null, a string, a float, or anything else: we only ever send integers
  never_issued,     // an integer this table never handed out
  not_outstanding,  // handed out but already answered or cancelled: a duplicate or late reply
};

inline std::string_view to_string(IdStatus status) {
  switch (status) {
    case IdStatus::matched:
      return "matched";
    case IdStatus::not_integer:
      return "not_integer";
    case IdStatus::never_issued:
      return "never_issued";
    case IdStatus::not_outstanding:
      return "not_outstanding";
  }
  return "unknown";
}

template <typename Slot>
struct IdMatch {
  IdStatus status = IdStatus::not_integer;
  std::optional<std::int64_t> id;  // set whenever the JSON id was an integer in int64 range
  std::optional<Slot> slot;        // set only when matched
};

// Ids count up from `first_id`, so "issued before" is a comparison and needs no memory of every
// id ever used. Memory is one entry per outstanding request. Not thread-safe (one per session).
template <typename Slot>
class IdTable {
 public:
  explicit IdTable(std::int64_t first_id = 0) : first_id_(first_id), next_id_(first_id) {}

  // Hands out the next id and parks `slot` under it until take() or cancel().
  std::int64_t allocate(Slot slot) {
    const std::int64_t id = next_id_++;
    outstanding_.emplace(id, std::move(slot));
    return id;
  }

  // Looks up a response's id (as parsed, any JSON); on a match, removes and returns the slot.
  IdMatch<Slot> take(const nlohmann::json& id) {
    IdMatch<Slot> match;
    match.id = integer_id(id);
    if (!match.id) {
      match.status = id.is_number_integer() ? IdStatus::never_issued : IdStatus::not_integer;
      return match;
    }
    const auto it = outstanding_.find(*match.id);
    if (it != outstanding_.end()) {
      match.status = IdStatus::matched;
      match.slot = std::move(it->second);
      outstanding_.erase(it);
    } else if (*match.id >= first_id_ && *match.id < next_id_) {
      match.status = IdStatus::not_outstanding;
    } else {
      match.status = IdStatus::never_issued;
    }
    return match;
  }

  // Gives up on a request (timeout); a reply arriving later reads as not_outstanding.
  std::optional<Slot> cancel(std::int64_t id) {
    const auto it = outstanding_.find(id);
    if (it == outstanding_.end()) return std::nullopt;
    std::optional<Slot> slot(std::move(it->second));
    outstanding_.erase(it);
    return slot;
  }

  bool is_outstanding(std::int64_t id) const { return outstanding_.count(id) != 0; }
  std::size_t outstanding() const { return outstanding_.size(); }
  std::int64_t next_id() const { return next_id_; }

  // Every parked slot, e.g. to fail them all when the connection drops. Leaves the table empty.
  template <typename Fn>
  void drain(Fn&& fn) {
    auto pending = std::exchange(outstanding_, {});
    for (auto& [id, slot] : pending) fn(id, std::move(slot));
  }

 private:
  // Integers only; an unsigned id beyond int64 cannot be ours.
  static std::optional<std::int64_t> integer_id(const nlohmann::json& id) {
    if (id.is_number_unsigned()) {
      const auto u = id.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return std::nullopt;
      }
      return static_cast<std::int64_t>(u);
    }
    if (id.is_number_integer()) return id.get<std::int64_t>();
    return std::nullopt;
  }

  std::int64_t first_id_;
  std::int64_t next_id_;
  std::unordered_map<std::int64_t, Slot> outstanding_;
};

}  // namespace eo::electrum
