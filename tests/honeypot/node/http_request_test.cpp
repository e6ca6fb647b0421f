#include "honeypot/node/http_request.h"

#include <gtest/gtest.h>

namespace eo::honeypot::node {
namespace {

using Status = HttpParse::Status;

const std::string post =
    "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nauthorization: Basic eDp5\r\n"
    "Content-Length: 4\r\n\r\n{\"a\"";

TEST(HttpRequest, ParsesAPostWithItsBody) {
  const HttpParse parsed = parse_http_request(post + "}extra");
  ASSERT_EQ(parsed.status, Status::complete);
  EXPECT_EQ(parsed.request.method, "POST");
  EXPECT_EQ(parsed.request.target, "/");
  EXPECT_EQ(parsed.request.body, "{\"a\"");
  EXPECT_EQ(parsed.consumed, post.size());
  ASSERT_NE(parsed.request.header("Authorization"), nullptr);
  EXPECT_EQ(*parsed.request.header("AUTHORIZATION"), "Basic eDp5");
  EXPECT_TRUE(parsed.request.keep_alive);
}

TEST(HttpRequest, IncompleteUntilHeadAndBodyArrive) {
  for (std::size_t cut = 0; cut < post.size(); ++cut) {
    EXPECT_EQ(parse_http_request(post.substr(0, cut)).status, Status::incomplete) << cut;
  }
}

TEST(HttpRequest, PipelinedRequestsParseOneAfterTheOther) {
  const std::string two = post + post;
  const HttpParse first = parse_http_request(two);
  ASSERT_EQ(first.status, Status::complete);
  const HttpParse second = parse_http_request(std::string_view(two).substr(first.consumed));
  ASSERT_EQ(second.status, Status::complete);
  EXPECT_EQ(second.request.body, "{\"a\"");
}

TEST(HttpRequest, KeepAliveFollowsVersionAndConnectionHeader) {
  auto parse = [](const std::string& version, const std::string& connection) {
    std::string text = "POST / " + version + "\r\nContent-Length: 0\r\n";
    if (!connection.empty()) text += "Connection: " + connection + "\r\n";
    return parse_http_request(text + "\r\n").request.keep_alive;
  };
  EXPECT_TRUE(parse("HTTP/1.1", ""));
  EXPECT_FALSE(parse("HTTP/1.1", "close"));
  EXPECT_FALSE(parse("HTTP/1.0", ""));
  EXPECT_TRUE(parse("HTTP/1.0", "keep-alive"));
}

TEST(HttpRequest, RefusesWithTheRightStatus) {
  HttpLimits small;
  small.max_head_bytes = 64;
  small.max_body_bytes = 10;
  small.max_headers = 2;
  struct Case {
    std::string text;
    int status;
  };
  const std::vector<Case> cases = {
      {"POST / HTTP/1.1\r\n" + std::string(100, 'x'), 431},                 // no end of head
      {"POST / HTTP/1.1\r\nA: " + std::string(80, 'y') + "\r\n\r\n", 431},  // head too long
      {"POST / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431},             // too many headers
      {"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", 413},
      {"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413},
      {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\n\r\n", 411},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
      {"POST / HTTP/2.0\r\n\r\n", 505},
      {"POST /  HTTP/1.1\r\n\r\n", 400},
      {"PO ST / HTTP/1.1\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nno colon\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nA: \x01\r\n\r\n", 400},
  };
  for (const Case& c : cases) {
    const HttpParse parsed = parse_http_request(c.text, small);
    EXPECT_EQ(parsed.status, Status::error) << c.text;
    EXPECT_EQ(parsed.error_status, c.status) << c.text;
    EXPECT_FALSE(parsed.error.empty());
  }
}

TEST(HttpRequest, BareLineFeedsAndLeadingEmptyLinesAreAccepted) {
  const HttpParse parsed = parse_http_request("\r\nPOST / HTTP/1.1\nContent-Length: 2\n\n{}");
  ASSERT_EQ(parsed.status, Status::complete);
  EXPECT_EQ(parsed.request.body, "{}");
}

}  // namespace
}  // namespace eo::honeypot::node
