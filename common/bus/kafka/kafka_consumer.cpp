// Kafka consumer. Transient consumer errors (a broker away, a topic not created yet) are what
// librdkafka recovers from by itself, so poll() skips them instead of alarming the caller; the
// brokers refusing our credentials or certificate trust is not, so poll() reports it.
#include "common/bus/kafka/kafka_consumer.h"

#include "common/bus/kafka/client_errors.h"
#include "common/bus/kafka/consumer_lag.h"

#include <map>
#include <stdexcept>
#include <utility>

namespace eo::bus::kafka {
namespace {

Message to_message(const rd_kafka_message_t* m) {
  Message out;
  out.topic = rd_kafka_topic_name(m->rkt);
  if (m->key) out.key.assign(static_cast<const char*>(m->key), m->key_len);
  if (m->payload) out.value.assign(static_cast<const char*>(m->payload), m->len);
  out.partition = m->partition;
  out.offset = m->offset;
  rd_kafka_timestamp_type_t type;
  std::int64_t ms = rd_kafka_message_timestamp(m, &type);
  out.timestamp_us = ms < 0 ? 0 : ms * 1000;
  return out;
}

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

}  // namespace

KafkaConsumer::KafkaConsumer(const BusConfig& config, const std::string& group_id,
                             const std::vector<std::string>& topics) {
  ConfPtr conf = make_conf(config, Role::consumer, {{"group.id", group_id}});
  // Without an error callback librdkafka only logs broker errors; with it they are served by
  // rd_kafka_consumer_poll, on the thread calling poll().
  rd_kafka_conf_set_error_cb(conf.get(), &KafkaConsumer::on_error);
  rd_kafka_conf_set_stats_cb(conf.get(), &KafkaConsumer::on_statistics);
  rd_kafka_conf_set_opaque(conf.get(), this);
  rk_ = make_handle(RD_KAFKA_CONSUMER, conf.get());
  rd_kafka_poll_set_consumer(rk_.get());
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const auto& topic : topics) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_.get(), list.get()); err) {
    throw std::invalid_argument(std::string("topics: subscribe failed: ") + rd_kafka_err2str(err));
  }
}

void KafkaConsumer::on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
  std::string why =
      explain_client_error(static_cast<rd_kafka_resp_err_t>(err), reason ? reason : "");
  if (!why.empty()) static_cast<KafkaConsumer*>(opaque)->client_error_ = std::move(why);
}

int KafkaConsumer::on_statistics(rd_kafka_t*, char* json, size_t json_len, void* opaque) {
  static_cast<KafkaConsumer*>(opaque)->lag_ = parse_consumer_lag({json, json_len});
  return 0;  // librdkafka frees the JSON
}

KafkaConsumer::~KafkaConsumer() {
  if (rk_) rd_kafka_consumer_close(rk_.get());
}

PollResult KafkaConsumer::poll(std::size_t max_messages, std::chrono::milliseconds timeout) {
  PollResult result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (result.messages.size() < max_messages) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    // Wait for the first record only; then take what is already fetched.
    int wait = result.messages.empty() ? static_cast<int>(std::max<long long>(0, left.count())) : 0;
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_.get(), wait);
    bool record = m && m->err == RD_KAFKA_RESP_ERR_NO_ERROR;
    // Reported alone: a fetched record is never dropped or returned beside it.
    if (!record && !client_error_.empty() && result.messages.empty()) {
      if (m) rd_kafka_message_destroy(m);
      result.status = {Code::unavailable, "kafka consumer: " + std::exchange(client_error_, "")};
      break;
    }
    if (!m) {
      if (!result.messages.empty() || left.count() <= 0) break;
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      result.messages.push_back(to_message(m));
    } else if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
      char reason[512];
      rd_kafka_fatal_error(rk_.get(), reason, sizeof reason);
      result.status = {Code::fatal, std::string("kafka consumer: ") + reason};
      rd_kafka_message_destroy(m);
      break;
    }
    rd_kafka_message_destroy(m);
  }
  return result;
}

Status KafkaConsumer::commit(std::span<const Message> messages) {
  std::map<std::pair<std::string, int>, std::int64_t> next;
  for (const auto& m : messages) {
    auto& offset = next[{m.topic, m.partition}];
    offset = std::max(offset, m.offset + 1);
  }
  if (next.empty()) return Status::success();
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(next.size())));
  for (const auto& [where, offset] : next) {
    rd_kafka_topic_partition_list_add(list.get(), where.first.c_str(), where.second)->offset =
        offset;
  }
  rd_kafka_resp_err_t err = rd_kafka_commit(rk_.get(), list.get(), 0 /* synchronous */);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < list->cnt; ++i) {
      if (list->elems[i].err) err = list->elems[i].err;  // per-partition failures
    }
  }
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::success();
  return {Code::unavailable, std::string("kafka commit: ") + rd_kafka_err2str(err)};
}

ReadPosition KafkaConsumer::read_position(std::chrono::milliseconds timeout) {
  ReadPosition out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left_ms = [&] {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<long long>(0, left.count()));
  };
  auto failed = [&](const char* what, rd_kafka_resp_err_t err) {
    out.status = {Code::unavailable, std::string("kafka ") + what + ": " + rd_kafka_err2str(err)};
    return out;
  };
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_resp_err_t err = rd_kafka_assignment(rk_.get(), &raw); err) {
    return failed("assignment", err);
  }
  PartitionList held(raw);
  out.partitions_held = static_cast<std::size_t>(held->cnt);
  if (held->cnt == 0) return out;
  // The offset after the last record poll() returned; invalid where none was returned yet.
  if (rd_kafka_resp_err_t err = rd_kafka_position(rk_.get(), held.get()); err) {
    return failed("position", err);
  }
  PartitionList committed(rd_kafka_topic_partition_list_copy(held.get()));
  bool unread = false;
  for (int i = 0; i < held->cnt; ++i) unread = unread || held->elems[i].offset < 0;
  if (unread) {
    if (rd_kafka_resp_err_t err = rd_kafka_committed(rk_.get(), committed.get(), left_ms()); err) {
      return failed("committed offsets", err);
    }
  }
  for (int i = 0; i < held->cnt; ++i) {
    const auto& p = held->elems[i];
    std::int64_t low = 0, high = 0;
    if (rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk_.get(), p.topic, p.partition,
                                                                   &low, &high, left_ms());
        err) {
      return failed("watermarks", err);
    }
    // Nothing read yet: fetching starts at the group's commit, or at the earliest record.
    std::int64_t at = p.offset >= 0 ? p.offset : committed->elems[i].offset;
    if (at < 0) at = low;
    if (at < high) ++out.partitions_behind;
  }
  return out;
}

}  // namespace eo::bus::kafka
