// The seam through which the honeypot server hands out what an operator can see: one
// eo::v1::HoneypotEvent per connection step or request.
#pragma once

#include "eo/v1/honeypot.pb.h"

#include <string>

namespace eo::honeypot::server {

// The fields every event of one session shares (ids, peer, local address, transport, profile),
// built once per session, as a message and serialized.
struct SessionEnvelope {
  eo::v1::HoneypotEvent fields;
  std::string bytes;  // fields serialized
};

// Guarantees of the server: record_parts() (and so record()) is called from the server's one
// thread, in the order the events happened within a session; every event carries event_id (UUID
// v4), honeypot_id, session_id, kind, time, profile and action. Duties of an implementation: return
// quickly (the server's thread waits; a sink feeding a bus should queue and count what it drops)
// and never throw.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void record(eo::v1::HoneypotEvent event) = 0;
  // How the server records: the event is `envelope` plus `own`, which holds only the event's own
  // fields (none of the envelope's). Serialized protobuf messages concatenate as a merge, so a
  // sink that serializes can append envelope.bytes and own's bytes instead of building the whole
  // event; this default merges the two and calls record().
  virtual void record_parts(const SessionEnvelope& envelope, const eo::v1::HoneypotEvent& own) {
    eo::v1::HoneypotEvent event = envelope.fields;
    event.MergeFrom(own);
    record(std::move(event));
  }
};

}  // namespace eo::honeypot::server
