// The closed vocabulary of what a network exchange can end in, and the classifier that maps
// Asio/OpenSSL/SOCKS errors onto it (one place, so every probe names failures the same way).
#pragma once

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace eo::net {

// Mirrors eo.v1.Outcome value for value, so conversion is a cast.
enum class Outcome : std::uint8_t {
  unspecified = 0,
  ok = 1,
  timeout = 2,
  refused = 3,
  reset = 4,
  tls_error = 5,
  protocol_error = 6,
  rpc_error = 7,
  closed_by_peer = 8,
  dns_error = 9,
  unreachable = 10,
  proxy_error = 11,
};

std::string_view to_string(Outcome outcome);

// The step of a connection that failed; it is part of the failure string ("tls_handshake:...").
enum class Stage : std::uint8_t { dns, connect, proxy, tls_handshake, write, read };

std::string_view to_string(Stage stage);

struct Failure {
  Outcome outcome = Outcome::ok;
  std::string detail;  // "<stage>:<reason>", e.g. "connect:connection_refused"

  bool ok() const { return outcome == Outcome::ok; }
};

// Maps an error from `stage` onto the vocabulary. `timed_out` says our own deadline fired (the
// operation then reports operation_aborted, which alone would be ambiguous).
Failure classify(const boost::system::error_code& ec, Stage stage, bool timed_out);

Failure make_failure(Outcome outcome, Stage stage, std::string_view reason);

}  // namespace eo::net
