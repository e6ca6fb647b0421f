// The registry: one line per probe. Adding a probe: its folder (README, code, test) and a line
// here.
#include "agent/probes/registry.h"

#include "agent/probes/address_formats/address_formats.h"
#include "agent/probes/broadcast_check/broadcast_check.h"
#include "agent/probes/hostile_input/hostile_input.h"
#include "agent/probes/latency/latency.h"
#include "agent/probes/metadata/metadata.h"
#include "agent/probes/rate_limit_ramp/rate_limit_ramp.h"
#include "agent/probes/tls_certificate/tls_certificate.h"
#include "agent/probes/version_matrix/version_matrix.h"
#include "agent/probes/xpub_gap_scan/xpub_gap_scan.h"

namespace eo::agent {

const std::vector<const Probe*>& all_probes() {
  static const probes::Metadata metadata;
  static const probes::VersionMatrix version_matrix;
  static const probes::TlsCertificate tls_certificate;
  static const probes::AddressFormats address_formats;
  static const probes::XpubGapScan xpub_gap_scan;
  static const probes::HostileInput hostile_input;
  static const probes::RateLimitRamp rate_limit_ramp;
  static const probes::Latency latency;
  static const probes::BroadcastCheck broadcast_check;
  static const std::vector<const Probe*> probes = {
      &metadata,      &version_matrix,  &tls_certificate, &address_formats, &xpub_gap_scan,
      &hostile_input, &rate_limit_ramp, &latency,         &broadcast_check};
  return probes;
}

const Probe* find_probe(std::string_view name) {
  for (const Probe* probe : all_probes()) {
    if (probe->name() == name) return probe;
  }
  return nullptr;
}

}  // namespace eo::agent
