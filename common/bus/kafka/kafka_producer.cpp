// The Kafka producer's pump. Everything touching the librdkafka handle runs on the pump thread
// (delivery reports are served by its rd_kafka_poll calls), so the handle needs no lock; the
// ack window is shared with flush() and stats() under mutex_.
#include "common/bus/kafka/kafka_producer.h"

#include "common/bus/kafka/client_errors.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace eo::bus::kafka {
namespace {

using namespace std::chrono_literals;

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string spool_dir_for(const BusConfig& config) {
  return config.log_dir + "/spool/" + (config.client_id.empty() ? "default" : config.client_id);
}

}  // namespace

KafkaProducer::KafkaProducer(const BusConfig& config) : spool_dir_(spool_dir_for(config)) {
  conf_ = make_conf(config, Role::producer, {});
  rd_kafka_conf_set_dr_msg_cb(conf_.get(), &KafkaProducer::on_delivery_trampoline);
  rd_kafka_conf_set_error_cb(conf_.get(), &KafkaProducer::on_error_trampoline);
  rd_kafka_conf_set_opaque(conf_.get(), this);
  rk_ = make_handle(RD_KAFKA_PRODUCER, conf_.get());  // validates the configuration first
  if (Status s = Spool::open(spool_dir_, config.local_log, spool_); !s.ok()) {
    throw std::runtime_error("bus: cannot open the Kafka spool: " + s.detail);
  }
  std::int64_t acked = spool_->acked();
  window_.reset(acked);
  cursor_ = acked;
  replay_mark_ = spool_->end();  // everything already spooled came from a predecessor
  pump_ = std::thread([this] { pump_loop(); });
}

KafkaProducer::~KafkaProducer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  pump_cv_.notify_all();
  acked_cv_.notify_all();
  pump_.join();
}

Status KafkaProducer::publish(std::string_view topic, std::string_view key,
                              std::string_view value) {
  if (Status s = check_record(topic, key, value); !s.ok()) return s;
  if (Status s = spool_->append(topic, key, value, now_us()); !s.ok()) return s;
  published_.fetch_add(1, std::memory_order_relaxed);
  { std::lock_guard lock(mutex_); }  // the pump is either before its check or waiting
  pump_cv_.notify_one();
  return Status::success();
}

BatchResult KafkaProducer::publish_batch(std::span<const OutgoingRecord> records) {
  BatchResult result;
  for (const auto& record : records) {
    result.status = publish(record.topic, record.key, record.value);
    if (!result.status.ok()) break;
    ++result.accepted;
  }
  return result;
}

Status KafkaProducer::flush(std::chrono::milliseconds timeout) {
  std::int64_t target = spool_->end();
  if (Status s = spool_->sync(); !s.ok()) return s;
  std::unique_lock lock(mutex_);
  acked_cv_.wait_for(lock, timeout, [&] { return window_.low() >= target || stopping_; });
  std::int64_t low = window_.low();
  std::string last_error = client_error_.empty() ? last_error_ : client_error_;
  lock.unlock();
  if (low >= target) return spool_->store_acked(low);
  return {Code::timeout, std::to_string(target - low) +
                             " records not acknowledged yet; they are durably spooled in " +
                             spool_dir_ +
                             (last_error.empty() ? "" : "; last error: " + last_error)};
}

ProducerStats KafkaProducer::stats() const {
  ProducerStats stats;
  stats.published = published_.load(std::memory_order_relaxed);
  stats.delivered = delivered_.load(std::memory_order_relaxed);
  stats.spooled = stats.published;
  stats.replayed = replayed_.load(std::memory_order_relaxed);
  stats.delivery_errors = delivery_errors_.load(std::memory_order_relaxed);
  std::int64_t low;
  {
    std::lock_guard lock(mutex_);
    low = window_.low();
    stats.client_error = client_error_;
  }
  stats.spool_depth = static_cast<std::uint64_t>(std::max<std::int64_t>(0, spool_->end() - low));
  return stats;
}

void KafkaProducer::on_delivery_trampoline(rd_kafka_t*, const rd_kafka_message_t* message,
                                           void* opaque) {
  static_cast<KafkaProducer*>(opaque)->on_delivery(message);
}

void KafkaProducer::on_delivery(const rd_kafka_message_t* message) {
  auto offset = static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(message->_private));
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    delivered_.fetch_add(1, std::memory_order_relaxed);
    backoff_ = 0ms;
    {
      std::lock_guard lock(mutex_);
      window_.ack(offset);
      client_error_.clear();
    }
    acked_cv_.notify_all();
    return;
  }
  if (draining_ && (message->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
                    message->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)) {
    return;  // we purged it ourselves; it is still in the spool
  }
  delivery_errors_.fetch_add(1, std::memory_order_relaxed);
  std::string topic = message->rkt ? rd_kafka_topic_name(message->rkt) : "?";
  note_error("delivery to " + topic + " failed: " + rd_kafka_err2str(message->err));
  std::lock_guard lock(mutex_);
  start_over_ = true;
}

void KafkaProducer::on_error_trampoline(rd_kafka_t*, int err, const char* reason, void* opaque) {
  std::string explained =
      explain_client_error(static_cast<rd_kafka_resp_err_t>(err), reason ? reason : "");
  if (explained.empty()) return;  // librdkafka retries it and delivery reports tell the rest
  auto* self = static_cast<KafkaProducer*>(opaque);
  std::lock_guard lock(self->mutex_);
  self->client_error_ = std::move(explained);
}

void KafkaProducer::note_error(const std::string& error) {
  std::lock_guard lock(mutex_);
  last_error_ = error;
}

}  // namespace eo::bus::kafka
