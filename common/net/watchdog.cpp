// Watchdog: a deadline-ordered list of waits under one timer per execution context.
#include "common/net/watchdog.h"

#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>

namespace eo::net {

namespace asio = boost::asio;

asio::execution_context::id Watchdog::id;

Watchdog::Watchdog(asio::execution_context& context) : asio::execution_context::service(context) {}

Watchdog& Watchdog::of(const asio::any_io_executor& executor) {
  auto& watchdog = asio::use_service<Watchdog>(asio::query(executor, asio::execution::context));
  std::lock_guard lock(watchdog.mutex_);
  if (!watchdog.timer_) watchdog.timer_.emplace(executor);
  return watchdog;
}

void Watchdog::start(Wait& wait, Clock::time_point deadline) {
  std::lock_guard lock(mutex_);
  if (wait.linked) {
    (wait.prev ? wait.prev->next : head_) = wait.next;
    (wait.next ? wait.next->prev : tail_) = wait.prev;
  }
  wait.deadline = deadline;
  // Waits mostly share one timeout, so a new deadline is nearly always the latest: the search
  // from the tail stops at once.
  Wait* after = tail_;
  while (after != nullptr && after->deadline > deadline) after = after->prev;
  wait.prev = after;
  wait.next = after ? after->next : head_;
  (wait.next ? wait.next->prev : tail_) = &wait;
  (after ? after->next : head_) = &wait;
  wait.linked = true;
  if (deadline < armed_at_) arm(deadline);
}

void Watchdog::finish(Wait& wait) {
  std::lock_guard lock(mutex_);
  if (!wait.linked) return;
  (wait.prev ? wait.prev->next : head_) = wait.next;
  (wait.next ? wait.next->prev : tail_) = wait.prev;
  wait.prev = wait.next = nullptr;
  wait.linked = false;
  // A timer left armed would keep the context's run() from returning until it fired. While
  // other waits remain it stays as it is: firing early just re-arms it for the new head.
  if (head_ == nullptr && armed_at_ != Clock::time_point::max()) {
    timer_->cancel();
    armed_at_ = Clock::time_point::max();
  }
}

void Watchdog::arm(Clock::time_point at) {
  armed_at_ = at;
  timer_->expires_at(at);
  // Handlers never run after shutdown(), so `this` outlives every one that runs.
  timer_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) on_timer();
  });
}

void Watchdog::on_timer() {
  std::lock_guard lock(mutex_);
  armed_at_ = Clock::time_point::max();
  auto now = Clock::now();
  while (head_ != nullptr && head_->deadline <= now) {
    Wait* expired = head_;
    head_ = expired->next;
    (head_ ? head_->prev : tail_) = nullptr;
    expired->prev = expired->next = nullptr;
    expired->linked = false;
    expired->expire(expired->owner);
  }
  if (head_ != nullptr) arm(head_->deadline);
}

void Watchdog::shutdown() {
  std::lock_guard lock(mutex_);
  for (Wait* wait = head_; wait != nullptr;) {
    Wait* next = wait->next;
    wait->prev = wait->next = nullptr;
    wait->linked = false;
    wait = next;
  }
  head_ = tail_ = nullptr;
  timer_.reset();
}

}  // namespace eo::net
