// xpub_gap_scan: see README.md beside this file.
#pragma once

#include "agent/runtime/probe.h"

namespace eo::agent::probes {

class XpubGapScan final : public Probe {
 public:
  std::string_view name() const override { return "xpub_gap_scan"; }
  std::uint32_t version() const override { return 1; }
  boost::asio::awaitable<void> run(ProbeContext& context) const override;
};

}  // namespace eo::agent::probes
