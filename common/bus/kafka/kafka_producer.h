// The Kafka Producer: publish() appends to the write-ahead spool and returns; a pump thread
// feeds the spool to an idempotent librdkafka producer in order and advances the durable
// watermark as the brokers acknowledge.
#pragma once

#include "common/bus/bus.h"
#include "common/bus/factory.h"
#include "common/bus/kafka/ack_window.h"
#include "common/bus/kafka/kafka_config.h"
#include "common/bus/kafka/spool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace eo::bus::kafka {

// Guarantees (on top of bus::Producer's):
//  - publish() returns ok once the record is in the spool (written to the OS), whatever the
//    brokers do; its only failures are local (bad topic, too large, disk);
//  - records reach librdkafka in spool order; a delivery error makes the pump drop the handle
//    and resend everything from the lowest unacknowledged record with a new one (duplicates
//    possible, gaps and reordering of first deliveries not);
//  - a record leaves the spool only after the broker acknowledged it (acks=all) and the
//    watermark saying so is on disk; a new producer on the same spool replays the rest.
// The spool is <log_dir>/spool/<client_id or "default">: one live producer per spool (a second
// one throws std::runtime_error). The destructor does not wait for delivery: call flush() first
// to deliver now; otherwise undelivered records wait in the spool for the next producer.
class KafkaProducer final : public Producer {
 public:
  explicit KafkaProducer(const BusConfig& config);
  ~KafkaProducer() override;

  Status publish(std::string_view topic, std::string_view key, std::string_view value) override;
  // A loop over publish(): one spool write per record (the pump batches towards the brokers).
  BatchResult publish_batch(std::span<const OutgoingRecord> records) override;
  Status flush(std::chrono::milliseconds timeout) override;
  ProducerStats stats() const override;

  // The spool directory this producer owns.
  const std::string& spool_dir() const { return spool_dir_; }

 private:
  static void on_delivery_trampoline(rd_kafka_t* rk, const rd_kafka_message_t* message,
                                     void* opaque);
  static void on_error_trampoline(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  void on_delivery(const rd_kafka_message_t* message);
  void pump_loop();
  bool enqueue_some();  // feeds spool records to librdkafka; true when it sent any
  void start_over();    // drops the handle and replays from the watermark
  void drop_handle(std::chrono::milliseconds drain);
  void store_watermark(bool force);
  void note_error(const std::string& error);

  const std::string spool_dir_;
  ConfPtr conf_;
  std::unique_ptr<Spool> spool_;
  HandlePtr rk_;  // owned by the pump thread after construction

  // Pump-thread state.
  std::deque<SpoolRecord> pending_;  // read from the spool, not yet accepted by librdkafka
  std::int64_t cursor_ = 0;          // next spool offset to read
  std::int64_t replay_mark_ = 0;     // offsets below were sent before (by us or a predecessor)
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point last_store_{};
  bool draining_ = false;  // purged messages report errors that are not delivery failures

  // Shared with publish/flush/stats.
  mutable std::mutex mutex_;
  std::condition_variable pump_cv_;  // new records, start-over request or stop
  std::condition_variable acked_cv_;
  AckWindow window_;
  bool stopping_ = false;
  bool start_over_ = false;
  std::string last_error_;
  std::string client_error_;  // explain_client_error() of the latest refusal; "" after a delivery
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> replayed_{0};
  std::atomic<std::uint64_t> delivery_errors_{0};

  std::thread pump_;
};

}  // namespace eo::bus::kafka
