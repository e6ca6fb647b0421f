// The classifier maps each error to exactly one outcome and names the stage.
#include "common/net/failure.h"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <gtest/gtest.h>

namespace eo::net {
namespace {

namespace error = boost::asio::error;

TEST(Classify, NoErrorIsOk) { EXPECT_TRUE(classify({}, Stage::read, false).ok()); }

TEST(Classify, OurDeadlineIsATimeoutWhateverTheErrorSays) {
  auto f = classify(error::operation_aborted, Stage::read, true);
  EXPECT_EQ(f.outcome, Outcome::timeout);
  EXPECT_EQ(f.detail, "read:generic_timeout_error");
}

TEST(Classify, SocketErrors) {
  EXPECT_EQ(classify(error::connection_refused, Stage::connect, false).outcome, Outcome::refused);
  EXPECT_EQ(classify(error::connection_reset, Stage::read, false).outcome, Outcome::reset);
  EXPECT_EQ(classify(error::broken_pipe, Stage::write, false).outcome, Outcome::reset);
  EXPECT_EQ(classify(error::network_unreachable, Stage::connect, false).outcome,
            Outcome::unreachable);
  EXPECT_EQ(classify(error::host_not_found, Stage::dns, false).outcome, Outcome::dns_error);
}

TEST(Classify, EndOfStreamDependsOnStage) {
  EXPECT_EQ(classify(error::eof, Stage::read, false).outcome, Outcome::closed_by_peer);
  EXPECT_EQ(classify(error::eof, Stage::tls_handshake, false).outcome, Outcome::tls_error);
  EXPECT_EQ(classify(boost::asio::ssl::error::stream_truncated, Stage::read, false).outcome,
            Outcome::closed_by_peer);
}

TEST(Classify, OutcomeNamesAreStable) {
  EXPECT_EQ(to_string(Outcome::closed_by_peer), "closed_by_peer");
  EXPECT_EQ(to_string(Outcome::proxy_error), "proxy_error");
  EXPECT_EQ(to_string(Stage::tls_handshake), "tls_handshake");
}

}  // namespace
}  // namespace eo::net
