// The task file: expansion into planned probes, and errors that name the bad setting.
#include "agent/tasks/task_file.h"

#include <gtest/gtest.h>

namespace eo::agent {
namespace {

TEST(TaskFile, ExpandsTargetsProbesVantagesAndRounds) {
  auto plan = parse_task_yaml(R"(
agent_id: eu-1
vantages:
  - {id: eu-clear, region: eu, provider: hetzner, bind: 127.0.0.2}
  - {id: eu-tor, region: eu, tor: true, socks: "127.0.0.1:9050", tor_control: "127.0.0.1:9051"}
profiles:
  - {name: wallet, client_name: electrum/4.3.4, protocol_min: "1.4", protocol_max: "1.4"}
politeness: {max_requests_per_second_per_target: 2, opt_out: [optout.example]}
tasks:
  - target: "a.example:50002:s"
    probes: [metadata, tls_certificate]
    rounds: 2
    params: {metadata: {header_height: 100}}
  - target: "b.example:50001:t"
    probes: all
    vantage: eu-clear
)",
                              "inline");
  EXPECT_EQ(plan.agent_id, "eu-1");
  ASSERT_EQ(plan.vantages.size(), 2u);
  EXPECT_TRUE(plan.vantages[1].tor);
  EXPECT_EQ(plan.vantages[1].socks_port, 9050);
  EXPECT_EQ(plan.vantages[1].tor_control_port, 9051);
  EXPECT_EQ(plan.politeness.max_requests_per_second_per_target, 2);
  EXPECT_EQ(plan.politeness.opt_out_hosts.count("optout.example"), 1u);
  // 2 probes x 2 vantages x 2 rounds, then all TCP-capable probes (8) x 1 vantage.
  ASSERT_EQ(plan.probes.size(), 8u + 8u);
  EXPECT_EQ(plan.probes[0].request.params.at("header_height"), "100");
  EXPECT_EQ(plan.probes[0].request.profile.client_name, "electrum/4.3.4");
  for (std::size_t i = 8; i < plan.probes.size(); ++i) {
    EXPECT_NE(plan.probes[i].request.probe_name, "tls_certificate");
    EXPECT_EQ(plan.probes[i].vantage_id, "eu-clear");
  }
}

TEST(TaskFile, ErrorsNameTheProblem) {
  auto error_of = [](const std::string& yaml) {
    try {
      parse_task_yaml(yaml, "tasks.yaml");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("tasks: [{target: 'x:1:t', probes: [nope]}]").find("unknown probe 'nope'"),
            std::string::npos);
  EXPECT_NE(error_of("tasks: [{target: 'x:1:t', probes: [tls_certificate]}]").find("needs a TLS"),
            std::string::npos);
  EXPECT_NE(error_of("tasks: [{target: 'x:1'}]").find("host:port:t"), std::string::npos);
  EXPECT_NE(error_of("vantages: [{id: t, tor: true}]\ntasks: []").find("no socks port"),
            std::string::npos);
  EXPECT_NE(error_of("{{{").find("tasks.yaml: not YAML"), std::string::npos);
  EXPECT_NE(error_of("agent_id: x").find("no 'tasks' list"), std::string::npos);
}

}  // namespace
}  // namespace eo::agent
