// Acknowledgements of a contiguous run of in-flight spool records arrive out of order (one
// partition answers before another); this tracks them and yields the low watermark below which
// every record is acknowledged, the only position a restart may safely resume from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace eo::bus::kafka {

class AckWindow {
 public:
  // Nothing in flight; the watermark and the next record to send are both `start`.
  void reset(std::int64_t start);
  // Records `offset` as sent; it must be end() (records are sent in spool order).
  void sent(std::int64_t offset);
  // Marks `offset` acknowledged; false (and no effect) when it is not in flight.
  bool ack(std::int64_t offset);

  std::int64_t low() const { return low_; }  // every offset below is acknowledged
  std::int64_t end() const { return low_ + static_cast<std::int64_t>(acked_.size()); }
  std::size_t in_flight() const { return acked_.size(); }

 private:
  std::int64_t low_ = 0;
  std::deque<bool> acked_;  // acked_[i] is offset low_ + i
};

}  // namespace eo::bus::kafka
