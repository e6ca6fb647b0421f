// One probe of the agent's registry against a loopback server, unpaced, from the vantage "local"
// (region "test"): how the probe tests and the aggregator's real-probe tests run the agent.
#pragma once

#include "agent/runtime/runner.h"
#include "tests/support/run.h"

#include <chrono>
#include <map>
#include <string>

namespace eo::test {

// `probe` on 127.0.0.1:`port` over TCP, 3 s for any wait and 20 s in all.
inline agent::ProbeRequest local_probe_request(std::uint16_t port, std::string probe,
                                               std::map<std::string, std::string> params = {}) {
  agent::ProbeRequest request;
  request.campaign_id = "c1";
  request.target = {"127.0.0.1", port, false};
  request.probe_name = std::move(probe);
  request.params = std::move(params);
  request.timeout = std::chrono::milliseconds(3000);
  request.deadline = std::chrono::milliseconds(20000);
  return request;
}

inline v1::Observation run_local_probe(const agent::ProbeRequest& request) {
  agent::Vantage vantage;
  vantage.id = "local";
  vantage.region = "test";
  agent::Runner runner("test-agent", vantage);
  return run<v1::Observation>(
      [&](boost::asio::io_context&) -> boost::asio::awaitable<v1::Observation> {
        auto no_pacing = []() -> boost::asio::awaitable<void> { co_return; };
        co_return co_await runner.run(request, no_pacing);
      });
}

}  // namespace eo::test
