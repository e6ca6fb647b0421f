// Embedded-log-only cases: torn tails, checksum mismatches, segment rolls, the writer lock, and
// a reader following a writer that is still appending.
#include "common/bus/factory.h"
#include "common/bus/local_log/log_reader.h"
#include "common/bus/local_log/log_writer.h"
#include "common/bus/local_log/record.h"
#include "common/bus/local_log/segment.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace eo::bus::local_log {
namespace {

using namespace std::chrono_literals;

class LocalLog : public ::testing::Test {
 protected:
  std::unique_ptr<LogWriter> open_writer(LocalLogOptions options = {}) {
    std::unique_ptr<LogWriter> writer;
    Status s = LogWriter::open(dir(), options, writer);
    EXPECT_TRUE(s.ok()) << s.detail;
    return writer;
  }

  void append_n(LogWriter& writer, int from, int to) {
    for (int i = from; i < to; ++i) {
      Status s = writer.append("key-" + std::to_string(i % 3), "value-" + std::to_string(i), i);
      ASSERT_TRUE(s.ok()) << s.detail;
    }
  }

  std::vector<Record> read_all(std::int64_t from, Status* status = nullptr) {
    LogReader reader(dir());
    std::vector<Record> out;
    Status s = reader.seek(from);
    if (s.ok()) s = reader.read(1'000'000, out);
    if (status) *status = s;
    return out;
  }

  std::string dir() const { return tmp_.path() + "/topic"; }
  std::string first_segment() const { return segment_path(dir(), 0); }

  static void append_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::app) << bytes;
  }

  static void flip_byte(const std::string& path, std::uint64_t at) {
    int fd = ::open(path.c_str(), O_RDWR);
    char c;
    ASSERT_EQ(::pread(fd, &c, 1, static_cast<off_t>(at)), 1);
    c ^= 0x40;
    ASSERT_EQ(::pwrite(fd, &c, 1, static_cast<off_t>(at)), 1);
    ::close(fd);
  }

  eo::test::TempDir tmp_;
};

std::string frame_of(int i) {
  std::string frame;
  encode_record("key-" + std::to_string(i % 3), "value-" + std::to_string(i), i, frame);
  return frame;
}

TEST_F(LocalLog, TornTailIsCutOnReopenAndEarlierRecordsSurvive) {
  append_n(*open_writer(), 0, 10);
  auto size_before = std::filesystem::file_size(first_segment());
  std::string half = frame_of(10).substr(0, 20);  // a crash in the middle of a write
  append_bytes(first_segment(), half);

  auto writer = open_writer();
  EXPECT_EQ(writer->next_offset(), 10);
  EXPECT_EQ(writer->recovery().truncated_bytes, half.size());
  EXPECT_EQ(writer->recovery().reason, "partial record");
  EXPECT_EQ(std::filesystem::file_size(first_segment()), size_before);
  EXPECT_TRUE(std::filesystem::exists(writer->recovery().saved_to));
  append_n(*writer, 10, 12);

  auto records = read_all(0);
  ASSERT_EQ(records.size(), 12u);
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(records[i].offset, i);
    EXPECT_EQ(records[i].value, "value-" + std::to_string(i));
    EXPECT_EQ(records[i].timestamp_us, i);
  }
}

TEST_F(LocalLog, ZeroFilledTailIsNotReadAsRecords) {
  append_n(*open_writer(), 0, 5);
  append_bytes(first_segment(), std::string(4096, '\0'));  // what a machine crash can leave
  Status status;
  EXPECT_EQ(read_all(0, &status).size(), 5u);
  EXPECT_TRUE(status.ok()) << status.detail;  // a tail: waited on, not an error
  auto writer = open_writer();
  EXPECT_EQ(writer->next_offset(), 5);
  EXPECT_EQ(writer->recovery().truncated_bytes, 4096u);
}

TEST_F(LocalLog, ChecksumMismatchInTheLastRecordIsCutOnReopen) {
  append_n(*open_writer(), 0, 10);
  auto size = std::filesystem::file_size(first_segment());
  flip_byte(first_segment(), size - 2);
  auto writer = open_writer();
  EXPECT_EQ(writer->next_offset(), 9);
  EXPECT_EQ(writer->recovery().reason, "checksum mismatch");
  EXPECT_EQ(read_all(0).size(), 9u);
}

TEST_F(LocalLog, ChecksumMismatchInsideTheLogIsReportedNotSkipped) {
  append_n(*open_writer(), 0, 10);
  std::uint64_t third = frame_of(0).size() + frame_of(1).size() + frame_of(2).size();
  flip_byte(first_segment(), third + kFrameHeaderBytes + 3);  // inside record 3's payload
  Status status;
  auto records = read_all(0, &status);
  EXPECT_EQ(records.size(), 3u);
  EXPECT_EQ(status.code, Code::corrupt);
  EXPECT_NE(status.detail.find("checksum mismatch"), std::string::npos) << status.detail;
  // A reader starting before the damage stops at it too.
  LogReader reader(dir());
  EXPECT_EQ(reader.seek(2).code, Code::ok);
  std::vector<Record> out;
  EXPECT_EQ(reader.read(10, out).code, Code::corrupt);
  EXPECT_EQ(out.size(), 1u);
  // The writer's recovery cuts from the damage on, and keeps the cut bytes for inspection.
  auto writer = open_writer();
  EXPECT_EQ(writer->next_offset(), 3);
  EXPECT_FALSE(writer->recovery().saved_to.empty());
  EXPECT_EQ(std::filesystem::file_size(writer->recovery().saved_to),
            writer->recovery().truncated_bytes);
}

TEST_F(LocalLog, SegmentsRollAndReadersCrossThem) {
  LocalLogOptions options;
  options.segment_bytes = 4096;
  auto writer = open_writer(options);
  append_n(*writer, 0, 1000);
  auto segments = list_segments(dir());
  EXPECT_GT(segments.size(), 5u);
  for (std::int64_t base : segments) {
    EXPECT_LE(std::filesystem::file_size(segment_path(dir(), base)), 4096u);
  }
  auto records = read_all(0);
  ASSERT_EQ(records.size(), 1000u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(records[i].offset, i);
  auto tail = read_all(segments[3] + 1);
  ASSERT_FALSE(tail.empty());
  EXPECT_EQ(tail.front().offset, segments[3] + 1);
  EXPECT_EQ(tail.size(), static_cast<std::size_t>(1000 - segments[3] - 1));

  writer.reset();
  writer = open_writer(options);  // reopening continues the numbering
  EXPECT_EQ(writer->next_offset(), 1000);
  ASSERT_TRUE(writer->remove_segments_below(segments[4]).ok());
  EXPECT_EQ(writer->start_offset(), segments[4]);
  EXPECT_EQ(read_all(0).front().offset, segments[4]);  // clamped to what is kept
}

TEST_F(LocalLog, BatchesWriteWholeFramesAcrossSegmentRolls) {
  LocalLogOptions options;
  options.segment_bytes = 4096;
  options.sync_every_records = 100;
  auto writer = open_writer(options);
  append_n(*writer, 0, 10);
  std::vector<std::string> keys, values;
  for (int i = 10; i < 1000; ++i) {
    keys.push_back("key-" + std::to_string(i % 3));
    values.push_back("value-" + std::to_string(i));
  }
  std::vector<OutgoingRecord> batch;
  for (std::size_t i = 0; i < keys.size(); ++i) batch.push_back({"ignored", keys[i], values[i]});
  std::size_t appended = 0;
  // Across many segments: each chunk fits its segment, the next goes after a roll.
  Status s = writer->append_batch(std::span(batch).first(500), 77, appended);
  ASSERT_TRUE(s.ok()) << s.detail;
  EXPECT_EQ(appended, 500u);
  ASSERT_TRUE(writer->append_batch(std::span(batch).subspan(500), 78, appended).ok());
  EXPECT_EQ(appended, 490u);
  EXPECT_EQ(writer->next_offset(), 1000);
  for (std::int64_t base : list_segments(dir())) {
    EXPECT_LE(std::filesystem::file_size(segment_path(dir(), base)), 4096u);
  }
  EXPECT_GT(list_segments(dir()).size(), 5u);

  // A record over the log's limit stops the batch: the prefix is in, the rest is not tried.
  const std::string huge(kMaxPayloadBytes, 'x');
  std::vector<OutgoingRecord> bad = {{"", "a", "1"}, {"", "b", huge}, {"", "c", "3"}};
  EXPECT_EQ(writer->append_batch(bad, 79, appended).code, Code::too_large);
  EXPECT_EQ(appended, 1u);

  auto records = read_all(0);
  ASSERT_EQ(records.size(), 1001u);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(records[i].offset, i);
    ASSERT_EQ(records[i].value, "value-" + std::to_string(i));
  }
  EXPECT_EQ(records[10].timestamp_us, 77);
  EXPECT_EQ(records[999].timestamp_us, 78);
  EXPECT_EQ(records[1000].key, "a");
  writer.reset();
  writer = open_writer(options);  // nothing to recover
  EXPECT_EQ(writer->next_offset(), 1001);
  EXPECT_EQ(writer->recovery().truncated_bytes, 0u);
}

TEST_F(LocalLog, OneWriterPerDirectory) {
  auto writer = open_writer();
  std::unique_ptr<LogWriter> second;
  Status s = LogWriter::open(dir(), {}, second);
  EXPECT_EQ(s.code, Code::unavailable);
  EXPECT_NE(s.detail.find("pid " + std::to_string(::getpid())), std::string::npos) << s.detail;
  writer.reset();
  EXPECT_TRUE(LogWriter::open(dir(), {}, second).ok());
}

TEST_F(LocalLog, ReaderFollowsAWriterAndWaitsOnAPartialTail) {
  auto writer = open_writer();
  append_n(*writer, 0, 3);
  LogReader reader(dir());
  ASSERT_TRUE(reader.seek(0).ok());
  std::vector<Record> out;
  ASSERT_TRUE(reader.read(100, out).ok());
  EXPECT_EQ(out.size(), 3u);

  // Half a frame appended by hand: the reader waits at it without error ...
  writer.reset();
  std::string frame = frame_of(3);
  append_bytes(first_segment(), frame.substr(0, 11));
  out.clear();
  EXPECT_TRUE(reader.read(100, out).ok());
  EXPECT_TRUE(out.empty());
  // ... and reads it once the rest arrives.
  append_bytes(first_segment(), frame.substr(11));
  EXPECT_TRUE(reader.read(100, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, "value-3");
}

TEST_F(LocalLog, ConcurrentReaderSeesEveryRecordInOrder) {
  LocalLogOptions options;
  options.segment_bytes = 64 * 1024;
  auto writer = open_writer(options);
  constexpr int kCount = 20'000;
  std::thread producer([&] { append_n(*writer, 0, kCount); });
  LogReader reader(dir());
  std::vector<Record> out;
  auto deadline = std::chrono::steady_clock::now() + 15s;
  while (out.size() < kCount && std::chrono::steady_clock::now() < deadline) {
    Status s = reader.read(1000, out);
    ASSERT_TRUE(s.ok()) << s.detail;
  }
  producer.join();
  ASSERT_EQ(out.size(), static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) ASSERT_EQ(out[i].value, "value-" + std::to_string(i));
}

TEST_F(LocalLog, SecondProducerOfATopicIsRefusedAsAValue) {
  BusConfig config;
  config.log_dir = tmp_.path();
  auto a = make_producer(config);
  auto b = make_producer(config);
  ASSERT_TRUE(a->publish("topic", "k", "v").ok());
  Status s = b->publish("topic", "k", "v");
  EXPECT_EQ(s.code, Code::unavailable);
  EXPECT_TRUE(b->publish("other-topic", "k", "v").ok());  // other topics are free
}

}  // namespace
}  // namespace eo::bus::local_log
