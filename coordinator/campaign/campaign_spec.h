// A campaign file (YAML) and its validated form: targets x probes x vantage classes x client
// profiles x rounds, under politeness caps. The format is documented in coordinator/README.md.
#pragma once

#include "common/store/store.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace eo::coordinator {

// A probe the agents know (the coordinator does not link the agent: the caller passes the
// agent registry's names, versions and TLS needs).
struct KnownProbe {
  std::string name;
  std::uint32_t version = 1;
  bool tls_only = false;  // needs a TLS target (skipped on TCP targets)
};

struct DiscoveredTargets {
  bool enabled = false;
  std::uint32_t max_new_per_round = 20;
  std::uint32_t max_total = 200;
  // Continuous campaigns: a target no seed source lists is gone once no probed server has
  // announced it for this many rounds in a row (one silent round is often a server's restart).
  std::uint32_t gone_after_rounds = 3;
};

struct TargetSources {
  bool builtin = false;            // Electrum's public server list (clearnet and .onion)
  bool builtin_all_ports = false;  // false: one target per host (TLS when advertised)
  std::vector<std::string> files;  // host:port:t|s lines; relative to the campaign file
  std::vector<std::string> list;   // inline host:port:t|s
  DiscoveredTargets discovered;
};

// Which vantages must probe: every selector is one vantage class.
struct VantageSelector {
  std::string region;                // empty: any
  std::string network = "clearnet";  // "clearnet" | "tor"
  std::string provider;              // empty: any

  bool tor() const { return network == "tor"; }
  // Whether a vantage with these labels belongs to the class (empty selector fields match any).
  bool matches(const std::string& vantage_region, const std::string& vantage_network,
               const std::string& vantage_provider) const {
    return (region.empty() || region == vantage_region) && network == vantage_network &&
           (provider.empty() || provider == vantage_provider);
  }
  // "region=eu,network=clearnet,provider=hetzner" (empty fields left out; network always).
  std::string vantage_class() const;
};

// What the server sees of the client; the fields of the agent's task file.
struct ClientProfile {
  std::string name = "default";
  std::string client_name = "electrum/4.5.8";
  std::string protocol_min = "1.4";
  std::string protocol_max = "1.6";
  std::string tls_min_version;  // "TLSv1.2" | "TLSv1.3" | empty
  bool tls_send_sni = true;
  std::uint32_t request_spacing_ms = 0;
};

// Per target, summed over every vantage and campaign: the store enforces concurrency and ramp
// exclusivity; each task carries its share of the request rate.
struct CampaignPoliteness {
  std::uint32_t max_concurrency_per_target = 2;
  double max_requests_per_second_per_target = 5;
  std::uint32_t max_ramp_requests = 200;
  std::uint32_t backoff_after_error_ms = 2000;
};

struct CampaignSpec {
  std::string name;
  TargetSources targets;
  std::vector<KnownProbe> probes;  // in the order of the known list
  std::map<std::string, std::map<std::string, std::string>> params;  // probe -> key -> value
  std::vector<VantageSelector> vantages;
  std::vector<ClientProfile> profiles;
  std::uint32_t rounds = 1;  // when not continuous
  // `rounds: continuous`: a round every round_spacing_s until cancelled, or until `until`
  // (no round starts at or after it; 0: none). Each round takes the seed targets again.
  bool continuous = false;
  std::int64_t until_ms = 0;
  std::int64_t round_spacing_s = 3600;  // start of one round to the start of the next
  std::int64_t sync_window_s = 60;
  CampaignPoliteness politeness;
  std::set<std::string> opt_out;  // lower-case hosts never probed
  // The canary secret (raw bytes; empty: no canaries, the address probes query the public test
  // vectors). From `canary_secret` (hex) or `canary_secret_file` (read at parse time, relative
  // to the campaign file); never sent to agents, which get per-task keys (docs/canaries.md).
  std::string canary_secret;
  std::string base_dir;  // where relative target files are found

  // A few lines a person reads at start-up: shape, timing, caps, opt-out.
  std::string describe() const;
  // Whether a round follows `round`, were it to start at `start_ms`.
  bool round_follows(std::uint32_t round, std::int64_t start_ms) const;
};

// Throws std::invalid_argument naming `origin` and the key (e.g. "c.yaml: politeness.
// max_concurrency_per_target: must be at least 1").
CampaignSpec parse_campaign_yaml(const std::string& text, const std::string& origin,
                                 const std::vector<KnownProbe>& known);
CampaignSpec load_campaign_file(const std::string& path, const std::vector<KnownProbe>& known);

// The campaign file with its `targets.files` read (and `canary_secret_file` read into
// `canary_secret` hex, which then travels and is stored with the campaign), otherwise as before:
// its `targets.files` read (relative to `origin`'s directory) and moved
// into `targets.list`, so a coordinator on another host sees the same targets. Throws
// std::invalid_argument naming the file and line that is wrong.
std::string inline_target_files(const std::string& yaml, const std::string& origin);

// The campaign's targets: builtin (read from `builtin_servers_json`, e.g. the repository's or
// the install dir's data/electrum-servers.json), files, inline; deduplicated by id (provenance
// merged), opt-out hosts removed, max_concurrency set from the politeness caps.
std::vector<store::Target> resolve_targets(const CampaignSpec& spec,
                                           const std::string& builtin_servers_json);

}  // namespace eo::coordinator
