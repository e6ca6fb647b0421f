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
  double growth;              // rate multiplier per step
  std::int64_t step;          // requests per step
  double slow_factor;         // a reply this many times slower than the baseline is slow
  std::int64_t slow_confirm;  // slow replies in a row that count as throttling
};

Ramp ramp_of(const ProbeContext& context) {
  return {context.param_int("max_requests", 200),
          double(context.param_int("start_rate", 5)),
          double(context.param_int("max_rate", 50)),
          1.5,
          context.param_int("step", 20),
          double(context.param_int("slow_factor", 10)),
          std::max<std::int64_t>(1, context.param_int("slow_confirm", 2))};
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

// The baseline's floor. A virtual machine's scheduling stalls alone delay replies by tens of ms
// (loopback on our 2-vCPU CI host: 0.6 % of round trips over 10 ms, the worst 40 ms), so "slow"
// on a LAN or loopback target means at least slow_factor x 5 ms.
constexpr std::int64_t kMinBaselineUs = 5000;

// ElectrumX >= 1.18 pads replies with spaces to at least 1024 bytes against traffic analysis and,
// once a session has sent its first 1024 bytes, holds a small reply until 1 s after its previous
// send (electrumx/server/transport.py, WAIT_FOR_BUFFER_GROWTH_SECONDS). A padded reply within that
// hold is the server's privacy measure, not throttling.
constexpr std::int64_t kPaddingHoldUs = 1'000'000;
constexpr std::size_t kMinPaddedLine = 1024;  // with its newline

bool padded(const std::string& line) {  // the line without its newline
  return line.size() + 1 >= kMinPaddedLine && line.back() == '}' && line[line.size() - 2] == ' ';
}

}  // namespace

boost::asio::awaitable<void> RateLimitRamp::run(ProbeContext& context) const {
  Ramp ramp = ramp_of(context);
  auto version = co_await context.negotiate_version();
  if (!version.failure.ok()) {
    context.failure = version.failure;
    co_return;
  }
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  std::vector<std::int64_t> baseline;  // the first 5 replies' round trips
  std::int64_t slow_over_us = 0;       // set once the baseline is complete
  // A lone slow reply is jitter on the path or on our host; a throttling server stays slow.
  json first_slow;
  std::int64_t slow_run = 0, lone_slow = 0, padding_holds = 0;
  double rate = ramp.start_rate;
  std::int64_t sent = 0;
  const std::int64_t start_us = context.elapsed_us();
  for (; sent < ramp.max_requests; ++sent) {
    rate =
        std::min(ramp.max_rate, ramp.start_rate * std::pow(ramp.growth, double(sent / ramp.step)));
    timer.expires_after(std::chrono::microseconds(static_cast<std::int64_t>(1e6 / rate)));
    co_await timer.async_wait(boost::asio::use_awaitable);
    auto t = context.elapsed_us();
    auto reply = co_await context.session().call("server.ping", no_params());
    // Our own wait running out says nothing of the server: the ramp ends there, unthrottled.
    if (reply.failure.outcome == net::Outcome::timeout) {
      context.record(exchange_of("server.ping", reply, t));
      context.result["ended_by"] = "timeout";
      ++sent;
      break;
    }
    const bool failed = !reply.failure.ok() || reply.error;
    bool slow = !failed && slow_over_us > 0 && reply.rtt.count() > slow_over_us;
    if (slow && padded(reply.line) && reply.rtt.count() <= kPaddingHoldUs + slow_over_us) {
      slow = false;
      ++padding_holds;
    }
    if (baseline.size() < 5) {
      baseline.push_back(reply.rtt.count());
      if (baseline.size() == 5) {
        std::sort(baseline.begin(), baseline.end());
        const auto median = std::max<std::int64_t>(baseline[2], kMinBaselineUs);
        slow_over_us = static_cast<std::int64_t>(ramp.slow_factor * double(median));
      }
    }
    if (sent < 5 || sent % 10 == 0 || slow || failed) {
      context.record(exchange_of("server.ping", reply, t));
    }
    if (failed) {
      auto kind = reply.failure.ok() ? "error" : "disconnect";
      context.result["first_throttle"] = throttle_json(sent, t, kind, reply, rate);
      ++sent;
      break;
    }
    if (!slow) {
      lone_slow += slow_run;
      slow_run = 0;
      continue;
    }
    if (slow_run++ == 0) first_slow = throttle_json(sent, t, "slowdown", reply, rate);
    if (slow_run >= ramp.slow_confirm) {
      context.result["first_throttle"] = std::move(first_slow);
      ++sent;
      break;
    }
  }
  if (!context.result.contains("first_throttle")) lone_slow += slow_run;
  context.result["lone_slow_replies"] = lone_slow;
  context.result["padding_holds"] = padding_holds;
  context.result["requests_sent"] = sent;
  context.result["final_rate"] = rate;
  // What the path and the server allowed: each ping waits for the previous reply.
  const double seconds = double(context.elapsed_us() - start_us) / 1e6;
  context.result["achieved_rate"] = seconds > 0 ? std::round(double(sent) / seconds * 10) / 10 : 0;
  context.result["max_requests"] = ramp.max_requests;
  context.result["throttled"] = context.result.contains("first_throttle");
  context.session().close();  // back off at once
}

}  // namespace eo::agent::probes
