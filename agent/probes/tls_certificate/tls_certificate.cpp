// tls_certificate: the runtime captured the chain (observation.tls); this adds a summary keyed
// for operator clustering and confirms an Electrum server answers behind the TLS.
#include "agent/probes/tls_certificate/tls_certificate.h"

#include "agent/probes/probe_util.h"

#include <ctime>

namespace eo::agent::probes {

namespace {

json summary(const net::TlsReport& tls) {
  json out = {{"version", tls.version},           {"cipher", tls.cipher},
              {"chain_length", tls.chain.size()}, {"verified", tls.verified},
              {"verify_error", tls.verify_error}, {"self_signed", tls.self_signed},
              {"expired", tls.expired},           {"hostname_mismatch", tls.hostname_mismatch}};
  if (!tls.chain.empty()) {
    const auto& leaf = tls.chain.front();
    out["leaf"] = {{"sha256", leaf.sha256_fingerprint},
                   {"spki_sha256", leaf.spki_sha256},
                   {"subject", leaf.subject},
                   {"issuer", leaf.issuer},
                   {"san_dns", leaf.san_dns},
                   {"san_ip", leaf.san_ip},
                   {"not_before", leaf.not_before_unix},
                   {"not_after", leaf.not_after_unix},
                   {"days_left", (leaf.not_after_unix - std::time(nullptr)) / 86400},
                   {"key_type", leaf.key_type},
                   {"key_bits", leaf.key_bits}};
  }
  return out;
}

}  // namespace

boost::asio::awaitable<void> TlsCertificate::run(ProbeContext& context) const {
  if (const auto& tls = context.session().connection().tls()) context.result = summary(*tls);
  auto version = co_await context.negotiate_version();
  context.result["electrum"] = answer_json(version, true);
  if (!version.failure.ok()) context.failure = version.failure;
}

}  // namespace eo::agent::probes
