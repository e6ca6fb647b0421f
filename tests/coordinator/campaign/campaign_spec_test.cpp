// Campaign files: a full example, defaults, and an error naming the key for each bad setting.
#include "coordinator/campaign/campaign_spec.h"

#include "tests/coordinator/campaign/known_probes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <unistd.h>

namespace eo::coordinator {
namespace {

const char* kFull = R"(
name: eu-vs-tor
targets:
  builtin: {enabled: true, ports: preferred}
  files: [extra.txt]
  list: ["electrum.example.org:50002:s", "[2001:db8::1]:50001:t"]
  discovered: {enabled: true, max_new_per_round: 5, max_total: 50}
probes: [metadata, tls_certificate, rate_limit_ramp]
params:
  rate_limit_ramp: {max_requests: 100}
vantages:
  - {region: eu, network: clearnet, provider: hetzner}
  - {region: us, network: clearnet}
  - {network: tor}
profiles:
  - {name: wallet, client_name: electrum/4.3.4, protocol_min: "1.4", protocol_max: "1.4",
     tls_min_version: TLSv1.2, tls_send_sni: true, request_spacing_ms: 50}
  - {name: modern}
rounds: 4
round_spacing_s: 1800
sync_window_s: 90
politeness:
  max_concurrency_per_target: 1
  max_requests_per_second_per_target: 3
  max_ramp_requests: 150
  backoff_after_error_ms: 5000
opt_out: [OptOut.example]
)";

CampaignSpec parse(const std::string& text) {
  return parse_campaign_yaml(text, "c.yaml", registry_probes());
}

TEST(CampaignSpec, FullExample) {
  auto spec = parse(kFull);
  EXPECT_EQ(spec.name, "eu-vs-tor");
  EXPECT_TRUE(spec.targets.builtin);
  EXPECT_FALSE(spec.targets.builtin_all_ports);
  EXPECT_EQ(spec.targets.files, std::vector<std::string>{"extra.txt"});
  EXPECT_EQ(spec.targets.list.size(), 2u);
  EXPECT_TRUE(spec.targets.discovered.enabled);
  EXPECT_EQ(spec.targets.discovered.max_new_per_round, 5u);
  EXPECT_EQ(spec.targets.discovered.max_total, 50u);
  EXPECT_EQ(spec.targets.discovered.gone_after_rounds, 3u);  // the default
  ASSERT_EQ(spec.probes.size(), 3u);
  EXPECT_EQ(spec.probes[0].name, "metadata");
  EXPECT_TRUE(spec.probes[1].tls_only);
  EXPECT_EQ(spec.params["rate_limit_ramp"]["max_requests"], "100");
  ASSERT_EQ(spec.vantages.size(), 3u);
  EXPECT_EQ(spec.vantages[0].vantage_class(), "region=eu,network=clearnet,provider=hetzner");
  EXPECT_EQ(spec.vantages[1].vantage_class(), "region=us,network=clearnet");
  EXPECT_EQ(spec.vantages[2].vantage_class(), "network=tor");
  ASSERT_EQ(spec.profiles.size(), 2u);
  EXPECT_EQ(spec.profiles[0].client_name, "electrum/4.3.4");
  EXPECT_EQ(spec.profiles[0].protocol_max, "1.4");
  EXPECT_EQ(spec.profiles[0].request_spacing_ms, 50u);
  EXPECT_EQ(spec.profiles[1].client_name, "electrum/4.5.8");
  EXPECT_EQ(spec.rounds, 4u);
  EXPECT_EQ(spec.round_spacing_s, 1800);
  EXPECT_EQ(spec.sync_window_s, 90);
  EXPECT_EQ(spec.politeness.max_concurrency_per_target, 1u);
  EXPECT_EQ(spec.politeness.max_requests_per_second_per_target, 3.0);
  EXPECT_EQ(spec.politeness.max_ramp_requests, 150u);
  EXPECT_EQ(spec.politeness.backoff_after_error_ms, 5000u);
  EXPECT_EQ(spec.opt_out, std::set<std::string>{"optout.example"});
  auto text = spec.describe();
  EXPECT_NE(text.find("<= 1 concurrent"), std::string::npos) << text;
  EXPECT_NE(text.find("<= 3 requests/s"), std::string::npos) << text;
  EXPECT_NE(text.find("ramp <= 150"), std::string::npos) << text;
  EXPECT_NE(text.find("back-off 5000 ms"), std::string::npos) << text;
}

TEST(CampaignSpec, ConservativeDefaults) {
  auto spec = parse("name: x\ntargets: {builtin: true}\nvantages: [{network: tor}]\n");
  EXPECT_EQ(spec.probes.size(), registry_probes().size());  // "all" by default
  EXPECT_EQ(spec.sync_window_s, 60);
  EXPECT_EQ(spec.rounds, 1u);
  EXPECT_EQ(spec.profiles.size(), 1u);
  EXPECT_EQ(spec.politeness.max_concurrency_per_target, 2u);
  EXPECT_EQ(spec.politeness.max_requests_per_second_per_target, 5.0);
  EXPECT_EQ(spec.politeness.max_ramp_requests, 200u);
  EXPECT_EQ(spec.politeness.backoff_after_error_ms, 2000u);
  EXPECT_FALSE(spec.targets.discovered.enabled);
  EXPECT_EQ(parse("name: x\ntargets: {builtin: true}\nprobes: all\nvantages: [{}]\n")
                .vantages[0]
                .vantage_class(),
            "network=clearnet");
}

TEST(CampaignSpec, ContinuousRoundsUntilCancelledOrADate) {
  const std::string base = "name: x\ntargets: {builtin: true}\nvantages: [{network: tor}]\n";
  auto forever = parse(base + "rounds: continuous\nround_spacing_s: 3600\n");
  EXPECT_TRUE(forever.continuous);
  EXPECT_EQ(forever.until_ms, 0);
  EXPECT_TRUE(forever.round_follows(100'000, 4'000'000'000'000));
  EXPECT_NE(forever.describe().find("continuous rounds, every 3600 s"), std::string::npos)
      << forever.describe();

  auto until = parse(base + "rounds: continuous\nuntil: 2027-03-01T00:00:00Z\n");
  EXPECT_EQ(until.until_ms, 1'803'859'200'000);
  EXPECT_TRUE(until.round_follows(7, until.until_ms - 1));
  EXPECT_FALSE(until.round_follows(7, until.until_ms));  // no round starts at the end or later
  EXPECT_NE(until.describe().find("until 2027-03-01T00:00:00Z"), std::string::npos);

  auto three = parse(base + "rounds: 3\n");
  EXPECT_TRUE(three.round_follows(1, 0));
  EXPECT_FALSE(three.round_follows(2, 0));
}

// Each bad setting is rejected with the file and the key in the message.
TEST(CampaignSpec, EveryErrorNamesTheKey) {
  const std::string base = "targets: {builtin: true}\nvantages: [{network: tor}]\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"targets: {builtin: true}\nvantages: [{network: tor}]\n", "name"},
      {"name: a|b\n" + base, "name"},
      {"name: x\nvantages: [{network: tor}]\n", "targets"},
      {"name: x\ntargets: {}\nvantages: [{network: tor}]\n", "targets"},
      {"name: x\ntargets: {seeds: true}\nvantages: [{}]\n", "targets.seeds"},
      {"name: x\ntargets: {builtin: {ports: some}}\nvantages: [{}]\n", "targets.builtin.ports"},
      {"name: x\ntargets: {list: [nope]}\nvantages: [{}]\n", "targets.list[0]"},
      {"name: x\ntargets: {files: extra.txt}\nvantages: [{}]\n", "targets.files"},
      {"name: x\ntargets: {discovered: {max_new_per_round: 9, max_total: 3}}\nvantages: [{}]\n",
       "targets.discovered.max_new_per_round"},
      {"name: x\ntargets: {discovered: {enabled: maybe}}\nvantages: [{}]\n",
       "targets.discovered.enabled"},
      {"name: x\ntargets: {discovered: {gone_after_rounds: 0}}\nvantages: [{}]\n",
       "targets.discovered.gone_after_rounds"},
      {"name: x\nprobes: [metadata, nonesuch]\n" + base, "probes"},
      {"name: x\nprobes: []\n" + base, "probes"},
      {"name: x\nprobes: [metadata]\nparams: {latency: {pings: 3}}\n" + base, "params.latency"},
      {"name: x\nparams: {latency: {pings: [1]}}\n" + base, "params.latency.pings"},
      {"name: x\ntargets: {builtin: true}\n", "vantages"},
      {"name: x\ntargets: {builtin: true}\nvantages: [{network: i2p}]\n", "vantages[0].network"},
      {"name: x\ntargets: {builtin: true}\nvantages: [{network: tor}, {network: tor}]\n",
       "vantages[1]"},
      {"name: x\ntargets: {builtin: true}\nvantages: [{region: e/u}]\n", "vantages[0].region"},
      {"name: x\ntargets: {builtin: true}\nvantages: [{zone: a}]\n", "vantages[0].zone"},
      {"name: x\nprofiles: [{client_name: e}]\n" + base, "profiles[0].name"},
      {"name: x\nprofiles: [{name: a}, {name: a}]\n" + base, "profiles[1].name"},
      {"name: x\nprofiles: [{name: a, tls_min_version: SSLv3}]\n" + base,
       "profiles[0].tls_min_version"},
      {"name: x\nprofiles: [{name: a, tls_send_sni: perhaps}]\n" + base,
       "profiles[0].tls_send_sni"},
      {"name: x\nrounds: 0\n" + base, "rounds"},
      {"name: x\nrounds: many\n" + base, "rounds"},
      {"name: x\nrounds: 3\nuntil: 2027-03-01T00:00:00Z\n" + base, "until"},
      {"name: x\nrounds: continuous\nuntil: next week\n" + base, "until"},
      {"name: x\nsync_window_s: 0\n" + base, "sync_window_s"},
      {"name: x\nround_spacing_s: 10\n" + base, "round_spacing_s"},
      {"name: x\npoliteness: {max_concurrency_per_target: 0}\n" + base,
       "politeness.max_concurrency_per_target"},
      {"name: x\npoliteness: {max_requests_per_second_per_target: -1}\n" + base,
       "politeness.max_requests_per_second_per_target"},
      {"name: x\npoliteness: {max_ramp_requests: lots}\n" + base, "politeness.max_ramp_requests"},
      {"name: x\npoliteness: {backoff_ms: 1}\n" + base, "politeness.backoff_ms"},
      {"name: x\nopt_out: host\n" + base, "opt_out"},
      {"name: x\nround: 3\n" + base, "round"},
  };
  for (const auto& [text, key] : cases) {
    try {
      parse(text);
      ADD_FAILURE() << "accepted:\n" << text;
    } catch (const std::invalid_argument& e) {
      std::string message = e.what();
      EXPECT_EQ(message.rfind("c.yaml: " + key + ":", 0), 0u)
          << "key " << key << " not named in: " << message;
    }
  }
  EXPECT_THROW(parse("name: [unclosed\n"), std::invalid_argument);
  EXPECT_THROW(load_campaign_file("/nonexistent/c.yaml", registry_probes()), std::invalid_argument);
}

TEST(CampaignSpec, CanarySecretFromHexOrFileAndInlinedForSubmission) {
  const std::string base = "name: x\ntargets: {builtin: true}\nvantages: [{}]\n";
  EXPECT_TRUE(parse(base).canary_secret.empty());
  EXPECT_EQ(parse(base + "canary_secret: " + std::string(32, '0') + "\n").canary_secret,
            std::string(16, '\0'));
  for (const auto& [extra, key] : std::vector<std::pair<std::string, std::string>>{
           {"canary_secret: abcd\n", "canary_secret"},
           {"canary_secret: xyz\n", "canary_secret"},
           {"canary_secret_file: /nonexistent/secret\n", "canary_secret_file"},
           {"canary_secret: " + std::string(32, '0') + "\ncanary_secret_file: s\n",
            "canary_secret"}}) {
    try {
      parse(base + extra);
      ADD_FAILURE() << "accepted " << extra;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("c.yaml: " + key + ":"), std::string::npos) << e.what();
    }
  }
  const auto dir =
      std::filesystem::temp_directory_path() / ("eo-canary-spec-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string secret = "0123456789abcdef-secret-bytes";
  std::ofstream(dir / "secret.bin", std::ios::binary) << secret;
  const std::string yaml = base + "canary_secret_file: secret.bin\n";
  const std::string origin = (dir / "c.yaml").string();
  EXPECT_EQ(parse_campaign_yaml(yaml, origin, registry_probes()).canary_secret, secret);
  // What `campaign submit` sends: self-contained, parsed the same anywhere.
  const std::string inlined = inline_target_files(yaml, origin);
  EXPECT_EQ(inlined.find("canary_secret_file"), std::string::npos);
  EXPECT_EQ(parse_campaign_yaml(inlined, "elsewhere", registry_probes()).canary_secret, secret);
  std::filesystem::remove_all(dir);
}

TEST(CampaignSpec, ResolvesTargetsDedupsAndOptsOut) {
  auto dir = std::filesystem::temp_directory_path() / "eo_campaign_spec_test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "extra.txt") << "electrum.example.org:50002:s\noptout.example:50001:t\n";
    std::ofstream(dir / "c.yaml") << kFull;
  }
  auto spec = load_campaign_file((dir / "c.yaml").string(), registry_probes());
  auto targets = resolve_targets(spec, source_path("data/electrum-servers.json"));
  // 82 builtin + electrum.example.org (file and inline, once) + the IPv6 one; opt-out dropped.
  EXPECT_EQ(targets.size(), 84u);
  auto it = std::find_if(targets.begin(), targets.end(),
                         [](auto& t) { return t.id == "tls://electrum.example.org:50002"; });
  ASSERT_NE(it, targets.end());
  EXPECT_EQ(it->provenance.size(), 2u);
  EXPECT_EQ(it->max_concurrency, 1u);
  EXPECT_TRUE(std::none_of(targets.begin(), targets.end(),
                           [](auto& t) { return t.host == "optout.example"; }));
  EXPECT_EQ(std::count_if(targets.begin(), targets.end(), [](auto& t) { return t.onion; }), 14);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace eo::coordinator
