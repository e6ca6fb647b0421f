// tls_certificate: the chain a TLS server presents and how a wallet would judge it. See README.md.
#pragma once

#include "agent/runtime/probe.h"

namespace eo::agent::probes {

class TlsCertificate final : public Probe {
 public:
  std::string_view name() const override { return "tls_certificate"; }
  std::uint32_t version() const override { return 1; }
  Needs needs() const override { return Needs::tls_session; }
  boost::asio::awaitable<void> run(ProbeContext& context) const override;
};

}  // namespace eo::agent::probes
