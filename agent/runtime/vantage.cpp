#include "agent/runtime/vantage.h"

namespace eo::agent {

v1::Vantage to_proto(const Vantage& vantage) {
  v1::Vantage out;
  out.set_id(vantage.id);
  out.set_region(vantage.region);
  out.set_provider(vantage.provider);
  out.set_network(vantage.tor ? v1::NETWORK_TOR : v1::NETWORK_CLEARNET);
  out.set_egress_ip(vantage.egress_ip);
  out.set_asn(vantage.asn);
  out.set_country(vantage.country);
  return out;
}

}  // namespace eo::agent
