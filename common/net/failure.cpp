// Failure classification: OONI-style reason strings under a ZGrab2-style closed outcome set.
#include "common/net/failure.h"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

namespace eo::net {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::unspecified:
      return "unspecified";
    case Outcome::ok:
      return "ok";
    case Outcome::timeout:
      return "timeout";
    case Outcome::refused:
      return "refused";
    case Outcome::reset:
      return "reset";
    case Outcome::tls_error:
      return "tls_error";
    case Outcome::protocol_error:
      return "protocol_error";
    case Outcome::rpc_error:
      return "rpc_error";
    case Outcome::closed_by_peer:
      return "closed_by_peer";
    case Outcome::dns_error:
      return "dns_error";
    case Outcome::unreachable:
      return "unreachable";
    case Outcome::proxy_error:
      return "proxy_error";
  }
  return "unspecified";
}

std::string_view to_string(Stage stage) {
  switch (stage) {
    case Stage::dns:
      return "dns";
    case Stage::connect:
      return "connect";
    case Stage::proxy:
      return "proxy";
    case Stage::tls_handshake:
      return "tls_handshake";
    case Stage::write:
      return "write";
    case Stage::read:
      return "read";
  }
  return "unknown";
}

Failure make_failure(Outcome outcome, Stage stage, std::string_view reason) {
  std::string detail{to_string(stage)};
  detail += ':';
  detail += reason;
  return {outcome, std::move(detail)};
}

Failure classify(const boost::system::error_code& ec, Stage stage, bool timed_out) {
  namespace error = boost::asio::error;
  if (!ec) return {};
  if (timed_out || ec == error::timed_out) {
    return make_failure(Outcome::timeout, stage, "generic_timeout_error");
  }
  if (ec == error::connection_refused) {
    return make_failure(Outcome::refused, stage, "connection_refused");
  }
  if (ec == error::connection_reset || ec == error::broken_pipe ||
      ec == error::connection_aborted) {
    return make_failure(Outcome::reset, stage, "connection_reset");
  }
  if (ec == error::network_unreachable || ec == error::host_unreachable ||
      ec == error::network_down) {
    return make_failure(Outcome::unreachable, stage, "network_unreachable");
  }
  if (ec == boost::system::errc::address_not_available) {
    return make_failure(Outcome::unreachable, stage, "address_not_available");
  }
  if (ec == error::host_not_found) return make_failure(Outcome::dns_error, stage, "dns_nxdomain");
  if (ec == error::host_not_found_try_again || ec == error::no_data || ec == error::no_recovery) {
    return make_failure(Outcome::dns_error, stage, "dns_temporary_failure");
  }
  if (ec == error::eof || ec == boost::asio::ssl::error::stream_truncated) {
    // A peer that closes mid-handshake broke TLS; after it, a close is the peer ending the session.
    if (stage == Stage::tls_handshake) return make_failure(Outcome::tls_error, stage, "eof_error");
    return make_failure(Outcome::closed_by_peer, stage, "eof_error");
  }
  if (ec.category() == boost::asio::error::get_ssl_category() || stage == Stage::tls_handshake) {
    return make_failure(Outcome::tls_error, stage, "ssl_error: " + ec.message());
  }
  if (ec == error::operation_aborted) {
    return make_failure(Outcome::closed_by_peer, stage, "operation_aborted");
  }
  return make_failure(stage == Stage::dns ? Outcome::dns_error : Outcome::reset, stage,
                      "unknown_failure: " + ec.message());
}

}  // namespace eo::net
