// Target lists: host:port:t|s lines, target files and Electrum's servers.json.
#include "coordinator/targets/target_list.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace eo::coordinator {
namespace {

TEST(TargetList, ParsesTcpTlsAndIpv6) {
  auto tls = parse_target("electrum.example.org:50002:s", "inline", "here");
  EXPECT_EQ(tls.id, "tls://electrum.example.org:50002");
  EXPECT_EQ(tls.transport, "tls");
  EXPECT_EQ(tls.port, 50002);
  EXPECT_FALSE(tls.onion);
  EXPECT_EQ(tls.provenance, std::vector<std::string>{"inline"});
  auto v6 = parse_target("[2001:db8::1]:50001:t", "inline", "here");
  EXPECT_EQ(v6.host, "2001:db8::1");
  EXPECT_EQ(v6.id, "tcp://[2001:db8::1]:50001");
  EXPECT_TRUE(parse_target("abc.ONION:50001:t", "x", "here").onion);
}

TEST(TargetList, BadTargetsNameWhere) {
  for (const char* bad :
       {"host:50002", "host:50002:x", "host:0:s", "host:99999:t", ":5:t", "ho|st:1:t"}) {
    try {
      parse_target(bad, "inline", "f.yaml: targets.list[0]");
      FAIL() << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("f.yaml: targets.list[0]"), std::string::npos);
    }
  }
}

TEST(TargetList, FileSkipsCommentsAndNamesTheLine) {
  auto path = std::filesystem::temp_directory_path() / "eo_target_list_test.txt";
  {
    std::ofstream out(path);
    out << "# seed\n\n  a.example:50002:s  # comment\nb.example:50001:t\n";
  }
  auto targets = read_target_file(path.string());
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0].provenance.front(), "file:" + path.string());
  {
    std::ofstream out(path);
    out << "a.example:50002:s\nnot a target\n";
  }
  try {
    read_target_file(path.string());
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(path.string() + ":2"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

TEST(TargetList, BuiltinListHas82HostsAnd14Onions) {
  const std::string path = std::string(EO_SOURCE_DIR) + "/data/electrum-servers.json";
  auto preferred = read_servers_json(path, SeedPorts::preferred);
  EXPECT_EQ(preferred.size(), 82u);
  EXPECT_EQ(std::count_if(preferred.begin(), preferred.end(), [](auto& t) { return t.onion; }), 14);
  EXPECT_EQ(preferred.front().provenance.front(), "seed:electrum-servers.json");
  // Every advertised port: 53 hosts with both, 24 TLS only, 5 TCP only.
  EXPECT_EQ(read_servers_json(path, SeedPorts::all).size(), 135u);
  EXPECT_THROW(read_servers_json("/nonexistent/servers.json", SeedPorts::all),
               std::invalid_argument);
}

}  // namespace
}  // namespace eo::coordinator
