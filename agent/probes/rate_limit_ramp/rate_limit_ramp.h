// rate_limit_ramp: see README.md beside this file.
#pragma once

#include "agent/runtime/probe.h"

namespace eo::agent::probes {

class RateLimitRamp final : public Probe {
 public:
  std::string_view name() const override { return "rate_limit_ramp"; }
  std::uint32_t version() const override { return 3; }
  boost::asio::awaitable<void> run(ProbeContext& context) const override;
};

}  // namespace eo::agent::probes
