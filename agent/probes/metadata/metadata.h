// metadata: what a server says about itself (version, features, banner, donation address,
// peers, tip, a fixed header, fees). See README.md.
#pragma once

#include "agent/runtime/probe.h"

namespace eo::agent::probes {

class Metadata final : public Probe {
 public:
  std::string_view name() const override { return "metadata"; }
  std::uint32_t version() const override { return 1; }
  boost::asio::awaitable<void> run(ProbeContext& context) const override;
};

}  // namespace eo::agent::probes
