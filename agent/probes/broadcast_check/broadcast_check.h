// broadcast_check: see README.md beside this file.
#pragma once

#include "agent/runtime/probe.h"

#include <string>

namespace eo::agent::probes {

class BroadcastCheck final : public Probe {
 public:
  std::string_view name() const override { return "broadcast_check"; }
  std::uint32_t version() const override { return 1; }
  boost::asio::awaitable<void> run(ProbeContext& context) const override;
};

// The two transactions the probe broadcasts, as hex; neither can ever be valid (see README.md).
std::string undecodable_transaction_hex();
std::string unspendable_transaction_hex();

}  // namespace eo::agent::probes
