#include "common/time/clock.h"

#include <algorithm>
#include <stdexcept>

namespace eo::time {

using namespace std::chrono;

TimeMs SystemClock::now() const {
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

microseconds SystemClock::elapsed() const {
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch());
}

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

void ManualClock::advance(microseconds by) {
  if (by.count() < 0) throw std::invalid_argument("ManualClock::advance: negative step");
  elapsed_us_ += by.count();
}

void ManualClock::set(TimeMs to) {
  if (to < now()) throw std::invalid_argument("ManualClock::set: back in time");
  elapsed_us_ = std::max(elapsed_us_.load(), (to - start_) * 1000);
}

}  // namespace eo::time
