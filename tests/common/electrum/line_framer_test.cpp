// Tests LineFramer: terminators, split invariance, overflow bounds and discard-mode resync.
#include "common/electrum/line_framer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace eo::electrum {
namespace {

struct Rec {
  std::string text;
  bool crlf = false;
  bool oversize = false;
  bool operator==(const Rec&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Rec& r) {
  return os << "{\"" << r.text << "\" crlf=" << r.crlf << " oversize=" << r.oversize << "}";
}

void drain(LineFramer& framer, std::vector<Rec>& out) {
  while (auto line = framer.next_line()) {
    out.push_back(Rec{std::string(line->text), line->crlf, line->oversize});
  }
}

struct FeedResult {
  std::vector<Rec> lines;
  bool overflowed = false;
  std::uint64_t oversize = 0;
  std::uint64_t dropped = 0;
  std::size_t partial = 0;
  std::size_t max_buffered_over_chunk = 0;  // max of buffered_bytes() - chunk size seen
};

// Feeds `input` in pieces of the given sizes (the last repeats), draining after each feed.
FeedResult feed_in_chunks(std::string_view input, std::size_t max, OverflowPolicy policy,
                          const std::vector<std::size_t>& sizes) {
  LineFramer framer(max, policy);
  FeedResult run;
  std::size_t i = 0;
  std::size_t k = 0;
  while (i < input.size()) {
    const std::size_t n = std::min(sizes[std::min(k++, sizes.size() - 1)], input.size() - i);
    framer.feed(input.substr(i, n));
    i += n;
    if (framer.buffered_bytes() > n) {
      run.max_buffered_over_chunk =
          std::max(run.max_buffered_over_chunk, framer.buffered_bytes() - n);
    }
    drain(framer, run.lines);
  }
  run.overflowed = framer.overflowed();
  run.oversize = framer.oversize_lines();
  run.dropped = framer.dropped_bytes();
  run.partial = framer.partial_bytes();
  return run;
}

FeedResult feed_random(std::string_view input, std::size_t max, OverflowPolicy policy,
                       unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> size(1, 64);
  std::vector<std::size_t> sizes;
  for (std::size_t total = 0; total < input.size(); total += sizes.back()) {
    sizes.push_back(size(rng));
  }
  if (sizes.empty()) sizes.push_back(1);
  return feed_in_chunks(input, max, policy, sizes);
}

void expect_same(const FeedResult& a, const FeedResult& b) {
  EXPECT_EQ(a.lines, b.lines);
  EXPECT_EQ(a.overflowed, b.overflowed);
  EXPECT_EQ(a.oversize, b.oversize);
  EXPECT_EQ(a.dropped, b.dropped);
  EXPECT_EQ(a.partial, b.partial);
}

TEST(LineFramer, SplitsLfAndCrlfAndKeepsThePartialLine) {
  LineFramer framer(100);
  framer.feed("{\"a\":1}\n{\"b\":2}\r\n\n\r\n\r\r\n{\"c\"");
  std::vector<Rec> lines;
  drain(framer, lines);
  const std::vector<Rec> want{{"{\"a\":1}", false, false},
                              {"{\"b\":2}", true, false},
                              {"", false, false},
                              {"", true, false},
                              {"\r", true, false}};
  EXPECT_EQ(lines, want);
  EXPECT_EQ(framer.partial_bytes(), 4u);
  framer.feed(":3}\n");
  lines.clear();
  drain(framer, lines);
  EXPECT_EQ(lines, (std::vector<Rec>{{"{\"c\":3}", false, false}}));
  EXPECT_FALSE(framer.overflowed());
}

TEST(LineFramer, TextsStayValidUntilTheNextFeed) {
  LineFramer framer(100);
  framer.feed("one\ntwo\nthree\n");
  const auto a = framer.next_line();
  const auto b = framer.next_line();
  const auto c = framer.next_line();
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->text, "one");
  EXPECT_EQ(b->text, "two");
  EXPECT_EQ(c->text, "three");
  EXPECT_FALSE(framer.next_line());
}

TEST(LineFramer, CallerHoldingLinesBackStillGetsThemInOrder) {
  LineFramer framer(100);
  std::vector<Rec> lines;
  framer.feed("a\nb\nc\n");
  drain(framer, lines);  // all three
  framer.feed("d\ne\n");
  auto d = framer.next_line();  // take one, hold "e" back
  ASSERT_TRUE(d);
  lines.push_back(Rec{std::string(d->text), d->crlf, d->oversize});
  for (int i = 0; i < 50; ++i) framer.feed("x" + std::to_string(i) + "\n");
  drain(framer, lines);
  ASSERT_EQ(lines.size(), 55u);
  EXPECT_EQ(lines[3].text, "d");
  EXPECT_EQ(lines[4].text, "e");
  EXPECT_EQ(lines[54].text, "x49");
}

// Streams mixing every terminator, empty lines, lines at the limit and beyond it.
std::string mixed_stream(std::size_t max) {
  std::string s;
  s += "{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":0}\n";
  s += "{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":null}\r\n";
  s += "\n\r\n\r\r\n";
  s += std::string(max, 'a') + "\n";          // exactly at the limit
  s += std::string(max, 'b') + "\r\n";        // at the limit, CRLF
  s += std::string(max - 1, 'c') + "\r\r\n";  // "\r" counts as text: at the limit
  s += std::string(max, 'd') + "\r\r\n";      // one over
  s += std::string(max + 1, 'e') + "\n";      // one over
  s += "after\n";
  s += std::string(5 * max, 'f') + "\r\n";  // far over
  s += "tail\r\n";
  s += "partial";
  return s;
}

TEST(LineFramer, AnySplitGivesTheSameLinesUnderBothPolicies) {
  const std::size_t max = 40;
  const std::string input = mixed_stream(max);
  for (const OverflowPolicy policy :
       {OverflowPolicy::stop, OverflowPolicy::discard_until_newline}) {
    const FeedResult whole = feed_in_chunks(input, max, policy, {input.size()});
    const FeedResult bytewise = feed_in_chunks(input, max, policy, {1});
    expect_same(whole, bytewise);
    for (unsigned seed = 0; seed < 200; ++seed) {
      SCOPED_TRACE(seed);
      expect_same(whole, feed_random(input, max, policy, seed));
    }
    // Every way of cutting the stream in two.
    for (std::size_t cut = 0; cut <= input.size(); ++cut) {
      SCOPED_TRACE(cut);
      expect_same(whole, feed_in_chunks(input, max, policy, {cut == 0 ? 1 : cut, input.size()}));
    }
  }
}

TEST(LineFramer, DiscardPolicyMarksEachOversizeLineAndResyncs) {
  const std::size_t max = 40;
  const FeedResult run =
      feed_in_chunks(mixed_stream(max), max, OverflowPolicy::discard_until_newline, {1});
  std::vector<Rec> want{{"{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":0}", false, false},
                        {"{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":null}", true, false},
                        {"", false, false},
                        {"", true, false},
                        {"\r", true, false},
                        {std::string(max, 'a'), false, false},
                        {std::string(max, 'b'), true, false},
                        {std::string(max - 1, 'c') + "\r", true, false},
                        {"", false, true},
                        {"", false, true},
                        {"after", false, false},
                        {"", false, true},
                        {"tail", true, false}};
  EXPECT_EQ(run.lines, want);
  EXPECT_EQ(run.oversize, 3u);
  EXPECT_EQ(run.dropped, (max + 3) + (max + 2) + (5 * max + 2));
  EXPECT_EQ(run.partial, 7u);
  EXPECT_FALSE(run.overflowed);
}

TEST(LineFramer, StopPolicyReturnsEarlierLinesThenStops) {
  const std::size_t max = 40;
  const std::string input = mixed_stream(max);
  const FeedResult run = feed_in_chunks(input, max, OverflowPolicy::stop, {input.size()});
  ASSERT_EQ(run.lines.size(), 8u);
  EXPECT_EQ(run.lines.back().text, std::string(max - 1, 'c') + "\r");
  EXPECT_TRUE(run.overflowed);
  EXPECT_EQ(run.oversize, 1u);
  EXPECT_EQ(run.partial, 0u);
  const std::size_t before = input.find(std::string(max, 'd'));
  EXPECT_EQ(run.dropped, input.size() - before);
}

TEST(LineFramer, EndlessLineStaysBoundedUnderStop) {
  const std::size_t max = 1000;
  const std::size_t chunk = 4096;
  LineFramer framer(max, OverflowPolicy::stop);
  framer.feed("{\"id\":1,\"result\":2}\n");
  std::vector<Rec> lines;
  const std::string junk(chunk, 'x');
  for (int i = 0; i < 2000; ++i) {  // 8 MB of one line
    framer.feed(junk);
    EXPECT_LE(framer.buffered_bytes(), max + 1 + chunk);
    drain(framer, lines);
  }
  framer.feed("\n{\"id\":2,\"result\":3}\n");
  drain(framer, lines);
  EXPECT_TRUE(framer.overflowed());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "{\"id\":1,\"result\":2}");
  EXPECT_EQ(framer.partial_bytes(), 0u);
  EXPECT_EQ(framer.oversize_lines(), 1u);
}

TEST(LineFramer, SpaceOfReturnedLinesIsReclaimedAfterOverflow) {
  LineFramer framer(16, OverflowPolicy::stop);
  std::string burst;
  for (int i = 0; i < 100; ++i) burst += "{\"id\":" + std::to_string(i) + "}\n";
  framer.feed(burst + std::string(17, 'x'));
  std::vector<Rec> lines;
  drain(framer, lines);
  EXPECT_EQ(lines.size(), 100u);
  EXPECT_TRUE(framer.overflowed());
  framer.feed("z");
  EXPECT_EQ(framer.buffered_bytes(), 0u);
}

TEST(LineFramer, EndlessLineStaysBoundedUnderDiscardAndResyncs) {
  const std::size_t max = 1000;
  LineFramer framer(max, OverflowPolicy::discard_until_newline);
  std::vector<Rec> lines;
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::size_t> size(1, 3000);
  for (int i = 0; i < 3000; ++i) {
    const std::string junk(size(rng), 'y');
    framer.feed(junk);
    EXPECT_LE(framer.buffered_bytes(), max + 1 + junk.size());
    drain(framer, lines);
  }
  EXPECT_TRUE(framer.discarding());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].oversize);
  framer.feed("still junk\n{\"id\":9,\"result\":true}\n");
  drain(framer, lines);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], (Rec{"{\"id\":9,\"result\":true}", false, false}));
  EXPECT_FALSE(framer.discarding());
  EXPECT_EQ(framer.buffered_bytes(), lines[1].text.size());  // the '\n' is not kept
}

TEST(LineFramer, NormalTrafficStaysBounded) {
  const std::size_t max = 256;
  LineFramer framer(max);
  std::string input;
  for (int i = 0; i < 5000; ++i) {
    input += "{\"jsonrpc\":\"2.0\",\"result\":" + std::to_string(i * 7919 % 100000) +
             ",\"id\":" + std::to_string(i) + "}\n";
  }
  std::vector<Rec> lines;
  std::mt19937 rng(3);
  std::uniform_int_distribution<std::size_t> size(1, 700);
  for (std::size_t i = 0; i < input.size();) {
    const std::size_t n = std::min(size(rng), input.size() - i);
    framer.feed(std::string_view(input).substr(i, n));
    EXPECT_LE(framer.buffered_bytes(), max + 1 + n);
    drain(framer, lines);
    i += n;
  }
  EXPECT_EQ(lines.size(), 5000u);
  EXPECT_FALSE(framer.overflowed());
}

TEST(LineFramer, ZeroLimitAcceptsOnlyEmptyLines) {
  LineFramer framer(0, OverflowPolicy::discard_until_newline);
  framer.feed("\n\r\nx\n\r\r\n\n");
  std::vector<Rec> lines;
  drain(framer, lines);
  const std::vector<Rec> want{{"", false, false},
                              {"", true, false},
                              {"", false, true},
                              {"", false, true},
                              {"", false, false}};
  EXPECT_EQ(lines, want);
}

}  // namespace
}  // namespace eo::electrum
