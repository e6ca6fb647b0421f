// Unit tests of the log's CRC-32C and record framing: round trips, every torn prefix, every
// flipped byte, zero runs, and arbitrary bytes (which must never crash the decoder).
#include "common/bus/local_log/record.h"
#include "common/bus/local_log/crc32c.h"

#include <gtest/gtest.h>

#include <random>

namespace eo::bus::local_log {
namespace {

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(crc32c(""), 0u);
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);  // RFC 3720 B.4
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  EXPECT_EQ(crc32c("56789", crc32c("1234")), 0xE3069283u);  // continues
}

TEST(Record, RoundTrip) {
  std::string frame;
  encode_record("target-7", std::string("v\0lue", 5), -5, frame);
  encode_record("", "", 1'700'000'000'000'000, frame);
  Record a, b;
  Decoded d = decode_record(frame, a);
  ASSERT_EQ(d.status, DecodeStatus::record);
  EXPECT_EQ(a.key, "target-7");
  EXPECT_EQ(a.value, std::string("v\0lue", 5));
  EXPECT_EQ(a.timestamp_us, -5);
  Decoded e = decode_record(std::string_view(frame).substr(d.frame_bytes), b);
  ASSERT_EQ(e.status, DecodeStatus::record);
  EXPECT_EQ(b.key, "");
  EXPECT_EQ(b.timestamp_us, 1'700'000'000'000'000);
  EXPECT_EQ(d.frame_bytes + e.frame_bytes, frame.size());
}

TEST(Record, EveryPrefixNeedsMore) {
  std::string frame;
  encode_record("key", "value", 42, frame);
  Record r;
  for (std::size_t n = 0; n < frame.size(); ++n) {
    EXPECT_EQ(decode_record(std::string_view(frame).substr(0, n), r).status,
              DecodeStatus::need_more)
        << n;
  }
}

TEST(Record, EveryFlippedByteIsCaught) {
  std::string frame;
  encode_record("key", "some value", 42, frame);
  for (std::size_t i = 0; i < frame.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = frame;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      Record r;
      // A flipped length bit may also claim a longer frame: then more is needed first.
      EXPECT_NE(decode_record(bad, r).status, DecodeStatus::record) << i << ":" << bit;
    }
  }
}

// Found by bus_record_fuzz (corpus/bus_record/regress-flags-set): a record with a flag set, and a
// checksum that matches, decoded as if the flag were not there.
TEST(Record, UnknownFlagsAreCorrupt) {
  std::string frame;
  encode_record("k", "v", 1, frame);
  frame[kFrameHeaderBytes + 1] = 1;
  const std::uint32_t crc = crc32c(std::string_view(frame).substr(kFrameHeaderBytes));
  for (int i = 0; i < 4; ++i) frame[4 + i] = static_cast<char>(crc >> (8 * i));
  Record r;
  const Decoded decoded = decode_record(frame, r);
  EXPECT_EQ(decoded.status, DecodeStatus::corrupt);
  EXPECT_STREQ(decoded.reason, "unknown record flags");
}

TEST(Record, ZerosAreNotARecord) {
  Record r;
  EXPECT_EQ(decode_record(std::string(64, '\0'), r).status, DecodeStatus::corrupt);
}

TEST(Record, ArbitraryBytesNeverCrash) {
  std::mt19937 rng(7);
  Record r;
  for (int round = 0; round < 20'000; ++round) {
    std::string bytes(rng() % 64, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    if (round % 2 && bytes.size() >= 4) {  // plausible lengths reach the checksum and payload
      std::uint32_t length = 14 + rng() % 40;
      for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>(length >> (8 * i));
    }
    Decoded d = decode_record(bytes, r);
    if (d.status == DecodeStatus::record) {
      EXPECT_LE(d.frame_bytes, bytes.size());
    }
  }
}

}  // namespace
}  // namespace eo::bus::local_log
