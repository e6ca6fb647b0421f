// The pump half of KafkaProducer: spool -> librdkafka in order, acknowledgements -> watermark,
// and starting over from the watermark with a fresh handle after any delivery error.
#include "common/bus/kafka/kafka_producer.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace eo::bus::kafka {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kMaxInFlight = 50'000;  // records handed to librdkafka, not yet acked
constexpr std::size_t kReadBatch = 1'000;     // spool records read per step
constexpr auto kStoreEvery = 200ms;           // watermark writes (an fsync + rename each)
constexpr auto kFirstBackoff = 100ms;         // before starting over after an error ...
constexpr auto kMaxBackoff = 5000ms;          // ... doubling up to this while errors repeat
constexpr auto kDrainLimit = 5000ms;          // wait for purged reports when starting over

}  // namespace

void KafkaProducer::pump_loop() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (stopping_) break;
      if (start_over_ || !rk_) {
        lock.unlock();
        start_over();
        continue;
      }
    }
    bool sent = enqueue_some();
    rd_kafka_poll(rk_.get(), 0);
    store_watermark(false);
    if (Status s = spool_->sync_if_due(); !s.ok()) note_error(s.detail);
    if (sent) continue;
    std::unique_lock lock(mutex_);
    if (window_.in_flight() > 0 || !pending_.empty()) {
      lock.unlock();
      rd_kafka_poll(rk_.get(), 10);  // reports arrive here; new records wait at most this long
      continue;
    }
    pump_cv_.wait_for(lock, 50ms,
                      [&] { return stopping_ || start_over_ || spool_->end() > cursor_; });
  }
  drop_handle(0ms);
  store_watermark(true);
  (void)spool_->sync();  // the Spool's destructor syncs again; an error has no one to go to
}

bool KafkaProducer::enqueue_some() {
  if (pending_.empty() && cursor_ < spool_->end()) {
    std::size_t room;
    {
      std::lock_guard lock(mutex_);
      room = kMaxInFlight - std::min(window_.in_flight(), kMaxInFlight);
    }
    auto want = static_cast<std::size_t>(
        std::min<std::int64_t>(spool_->end() - cursor_, std::min(room, kReadBatch)));
    std::vector<SpoolRecord> batch;
    Status s = want > 0 ? spool_->read(want, batch) : Status::success();
    for (auto& record : batch) pending_.push_back(std::move(record));
    if (!pending_.empty()) cursor_ = pending_.back().offset + 1;
    if (!s.ok()) {
      note_error(s.detail);
      std::lock_guard lock(mutex_);
      start_over_ = true;  // re-reads from the watermark after a back-off
    }
  }
  bool sent = false;
  while (!pending_.empty()) {
    {
      std::lock_guard lock(mutex_);
      if (window_.in_flight() >= kMaxInFlight || start_over_) break;
    }
    SpoolRecord& r = pending_.front();
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_.get(), RD_KAFKA_V_TOPIC(r.topic.c_str()), RD_KAFKA_V_KEY(r.key.data(), r.key.size()),
        RD_KAFKA_V_VALUE(r.value.data(), r.value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_TIMESTAMP(r.timestamp_us / 1000),
        RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<std::intptr_t>(r.offset))),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) break;  // retried after the next poll
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Not accepted locally (e.g. a size limit lowered by an override): count it, back off and
      // try again. Dropping it would be a loss, so a permanent cause stalls the spool (visible
      // as a growing spool_depth) rather than skipping the record.
      delivery_errors_.fetch_add(1, std::memory_order_relaxed);
      note_error("produce to " + r.topic + " refused: " + rd_kafka_err2str(err));
      std::lock_guard lock(mutex_);
      start_over_ = true;
      break;
    }
    {
      std::lock_guard lock(mutex_);
      window_.sent(r.offset);
    }
    if (r.offset < replay_mark_) replayed_.fetch_add(1, std::memory_order_relaxed);
    replay_mark_ = std::max(replay_mark_, r.offset + 1);
    pending_.pop_front();
    sent = true;
  }
  return sent;
}

void KafkaProducer::start_over() {
  drop_handle(kDrainLimit);
  backoff_ = backoff_ == 0ms ? kFirstBackoff : std::min(backoff_ * 2, kMaxBackoff);
  std::int64_t low;
  {
    std::unique_lock lock(mutex_);
    pump_cv_.wait_for(lock, backoff_, [&] { return stopping_; });
    if (stopping_) return;
    start_over_ = false;
    low = window_.low();
    window_.reset(low);
  }
  pending_.clear();
  cursor_ = low;
  if (Status s = spool_->seek(low); !s.ok()) {
    note_error(s.detail);
    std::lock_guard lock(mutex_);
    start_over_ = true;
    return;
  }
  try {
    rk_ = make_handle(RD_KAFKA_PRODUCER, conf_.get());
  } catch (const std::exception& e) {  // the same configuration worked at start: resources
    note_error(e.what());
  }
}

void KafkaProducer::drop_handle(std::chrono::milliseconds drain) {
  if (!rk_) return;
  draining_ = true;
  rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  auto deadline = std::chrono::steady_clock::now() + drain;
  do {
    rd_kafka_poll(rk_.get(), 10);  // serves the purge reports and any late acknowledgements
  } while (rd_kafka_outq_len(rk_.get()) > 0 && std::chrono::steady_clock::now() < deadline);
  rk_.reset();
  draining_ = false;
}

void KafkaProducer::store_watermark(bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_store_ < kStoreEvery) return;
  std::int64_t low;
  {
    std::lock_guard lock(mutex_);
    low = window_.low();
  }
  if (low <= spool_->acked()) return;
  last_store_ = now;
  if (Status s = spool_->store_acked(low); !s.ok()) note_error(s.detail);
}

}  // namespace eo::bus::kafka
