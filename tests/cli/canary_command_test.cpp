// Canaries through the processes: `observatory canary registry` issues a campaign's canaries
// from its secret, `observatory honeypot --canary-registry` records a canary_sighting when a
// client asks for one, and `observatory aggregator` stores it with its issuance.
#include "common/canary/registry.h"
#include "tests/honeypot/server/server_fixture.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace eo {
namespace {

using honeypot::server::test::run_session;
using honeypot::server::test::to_port;
using honeypot::server::test::version_call;

const std::string kBinary = EO_OBSERVATORY_BINARY;

// The honeypot's first listener port, from its ready file (it was started on port 0).
int bound_port(test::ChildProcess& honeypot, const std::string& ready_file) {
  auto ready = test::wait_for_json_file(ready_file, std::chrono::seconds(20), &honeypot);
  if (!ready.is_object() || !ready.contains("ports") || ready["ports"].empty()) return 0;
  return ready["ports"][0].get<int>();
}

// A stopped honeypot said it flushed every recorded event to its bus.
bool stopped_flushed(test::ChildProcess& honeypot) {
  auto line = test::logged_json(honeypot, "honeypot stopped", std::chrono::seconds(5));
  return line.is_object() && line.value("flushed", false);
}

std::vector<std::vector<std::string>> registry_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::stringstream fields_in(line);
    std::string field;
    while (std::getline(fields_in, field, '\t')) fields.push_back(field);
    out.push_back(fields);
  }
  return out;
}

std::vector<std::vector<std::string>> query(const std::string& db_path, const char* sql) {
  std::vector<std::vector<std::string>> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return rows;
  }
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK) {
    while (sqlite3_step(statement) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(statement); ++c) {
        auto* value = sqlite3_column_text(statement, c);
        row.emplace_back(value ? reinterpret_cast<const char*>(value) : "");
      }
      rows.push_back(std::move(row));
    }
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return rows;
}

TEST(CanaryCommand, RegistryHoneypotAndAggregatorRecordASighting) {
  test::TempDir dir;
  std::ofstream(dir.file("secret.bin"), std::ios::binary) << "0123456789abcdef0123456789abcdef";
  std::ofstream(dir.file("c.yaml")) << "name: leaktest\n"
                                       "targets: {list: [\"leaky.example:50002:s\", "
                                       "\"honest.example:50001:t\"]}\n"
                                       "vantages: [{network: clearnet}, {network: tor}]\n"
                                       "rounds: 2\n"
                                       "canary_secret_file: secret.bin\n";
  auto issued = test::run_command("timeout -k 5 120 " + kBinary + " canary registry --campaign " +
                                  dir.file("c.yaml") + " --out " + dir.file("reg.tsv"));
  ASSERT_EQ(issued.status, 0) << issued.err;
  auto lines = registry_lines(dir.file("reg.tsv"));
  ASSERT_EQ(lines.size(), 2u * 2 * 2 * 120);  // targets x classes x rounds x canaries
  std::string canary;
  for (const auto& f : lines) {
    if (f.at(2) == "tls://leaky.example:50002" && f.at(3) == "network=tor" && f.at(4) == "1" &&
        f.at(5) == "p2tr/0/4") {
      canary = f.at(0);
    }
  }
  ASSERT_EQ(canary.size(), 64u);

  {
    test::ChildProcess honeypot(
        {kBinary, "honeypot", "--tcp", "127.0.0.1:0", "--ready-file", dir.file("ready.json"),
         "--canary-registry", dir.file("reg.tsv"), "--data-dir", dir.file("data")},
        dir.file("honeypot.log"));
    const int port = bound_port(honeypot, dir.file("ready.json"));
    ASSERT_NE(port, 0) << honeypot.log();
    auto session = run_session(
        to_port(static_cast<std::uint16_t>(port)),
        {version_call("electrum/3.3.8"),
         {"blockchain.scripthash.get_balance", nlohmann::json::array({std::string(64, 'a')})},
         {"blockchain.scripthash.subscribe", nlohmann::json::array({canary})}});
    ASSERT_TRUE(session.connect.ok());
    ASSERT_EQ(session.replies.size(), 3u);
    // The requests were recorded before they were answered; stopping flushes them.
    honeypot.stop();
    EXPECT_TRUE(stopped_flushed(honeypot)) << honeypot.log();
  }
  auto aggregated =
      test::run_command("timeout -k 5 120 " + kBinary + " aggregator --data-dir " +
                        dir.file("data") + " --db " + dir.file("r.sqlite") + " --once");
  ASSERT_EQ(aggregated.status, 0) << aggregated.err;
  auto rows = query(dir.file("r.sqlite"),
                    "SELECT peer_ip, client_name, scripthashes, params_json FROM honeypot_events "
                    "WHERE kind = 'canary_sighting'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "127.0.0.1");
  EXPECT_EQ(rows[0][1], "electrum/3.3.8");
  EXPECT_EQ(rows[0][2], nlohmann::json::array({canary}).dump());
  auto details = nlohmann::json::parse(rows[0][3]);
  EXPECT_EQ(details["canaries"][0]["target_id"], "tls://leaky.example:50002");
  EXPECT_EQ(details["canaries"][0]["vantage_class"], "network=tor");
  EXPECT_EQ(details["canaries"][0]["round"], 1);
  EXPECT_EQ(details["other_scripthashes"], nlohmann::json::array({std::string(64, 'a')}));
}

// The testbed's leak, on loopback: a leaky server (a honeypot relaying every session to our
// listening honeypot) and an honest one get their own canaries from the agent; the aggregator
// reports a query_leak for the leaky one only.
TEST(CanaryCommand, LeakyServerIsReportedHonestOneIsNot) {
  test::TempDir dir;
  const bitcoin::Bytes secret(32, 0x11);
  int leaky = 0;
  int honest = 0;
  auto target_id = [](int port) { return "tcp://127.0.0.1:" + std::to_string(port); };
  {
    auto honeypot = [&](const std::string& name, std::vector<std::string> extra) {
      std::vector<std::string> argv = {
          kBinary,      "honeypot",    "--tcp",        "127.0.0.1:0",
          "--id",       name,          "--ready-file", dir.file(name + ".ready"),
          "--data-dir", dir.file(name)};
      argv.insert(argv.end(), extra.begin(), extra.end());
      std::filesystem::remove(dir.file(name + ".ready"));
      return std::make_unique<test::ChildProcess>(argv, dir.file(name + ".log"));
    };
    // A cycle: the listener's registry names the leaky and honest servers' ports, and the leaky
    // one relays to the listener. Those two take port 0; the listener gets a candidate port that
    // start_listening checks it holds, and the three start again on another when it does not.
    std::unique_ptr<test::ChildProcess> x, h;
    auto started = test::start_listening(
        [&](int listener) {
          x = honeypot("leaky", {"--upstream", "127.0.0.1:" + std::to_string(listener) + ":t"});
          h = honeypot("honest", {});
          leaky = bound_port(*x, dir.file("leaky.ready"));
          honest = bound_port(*h, dir.file("honest.ready"));
          canary::Registry registry;
          std::string tasks = "campaign_id: leakcamp\ntasks:\n";
          for (int port : {leaky, honest}) {
            const canary::Issuance issuance{"leakcamp", target_id(port), "network=clearnet", 0};
            registry.issue(secret, issuance);
            tasks += "  - target: \"127.0.0.1:" + std::to_string(port) + ":t\"\n" +
                     "    probes: [xpub_gap_scan]\n" + "    params: {xpub_gap_scan: {canary_key: " +
                     canary::to_hex(canary::task_key(secret, issuance)) + "}}\n";
          }
          std::ofstream out(dir.file("reg.tsv"));
          registry.write(out);
          std::ofstream(dir.file("tasks.yaml")) << tasks;
          return std::vector<std::string>{kBinary,
                                          "honeypot",
                                          "--tcp",
                                          "127.0.0.1:" + std::to_string(listener),
                                          "--id",
                                          "listener",
                                          "--data-dir",
                                          dir.file("listener"),
                                          "--canary-registry",
                                          dir.file("reg.tsv")};
        },
        dir.file("listener.log"), std::chrono::seconds(20));
    ASSERT_NE(started.port, 0) << started.process->log();
    ASSERT_NE(leaky, 0) << x->log();
    ASSERT_NE(honest, 0) << h->log();
    auto& l = started.process;
    auto agent = test::run_command("timeout -k 5 120 " + kBinary + " agent --tasks " +
                                   dir.file("tasks.yaml") + " --data-dir " + dir.file("agent"));
    ASSERT_EQ(agent.status, 0) << agent.err;
    // The leaky server's replies came from the listener, which recorded each request before
    // answering it; stopping flushes what it recorded.
    x->stop();
    h->stop();
    l->stop();
    EXPECT_TRUE(stopped_flushed(*l)) << l->log();
  }
  for (const char* data : {"agent", "listener"}) {
    auto aggregated =
        test::run_command("timeout -k 5 120 " + kBinary + " aggregator --data-dir " +
                          dir.file(data) + " --db " + dir.file("r.sqlite") + " --once");
    ASSERT_EQ(aggregated.status, 0) << aggregated.err;
  }
  auto sightings = query(dir.file("r.sqlite"),
                         "SELECT count(*) FROM honeypot_events WHERE kind = 'canary_sighting'");
  ASSERT_EQ(sightings.size(), 1u);
  EXPECT_EQ(sightings[0][0], "30");  // the whole gap-limit window, relayed
  auto leaks = query(dir.file("r.sqlite"),
                     "SELECT target_id, details_json FROM findings WHERE kind = 'query_leak'");
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_EQ(leaks[0][0], target_id(leaky));
  auto details = nlohmann::json::parse(leaks[0][1]);
  EXPECT_EQ(details["canaries_issued"], 30);
  EXPECT_EQ(details["canaries_seen"], 30);
  EXPECT_EQ(details["sources"], nlohmann::json::array({"127.0.0.1"}));
  EXPECT_GE(details["first_delay_s"].get<double>(), 0.0);
}

TEST(CanaryCommand, RegistryNeedsASecret) {
  test::TempDir dir;
  std::ofstream(dir.file("c.yaml")) << "name: x\ntargets: {list: [\"a.example:1:t\"]}\n"
                                       "vantages: [{}]\n";
  auto r = test::run_command("timeout -k 5 60 " + kBinary + " canary registry --campaign " +
                             dir.file("c.yaml"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("canary_secret"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace eo
