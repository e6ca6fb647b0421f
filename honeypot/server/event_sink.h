// The seam through which the honeypot server hands out what an operator can see: one
// eo::v1::HoneypotEvent per connection step or request.
#pragma once

#include "eo/v1/honeypot.pb.h"

namespace eo::honeypot::server {

// Guarantees of the server: record() is called from the server's one thread, in the order the
// events happened within a session; every event carries event_id (UUID v4), honeypot_id,
// session_id, kind, time, profile and action. Duties of an implementation: return quickly (the
// server's thread waits; a sink feeding a bus should queue and count what it drops) and never
// throw.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void record(eo::v1::HoneypotEvent event) = 0;
};

}  // namespace eo::honeypot::server
