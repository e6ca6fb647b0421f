// Electrum's server notation and servers.json, including the errors a user sees.
#include "cli/server_list.h"

#include "tests/support/process.h"

#include <gtest/gtest.h>

#include <fstream>

namespace eo::cli {
namespace {

TEST(ServerAddress, ParsesElectrumNotation) {
  auto tls = parse_server_address("electrum.example.org:50002:s");
  EXPECT_EQ(tls.host, "electrum.example.org");
  EXPECT_EQ(tls.port, 50002);
  EXPECT_TRUE(tls.tls);
  EXPECT_EQ(tls.id(), "tls://electrum.example.org:50002");
  auto v6 = parse_server_address("[2001:db8::1]:50001:t");
  EXPECT_EQ(v6.host, "2001:db8::1");
  EXPECT_EQ(v6.id(), "tcp://[2001:db8::1]:50001");
  EXPECT_TRUE(parse_server_address("abc.onion:50001:t").onion());
}

TEST(ServerAddress, ErrorsNameTheBadText) {
  for (const char* bad :
       {"host", "host:50001", "host:50001:x", ":1:t", "host:0:t", "host:99999:s", "host:12ab:t"}) {
    try {
      parse_server_address(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(ServersJson, OneEntryPerAdvertisedPortTlsFirst) {
  test::TempDir dir;
  std::ofstream(dir.file("servers.json"))
      << R"({"a.example": {"pruning": "-", "s": "50002", "t": "50001", "version": "1.4"},
             "b.onion": {"t": "50001"}, "c.example": {"s": 443}})";
  auto servers = read_servers_json(dir.file("servers.json"));
  ASSERT_EQ(servers.size(), 4u);
  EXPECT_EQ(servers[0].id(), "tls://a.example:50002");
  EXPECT_EQ(servers[1].id(), "tcp://a.example:50001");
  EXPECT_TRUE(servers[2].onion());
  EXPECT_EQ(servers[3].port, 443);
}

TEST(ServersJson, BadFileIsNamed) {
  test::TempDir dir;
  std::ofstream(dir.file("bad.json")) << "[1,2";
  EXPECT_THROW(read_servers_json(dir.file("bad.json")), std::runtime_error);
  EXPECT_THROW(read_servers_json(dir.file("missing.json")), std::runtime_error);
}

}  // namespace
}  // namespace eo::cli
