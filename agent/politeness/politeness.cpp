// Politeness: the next allowed instant and a slot count per target.
#include "agent/politeness/politeness.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cctype>
#include <sstream>

namespace eo::agent {

namespace asio = boost::asio;

std::string PolitenessConfig::describe() const {
  std::ostringstream out;
  out << "politeness: at most " << max_requests_per_second_per_target << " requests/s and "
      << max_concurrency_per_target << " sessions per target, " << backoff_after_error.count()
      << " ms back-off after an error, " << opt_out_hosts.size() << " hosts opted out";
  return out.str();
}

bool Politeness::opted_out(const std::string& host) const {
  std::string lower = host;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return config_.opt_out_hosts.count(lower) > 0;
}

Politeness::Instant Politeness::next_allowed(const std::string& target) const {
  auto it = targets_.find(target);
  return it == targets_.end() ? Instant::min() : it->second.next_request;
}

Politeness::Instant Politeness::reserve(const std::string& target, double rate_cap) {
  double rate = config_.max_requests_per_second_per_target;
  if (rate_cap > 0) rate = std::min(rate, rate_cap);
  // Rounded up: a spacing a microsecond short would let rate + 1 requests into some second.
  auto spacing =
      std::chrono::ceil<Instant>(std::chrono::duration<double>(1.0 / std::max(0.001, rate)));
  State& state = targets_[target];
  auto slot = std::max(clock_.elapsed(), state.next_request);
  state.next_request = slot + spacing;
  return slot;
}

asio::awaitable<void> Politeness::pace(const std::string& target, double rate_cap) {
  auto wait = reserve(target, rate_cap) - clock_.elapsed();
  if (wait > Instant::zero()) {
    asio::steady_timer timer(co_await asio::this_coro::executor, wait);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

struct Politeness::Waiter {
  asio::steady_timer wake;  // never expires: leave() cancels it
  bool granted = false;
};

asio::awaitable<void> Politeness::enter(const std::string& target) {
  State& state = targets_[target];  // std::map: the reference outlives later insertions
  if (state.waiting.empty() && state.active < std::max(1u, config_.max_concurrency_per_target)) {
    ++state.active;
    co_return;
  }
  Waiter waiter{asio::steady_timer(co_await asio::this_coro::executor,
                                   asio::steady_timer::time_point::max())};
  state.waiting.push_back(&waiter);
  // Off the queue however the wait ends, also when the frame goes with its io_context.
  struct Unlist {
    std::deque<Waiter*>& waiting;
    Waiter* self;
    ~Unlist() { std::erase(waiting, self); }
  } unlist{state.waiting, &waiter};
  while (!waiter.granted) {
    boost::system::error_code ignored;
    co_await waiter.wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

void Politeness::leave(const std::string& target) {
  State& state = targets_[target];
  if (!state.waiting.empty()) {
    // The slot passes on as it is: `active` counts it for the waiter.
    Waiter* next = state.waiting.front();
    state.waiting.pop_front();
    next->granted = true;
    next->wake.cancel();
    return;
  }
  if (state.active > 0) --state.active;
}

void Politeness::penalize(const std::string& target) {
  State& state = targets_[target];
  state.next_request = std::max(state.next_request, clock_.elapsed() + config_.backoff_after_error);
}

}  // namespace eo::agent
