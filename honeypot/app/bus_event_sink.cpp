// BusEventSink: serialize and publish, one event at a time or in batches per event-loop pass.
#include "honeypot/app/bus_event_sink.h"

#include "common/bus/topics.h"
#include "common/telemetry/log.h"

#include <boost/asio/post.hpp>

namespace eo::honeypot::app {

BusEventSink::BusEventSink(bus::Producer& producer) : producer_(producer) {}

BusEventSink::BusEventSink(bus::Producer& producer, boost::asio::any_io_executor executor)
    : producer_(producer), executor_(std::move(executor)) {}

BusEventSink::~BusEventSink() { flush(); }

void BusEventSink::record(eo::v1::HoneypotEvent event) {
  std::lock_guard lock(mutex_);
  const std::size_t key_at = buffer_.size();
  if (executor_) buffer_.append(event.session_id());
  const std::size_t value_at = buffer_.size();
  event.AppendToString(&buffer_);
  take_locked(event.session_id(), key_at, value_at);
}

void BusEventSink::record_parts(const server::SessionEnvelope& envelope,
                                const eo::v1::HoneypotEvent& own) {
  std::lock_guard lock(mutex_);
  const std::string& session_id = envelope.fields.session_id();
  const std::size_t key_at = buffer_.size();
  if (executor_) buffer_.append(session_id);
  const std::size_t value_at = buffer_.size();
  buffer_.append(envelope.bytes);
  own.AppendToString(&buffer_);
  take_locked(session_id, key_at, value_at);
}

void BusEventSink::take_locked(std::string_view key, std::size_t key_at, std::size_t value_at) {
  if (!executor_) {
    const std::string_view value = std::string_view(buffer_).substr(value_at);
    bus::Status status = producer_.publish(bus::topics::kHoneypotEvents, key, value);
    buffer_.clear();
    count(status, status.ok() ? 1 : 0, status.ok() ? 0 : 1);
    return;
  }
  pending_.push_back(Pending{key_at, key.size(), value_at, buffer_.size() - value_at});
  if (pending_.size() >= kMaxBatchEvents || buffer_.size() >= kMaxBatchBytes) {
    flush_locked();
    return;
  }
  if (!flush_posted_) {
    flush_posted_ = true;
    boost::asio::post(*executor_, [this, alive = std::weak_ptr<char>(alive_)] {
      if (alive.lock()) flush();
    });
  }
}

void BusEventSink::flush() {
  std::lock_guard lock(mutex_);
  flush_locked();
}

void BusEventSink::flush_locked() {
  flush_posted_ = false;
  if (pending_.empty()) return;
  batch_.clear();
  for (const Pending& p : pending_) {
    batch_.push_back({bus::topics::kHoneypotEvents,
                      std::string_view(buffer_).substr(p.key_at, p.key_size),
                      std::string_view(buffer_).substr(p.value_at, p.value_size)});
  }
  bus::BatchResult result = producer_.publish_batch(batch_);
  if (!result.status.ok() && result.accepted < batch_.size()) {
    // The rest of the batch one by one: a refusal is about one record (too large, say), and the
    // events after it should not share its fate.
    std::uint64_t refused = 1;
    for (std::size_t i = result.accepted + 1; i < batch_.size(); ++i) {
      bus::Status s = producer_.publish(batch_[i].topic, batch_[i].key, batch_[i].value);
      if (s.ok()) {
        ++result.accepted;
      } else {
        ++refused;
        result.status = std::move(s);
      }
    }
    count(result.status, result.accepted, refused);
  } else {
    count(result.status, result.accepted, 0);
  }
  pending_.clear();
  buffer_.clear();
}

void BusEventSink::count(const bus::Status& status, std::uint64_t accepted, std::uint64_t refused) {
  recorded_ += accepted;
  if (refused == 0) return;
  std::uint64_t before = refused_.fetch_add(refused);
  if (before / 1000 != (before + refused) / 1000 || before == 0) {
    telemetry::log(telemetry::LogLevel::error, "honeypot event refused by the bus",
                   {{"code", bus::to_string(status.code)},
                    {"detail", status.detail},
                    {"refused_so_far", before + refused}});
  }
}

}  // namespace eo::honeypot::app
