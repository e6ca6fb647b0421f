// HoneypotEvents onto the bus (topic honeypot.events.v1, key = session id). publish() is a write
// to the local log or spool, so the server's thread is not held up; a refused event is counted and
// logged (the server must not stall on its recorder).
#pragma once

#include "common/bus/bus.h"
#include "honeypot/server/event_sink.h"

#include <atomic>

namespace eo::honeypot::app {

class BusEventSink final : public server::EventSink {
 public:
  explicit BusEventSink(bus::Producer& producer) : producer_(producer) {}
  void record(eo::v1::HoneypotEvent event) override;

  std::uint64_t recorded() const { return recorded_; }
  std::uint64_t refused() const { return refused_; }

 private:
  bus::Producer& producer_;
  std::string buffer_;
  std::atomic<std::uint64_t> recorded_{0};
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace eo::honeypot::app
