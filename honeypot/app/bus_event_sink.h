// HoneypotEvents onto the bus (topic honeypot.events.v1, key = session id). publish() is a write
// to the local log or spool, so the server's thread is not held up; a refused event is counted and
// logged (the server must not stall on its recorder).
#pragma once

#include "common/bus/bus.h"
#include "honeypot/server/event_sink.h"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace eo::honeypot::app {

// Two modes:
//  - direct (no executor): record() publishes the event with Producer::publish before it returns;
//  - batched (the server's executor): record() serializes the event into a buffer and, for the
//    first event of a batch, posts a flush to the executor; the events recorded until that
//    handler runs (one pass of the event loop over the ready sessions) go out with one
//    Producer::publish_batch, i.e. one write(2) to the embedded log instead of one per event.
//    A batch is also flushed at once when it reaches kMaxBatchEvents or kMaxBatchBytes.
//    Buffered events are not yet in the OS: flush() and the destructor publish them, so an
//    orderly exit (including io_context::stop() before the posted flush ran) loses nothing; a
//    SIGKILL or crash of the process can lose at most the events of the current loop pass.
// Every event ends up counted: recorded() once accepted by the bus, refused() (and logged) when
// the bus refused it. Thread-safe, although the server calls record() from its one thread.
class BusEventSink final : public server::EventSink {
 public:
  static constexpr std::size_t kMaxBatchEvents = 512;
  static constexpr std::size_t kMaxBatchBytes = 1 << 20;

  explicit BusEventSink(bus::Producer& producer);
  // Batched on `executor` (the one that calls record()). Its handlers must not run after the
  // sink is destroyed; a flush still queued then is a no-op (the destructor already flushed).
  BusEventSink(bus::Producer& producer, boost::asio::any_io_executor executor);
  ~BusEventSink() override;
  BusEventSink(const BusEventSink&) = delete;
  BusEventSink& operator=(const BusEventSink&) = delete;

  void record(eo::v1::HoneypotEvent event) override;
  // The server's way in: the session's serialized envelope and the event's own fields are written
  // back to back, which parses as the whole event (no copy of the envelope message per event).
  void record_parts(const server::SessionEnvelope& envelope,
                    const eo::v1::HoneypotEvent& own) override;
  // Publishes the buffered events now (batched mode; a no-op otherwise or when none wait).
  void flush();

  std::uint64_t recorded() const { return recorded_; }
  std::uint64_t refused() const { return refused_; }

 private:
  struct Pending {
    std::size_t key_at, key_size, value_at, value_size;
  };
  // Publishes (direct) or queues (batched) the event serialized at buffer_[value_at..end).
  void take_locked(std::string_view key, std::size_t key_at, std::size_t value_at);
  void flush_locked();
  void count(const bus::Status& status, std::uint64_t accepted, std::uint64_t refused);

  bus::Producer& producer_;
  std::optional<boost::asio::any_io_executor> executor_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();  // posted flushes check it
  std::mutex mutex_;
  std::string buffer_;  // direct: the serialized event; batched: keys and values back to back
  std::vector<Pending> pending_;
  std::vector<bus::OutgoingRecord> batch_;
  bool flush_posted_ = false;
  std::atomic<std::uint64_t> recorded_{0};
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace eo::honeypot::app
