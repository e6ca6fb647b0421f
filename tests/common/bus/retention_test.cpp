// Retention of the embedded log by age: only a prefix of sealed segments whose records are all
// older than the cutoff goes; the last segment never does; readers and the writer carry on.
#include "common/bus/local_log/log_reader.h"
#include "common/bus/local_log/log_writer.h"
#include "common/bus/local_log/retention.h"
#include "common/bus/local_log/segment.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>

#include <fstream>

namespace eo::bus::local_log {
namespace {

constexpr std::int64_t kOld = 1'000'000;  // timestamps in µs: "old" records
constexpr std::int64_t kNew = 9'000'000;
constexpr std::int64_t kCutoff = 5'000'000;

class Retention : public ::testing::Test {
 protected:
  std::unique_ptr<LogWriter> open_writer() {
    LocalLogOptions options;
    options.segment_bytes = 200;  // a few records per segment
    std::unique_ptr<LogWriter> writer;
    Status s = LogWriter::open(dir(), options, writer);
    EXPECT_TRUE(s.ok()) << s.detail;
    return writer;
  }

  void append(LogWriter& writer, int n, std::int64_t timestamp_us) {
    for (int i = 0; i < n; ++i) {
      Status s =
          writer.append("key", "value-" + std::to_string(i) + std::string(40, 'x'), timestamp_us);
      ASSERT_TRUE(s.ok()) << s.detail;
    }
  }

  std::vector<Record> read_from(std::int64_t offset) {
    LogReader reader(dir());
    std::vector<Record> out;
    EXPECT_TRUE(reader.seek(offset).ok());
    EXPECT_TRUE(reader.read(1'000'000, out).ok());
    return out;
  }

  std::string dir() const { return tmp_.path() + "/honeypot.events.v1"; }
  eo::test::TempDir tmp_;
};

TEST_F(Retention, DeletesOldSealedSegmentsOnlyAndKeepsOffsetsContiguous) {
  auto writer = open_writer();
  append(*writer, 12, kOld);
  append(*writer, 6, kNew);
  const auto before = list_segments(dir());
  ASSERT_GE(before.size(), 4u);

  const RetentionResult result = delete_segments_older_than(dir(), kCutoff);
  ASSERT_TRUE(result.status.ok()) << result.status.detail;
  EXPECT_GT(result.deleted_segments, 0u);
  EXPECT_GT(result.deleted_bytes, 0u);
  const auto after = list_segments(dir());
  EXPECT_EQ(after.size() + result.deleted_segments, before.size());
  EXPECT_EQ(result.first_offset, after.front());

  // Every record left is the rest of the log, in order; everything new is still there.
  const auto records = read_from(0);  // below the oldest segment: starts at it
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.front().offset, after.front());
  EXPECT_EQ(records.back().offset, 17);
  int fresh = 0;
  for (const auto& r : records) fresh += r.timestamp_us == kNew ? 1 : 0;
  EXPECT_EQ(fresh, 6);
  for (std::size_t i = 1; i < records.size(); ++i) {
    EXPECT_EQ(records[i].offset, records[i - 1].offset + 1);
  }

  // The writer carries on where it was.
  append(*writer, 1, kNew);
  EXPECT_EQ(read_from(0).back().offset, 18);
}

TEST_F(Retention, NeverDeletesTheLastSegmentEvenWhenAllIsOld) {
  auto writer = open_writer();
  append(*writer, 12, kOld);
  const auto before = list_segments(dir());
  const RetentionResult result = delete_segments_older_than(dir(), kCutoff);
  ASSERT_TRUE(result.status.ok()) << result.status.detail;
  const auto after = list_segments(dir());
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after.front(), before.back());
  EXPECT_EQ(result.deleted_segments, before.size() - 1);
  append(*writer, 1, kNew);
  EXPECT_EQ(read_from(0).back().offset, 12);
}

TEST_F(Retention, StopsAtTheFirstSegmentWithANewerRecord) {
  auto writer = open_writer();
  append(*writer, 3, kNew);  // the first segment is new: nothing after it may go either
  append(*writer, 12, kOld);
  const auto before = list_segments(dir());
  const RetentionResult result = delete_segments_older_than(dir(), kCutoff);
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.deleted_segments, 0u);
  EXPECT_EQ(list_segments(dir()), before);
}

TEST_F(Retention, KeepsAndReportsAnUnreadableSegment) {
  {
    auto writer = open_writer();
    append(*writer, 12, kOld);
  }
  const auto before = list_segments(dir());
  ASSERT_GE(before.size(), 3u);
  // Damage the first (sealed) segment's first record.
  const std::string path = segment_path(dir(), before.front());
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(12);
  file.put('\x7f');
  file.close();
  const RetentionResult result = delete_segments_older_than(dir(), kCutoff);
  EXPECT_EQ(result.status.code, Code::corrupt);
  EXPECT_EQ(result.deleted_segments, 0u);
  EXPECT_EQ(list_segments(dir()), before);
}

TEST_F(Retention, EmptyOrMissingTopicIsNothingToDo) {
  const RetentionResult result = delete_segments_older_than(dir(), kCutoff);
  EXPECT_TRUE(result.status.ok());
  EXPECT_EQ(result.deleted_segments, 0u);
  EXPECT_EQ(result.first_offset, 0);
}

}  // namespace
}  // namespace eo::bus::local_log
