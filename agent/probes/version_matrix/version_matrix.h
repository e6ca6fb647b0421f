// version_matrix: how a server negotiates server.version across client ranges. See README.md.
#pragma once

#include "agent/runtime/probe.h"

namespace eo::agent::probes {

class VersionMatrix final : public Probe {
 public:
  std::string_view name() const override { return "version_matrix"; }
  std::uint32_t version() const override { return 1; }
  boost::asio::awaitable<void> run(ProbeContext& context) const override;
};

}  // namespace eo::agent::probes
