// rate_limit_ramp: pings at a rising rate until the first sign of throttling, then stops.
#include "agent/probes/rate_limit_ramp/rate_limit_ramp.h"

#include "agent/probes/probe_util.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cmath>

namespace eo::agent::probes {

namespace {

struct Ramp {
  std::int64_t max_requests;
  double start_rate;  // requests per second
  double max_rate;
  double growth;      // rate multiplier per step
  std::int64_t step;  // requests per step
  double slow_factor; // a reply this many times slower than the baseline counts as throttling
};

Ramp ramp_of(const ProbeContext& context) {
  return {context.param_int("max_requests", 200), double(context.param_int("start_rate", 5)),
          double(context.param_int("max_rate", 50)), 1.5, context.param_int("step", 20),
          double(context.param_int("slow_factor", 10))};
}

json throttle_json(std::int64_t index, std::int64_t t_us, std::string_view kind,
                   const electrum::Reply& reply, double rate) {
  json out = answer_json(reply);
  out["request_index"] = index;
  out["t_ms"] = t_us / 1000;
  out["kind"] = kind;
  out["rate"] = rate;
  out["rtt_us"] = reply.rtt.count();
  return out;
}

json no_params() { return json::array(); }

}  // namespace

boost::asio::awaitable<void> RateLimitRamp::run(ProbeContext& context) const {
  Ramp ramp = ramp_of(context);
  auto version = co_await context.negotiate_version();
  if (!version.failure.ok()) {
    context.failure = version.failure;
    co_return;
  }
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  std::vector<std::int64_t> baseline;
  double rate = ramp.start_rate;
  std::int64_t sent = 0;
  for (; sent < ramp.max_requests; ++sent) {
    rate = std::min(ramp.max_rate, ramp.start_rate * std::pow(ramp.growth, double(sent / ramp.step)));
    timer.expires_after(std::chrono::microseconds(static_cast<std::int64_t>(1e6 / rate)));
    co_await timer.async_wait(boost::asio::use_awaitable);
    auto t = context.elapsed_us();
    auto reply = co_await context.session().call("server.ping", no_params());
    if (sent < 5 || sent % 10 == 0) context.record(exchange_of("server.ping", reply, t));
    std::string_view kind;
    if (!reply.failure.ok()) kind = "disconnect";
    else if (reply.error) kind = "error";
    else if (baseline.size() >= 5) {
      auto sorted = baseline;
      std::sort(sorted.begin(), sorted.end());
      auto median = std::max<std::int64_t>(sorted[sorted.size() / 2], 1000);
      if (reply.rtt.count() > ramp.slow_factor * median) kind = "slowdown";
    }
    if (baseline.size() < 5) baseline.push_back(reply.rtt.count());
    if (!kind.empty()) {
      context.record(exchange_of("server.ping", reply, t));
      context.result["first_throttle"] = throttle_json(sent, t, kind, reply, rate);
      ++sent;
      break;
    }
  }
  context.result["requests_sent"] = sent;
  context.result["final_rate"] = rate;
  context.result["max_requests"] = ramp.max_requests;
  context.result["throttled"] = context.result.contains("first_throttle");
  context.session().close();  // back off at once
}

}  // namespace eo::agent::probes
