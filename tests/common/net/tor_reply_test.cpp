// Tor control-port reply framing (TorReplyReader) on bytes as tor writes them, split anywhere,
// and the cases the fuzzer pinned down (tests/fuzz/tor_reply_fuzz.cpp).
#include "common/net/tor_reply.h"

#include <gtest/gtest.h>

#include <string>

namespace eo::net {
namespace {

using State = TorReplyReader::State;

TEST(TorReplyReader, MidLinesDataBlockAndEndLine) {
  std::string buffer =
      "250+circuit-status=\r\n4 BUILT $AA~guard PURPOSE=GENERAL\r\n.\r\n250 OK\r\n650 next";
  TorReplyReader reader;
  EXPECT_EQ(reader.read(buffer), State::done);
  EXPECT_EQ(reader.status(), 250);
  EXPECT_EQ(reader.lines(), (std::vector<std::string>{
                                "circuit-status=", "4 BUILT $AA~guard PURPOSE=GENERAL", "OK"}));
  EXPECT_EQ(buffer, "650 next");  // the next reply's bytes stay
  EXPECT_EQ(getinfo_values(reader.lines(), "circuit-status"),
            (std::vector<std::string>{"4 BUILT $AA~guard PURPOSE=GENERAL"}));
}

TEST(TorReplyReader, BytesSplitAnywhereGiveTheSameReply) {
  const std::string whole = "250-stream-status=29 SUCCEEDED 4 127.0.0.1:50001\r\n250 OK\r\n";
  for (std::size_t cut = 0; cut < whole.size(); ++cut) {
    std::string buffer = whole.substr(0, cut);
    TorReplyReader reader;
    ASSERT_EQ(reader.read(buffer), State::more) << cut;
    buffer += whole.substr(cut);
    ASSERT_EQ(reader.read(buffer), State::done) << cut;
    EXPECT_EQ(reader.lines().front(), "stream-status=29 SUCCEEDED 4 127.0.0.1:50001");
  }
}

TEST(TorReplyReader, RefusesWhatIsNotAReplyLine) {
  for (const std::string line : {"-12 OK", "25 OK", "2500OK", "abc OK"}) {
    std::string buffer = line + "\r\n";
    TorReplyReader reader;
    EXPECT_EQ(reader.read(buffer), State::malformed) << line;
    EXPECT_EQ(reader.status(), 0);
  }
}

TEST(TorReplyReader, LongLinesAreRefusedHowEverTheyArrive) {
  const std::string line = "250 " + std::string(tor_max_line, 'x');
  std::string at_once = line + "\r\n";
  TorReplyReader whole;
  EXPECT_EQ(whole.read(at_once), State::malformed);
  std::string partial = line;
  TorReplyReader growing;
  EXPECT_EQ(growing.read(partial), State::malformed);
}

TEST(ParseCircuit, AnEmptyQuotedIdOrStatusIsNoCircuit) {
  // Found by the fuzzer: `""` is an empty token, which neither field may be.
  EXPECT_FALSE(parse_circuit("\"\" BUILT $AAAA PURPOSE=GENERAL"));
  EXPECT_FALSE(parse_circuit("7 \"\" $AAAA PURPOSE=GENERAL"));
  EXPECT_TRUE(parse_circuit("7 BUILT $AAAA PURPOSE=GENERAL"));
}

}  // namespace
}  // namespace eo::net
