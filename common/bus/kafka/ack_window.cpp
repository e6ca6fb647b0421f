// The ack window: a deque of flags whose acknowledged prefix is popped as it forms.
#include "common/bus/kafka/ack_window.h"

#include <cassert>

namespace eo::bus::kafka {

void AckWindow::reset(std::int64_t start) {
  low_ = start;
  acked_.clear();
}

void AckWindow::sent(std::int64_t offset) {
  assert(offset == end());
  (void)offset;
  acked_.push_back(false);
}

bool AckWindow::ack(std::int64_t offset) {
  if (offset < low_ || offset >= end()) return false;
  acked_[static_cast<std::size_t>(offset - low_)] = true;
  while (!acked_.empty() && acked_.front()) {
    acked_.pop_front();
    ++low_;
  }
  return true;
}

}  // namespace eo::bus::kafka
