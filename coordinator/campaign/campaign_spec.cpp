// Campaign file parsing with yaml-cpp. Every error names the file and the key; unknown keys are
// errors too, so a misspelt cap is never silently replaced by its default.
#include "coordinator/campaign/campaign_spec.h"

#include "common/bitcoin/hex.h"
#include "common/canary/derive.h"
#include "coordinator/targets/target_list.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <stdexcept>

namespace eo::coordinator {

std::string VantageSelector::vantage_class() const {
  std::string out;
  if (!region.empty()) out += "region=" + region + ",";
  out += "network=" + network;
  if (!provider.empty()) out += ",provider=" + provider;
  return out;
}

namespace {

// "2027-03-01T00:00:00Z" to ms since the epoch; -1 for anything else.
std::int64_t parse_utc_ms(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') return -1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

std::string format_utc_ms(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// Names go into task ids ('|' separated) and vantage classes (',' and '=' separated).
bool valid_name(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_';
  });
}

std::string read_secret_file(const std::filesystem::path& path, const std::string& origin) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::invalid_argument(origin + ": canary_secret_file: cannot read " + path.string());
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

struct Parser {
  std::string origin;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw std::invalid_argument(origin + ": " + key + ": " + what);
  }

  void only(const YAML::Node& node, const std::string& key,
            std::initializer_list<const char*> allowed) const {
    if (!node) return;
    if (!node.IsMap()) fail(key, "must be a map");
    for (const auto& kv : node) {
      auto name = kv.first.as<std::string>();
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return name == a; })) {
        fail(key.empty() ? name : key + "." + name, "unknown key");
      }
    }
  }

  template <typename T>
  T get(const YAML::Node& node, const std::string& key, const char* name, T fallback) const {
    if (!node || !node[name]) return fallback;
    try {
      return node[name].as<T>();
    } catch (const YAML::Exception&) {
      fail(key.empty() ? name : key + "." + name, "bad value");
    }
  }

  std::vector<std::string> strings(const YAML::Node& node, const std::string& key) const {
    std::vector<std::string> out;
    if (!node) return out;
    if (!node.IsSequence()) fail(key, "must be a list");
    for (const auto& item : node) {
      if (!item.IsScalar()) fail(key, "must be a list of strings");
      out.push_back(item.as<std::string>());
    }
    return out;
  }

  void targets(const YAML::Node& node, CampaignSpec& spec) const {
    if (!node) fail("targets", "missing (builtin, files, list or discovered)");
    only(node, "targets", {"builtin", "files", "list", "discovered"});
    auto& t = spec.targets;
    if (const auto builtin = node["builtin"]; builtin && builtin.IsMap()) {
      only(builtin, "targets.builtin", {"enabled", "ports"});
      t.builtin = get<bool>(builtin, "targets.builtin", "enabled", true);
      auto ports = get<std::string>(builtin, "targets.builtin", "ports", "preferred");
      if (ports != "preferred" && ports != "all") {
        fail("targets.builtin.ports", "must be 'preferred' or 'all', not '" + ports + "'");
      }
      t.builtin_all_ports = ports == "all";
    } else {
      t.builtin = get<bool>(node, "targets", "builtin", false);
    }
    t.files = strings(node["files"], "targets.files");
    t.list = strings(node["list"], "targets.list");
    for (std::size_t i = 0; i < t.list.size(); ++i) {
      parse_target(t.list[i], "inline", origin + ": targets.list[" + std::to_string(i) + "]");
    }
    if (const auto d = node["discovered"]) {
      only(d, "targets.discovered",
           {"enabled", "max_new_per_round", "max_total", "gone_after_rounds"});
      t.discovered.enabled = get<bool>(d, "targets.discovered", "enabled", true);
      t.discovered.max_new_per_round = get<std::uint32_t>(
          d, "targets.discovered", "max_new_per_round", t.discovered.max_new_per_round);
      t.discovered.max_total =
          get<std::uint32_t>(d, "targets.discovered", "max_total", t.discovered.max_total);
      if (t.discovered.max_new_per_round > t.discovered.max_total) {
        fail("targets.discovered.max_new_per_round", "exceeds max_total");
      }
      t.discovered.gone_after_rounds = get<std::uint32_t>(
          d, "targets.discovered", "gone_after_rounds", t.discovered.gone_after_rounds);
      if (t.discovered.gone_after_rounds < 1) {
        fail("targets.discovered.gone_after_rounds", "must be at least 1");
      }
    }
    if (!t.builtin && t.files.empty() && t.list.empty() && !t.discovered.enabled) {
      fail("targets", "no source enabled");
    }
  }

  void probes(const YAML::Node& node, const std::vector<KnownProbe>& known,
              CampaignSpec& spec) const {
    if (!node || (node.IsScalar() && node.as<std::string>() == "all")) {
      spec.probes = known;
      return;
    }
    auto names = strings(node, "probes");
    if (names.empty()) fail("probes", "empty (name probes or write 'all')");
    for (const auto& probe : known) {
      if (std::find(names.begin(), names.end(), probe.name) != names.end()) {
        spec.probes.push_back(probe);
      }
    }
    for (const auto& name : names) {
      bool found = std::any_of(known.begin(), known.end(),
                               [&](const KnownProbe& p) { return p.name == name; });
      if (!found) fail("probes", "unknown probe '" + name + "'");
    }
  }

  void params(const YAML::Node& node, CampaignSpec& spec) const {
    if (!node) return;
    if (!node.IsMap()) fail("params", "must be a map of probe name to settings");
    for (const auto& probe : node) {
      auto name = probe.first.as<std::string>();
      std::string key = "params." + name;
      bool selected = std::any_of(spec.probes.begin(), spec.probes.end(),
                                  [&](const KnownProbe& p) { return p.name == name; });
      if (!selected) fail(key, "not a probe of this campaign");
      if (!probe.second.IsMap()) fail(key, "must be a map");
      for (const auto& kv : probe.second) {
        if (!kv.second.IsScalar()) fail(key + "." + kv.first.as<std::string>(), "not a scalar");
        spec.params[name][kv.first.as<std::string>()] = kv.second.as<std::string>();
      }
    }
  }

  VantageSelector vantage(const YAML::Node& node, const std::string& key) const {
    only(node, key, {"region", "network", "provider"});
    VantageSelector v;
    v.region = get<std::string>(node, key, "region", "");
    v.network = get<std::string>(node, key, "network", v.network);
    v.provider = get<std::string>(node, key, "provider", "");
    if (v.network != "clearnet" && v.network != "tor") {
      fail(key + ".network", "must be clearnet or tor, not '" + v.network + "'");
    }
    if (!v.region.empty() && !valid_name(v.region)) fail(key + ".region", "bad name");
    if (!v.provider.empty() && !valid_name(v.provider)) fail(key + ".provider", "bad name");
    return v;
  }

  ClientProfile profile(const YAML::Node& node, const std::string& key) const {
    only(node, key,
         {"name", "client_name", "protocol_min", "protocol_max", "tls_min_version", "tls_send_sni",
          "request_spacing_ms"});
    ClientProfile p;
    p.name = get<std::string>(node, key, "name", "");
    if (!valid_name(p.name)) fail(key + ".name", "missing or not [A-Za-z0-9._-]+");
    p.client_name = get<std::string>(node, key, "client_name", p.client_name);
    p.protocol_min = get<std::string>(node, key, "protocol_min", p.protocol_min);
    p.protocol_max = get<std::string>(node, key, "protocol_max", p.protocol_max);
    p.tls_min_version = get<std::string>(node, key, "tls_min_version", "");
    if (!p.tls_min_version.empty() && p.tls_min_version != "TLSv1.2" &&
        p.tls_min_version != "TLSv1.3") {
      fail(key + ".tls_min_version", "must be TLSv1.2 or TLSv1.3");
    }
    p.tls_send_sni = get<bool>(node, key, "tls_send_sni", true);
    p.request_spacing_ms = get<std::uint32_t>(node, key, "request_spacing_ms", 0);
    return p;
  }

  void politeness(const YAML::Node& node, CampaignPoliteness& c) const {
    const std::string key = "politeness";
    only(node, key,
         {"max_concurrency_per_target", "max_requests_per_second_per_target", "max_ramp_requests",
          "backoff_after_error_ms"});
    c.max_concurrency_per_target =
        get<std::uint32_t>(node, key, "max_concurrency_per_target", c.max_concurrency_per_target);
    if (c.max_concurrency_per_target == 0) {
      fail("politeness.max_concurrency_per_target", "must be at least 1");
    }
    c.max_requests_per_second_per_target = get<double>(
        node, key, "max_requests_per_second_per_target", c.max_requests_per_second_per_target);
    if (!(c.max_requests_per_second_per_target > 0)) {
      fail("politeness.max_requests_per_second_per_target", "must be positive");
    }
    c.max_ramp_requests = get<std::uint32_t>(node, key, "max_ramp_requests", c.max_ramp_requests);
    c.backoff_after_error_ms =
        get<std::uint32_t>(node, key, "backoff_after_error_ms", c.backoff_after_error_ms);
  }
};

}  // namespace

CampaignSpec parse_campaign_yaml(const std::string& text, const std::string& origin,
                                 const std::vector<KnownProbe>& known) {
  Parser p{origin};
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(origin + ": not YAML: " + e.what());
  }
  if (!root.IsMap()) throw std::invalid_argument(origin + ": not a YAML map");
  p.only(root, "",
         {"name", "targets", "probes", "params", "vantages", "profiles", "rounds", "until",
          "round_spacing_s", "sync_window_s", "politeness", "opt_out", "canary_secret",
          "canary_secret_file"});
  CampaignSpec spec;
  spec.name = p.get<std::string>(root, "", "name", "");
  if (!valid_name(spec.name)) p.fail("name", "missing or not [A-Za-z0-9._-]+");
  p.targets(root["targets"], spec);
  p.probes(root["probes"], known, spec);
  p.params(root["params"], spec);

  if (!root["vantages"] || !root["vantages"].IsSequence() || root["vantages"].size() == 0) {
    p.fail("vantages", "missing (a list of {region, network, provider} selectors)");
  }
  std::set<std::string> classes;
  for (std::size_t i = 0; i < root["vantages"].size(); ++i) {
    std::string key = "vantages[" + std::to_string(i) + "]";
    auto v = p.vantage(root["vantages"][i], key);
    if (!classes.insert(v.vantage_class()).second) p.fail(key, "repeats " + v.vantage_class());
    spec.vantages.push_back(v);
  }

  if (const auto profiles = root["profiles"]) {
    if (!profiles.IsSequence()) p.fail("profiles", "must be a list");
    std::set<std::string> names;
    for (std::size_t i = 0; i < profiles.size(); ++i) {
      std::string key = "profiles[" + std::to_string(i) + "]";
      auto profile = p.profile(profiles[i], key);
      if (!names.insert(profile.name).second) p.fail(key + ".name", "repeats " + profile.name);
      spec.profiles.push_back(profile);
    }
  }
  if (spec.profiles.empty()) spec.profiles.emplace_back();

  if (root["rounds"] && root["rounds"].IsScalar() && root["rounds"].Scalar() == "continuous") {
    spec.continuous = true;
  } else {
    spec.rounds = p.get<std::uint32_t>(root, "", "rounds", spec.rounds);
    if (spec.rounds == 0) p.fail("rounds", "must be at least 1, or continuous");
  }
  if (root["until"]) {
    if (!spec.continuous) p.fail("until", "only with rounds: continuous");
    spec.until_ms = parse_utc_ms(p.get<std::string>(root, "", "until", ""));
    if (spec.until_ms < 0) p.fail("until", "not a UTC time like 2027-03-01T00:00:00Z");
  }
  spec.sync_window_s = p.get<std::int64_t>(root, "", "sync_window_s", spec.sync_window_s);
  if (spec.sync_window_s <= 0) p.fail("sync_window_s", "must be positive");
  spec.round_spacing_s = p.get<std::int64_t>(root, "", "round_spacing_s", spec.round_spacing_s);
  if (spec.round_spacing_s < spec.sync_window_s) {
    p.fail("round_spacing_s", "must be at least sync_window_s");
  }
  p.politeness(root["politeness"], spec.politeness);
  for (const auto& host : p.strings(root["opt_out"], "opt_out")) spec.opt_out.insert(lower(host));
  spec.base_dir = std::filesystem::path(origin).parent_path().string();
  if (root["canary_secret"] && root["canary_secret_file"]) {
    p.fail("canary_secret", "give canary_secret or canary_secret_file, not both");
  }
  if (root["canary_secret"]) {
    auto bytes = bitcoin::from_hex(p.get<std::string>(root, "", "canary_secret", ""));
    if (!bytes) p.fail("canary_secret", "not hex");
    spec.canary_secret.assign(bytes->begin(), bytes->end());
  } else if (root["canary_secret_file"]) {
    std::filesystem::path path = p.get<std::string>(root, "", "canary_secret_file", "");
    if (path.is_relative() && !spec.base_dir.empty()) path = spec.base_dir / path;
    spec.canary_secret = read_secret_file(path, origin);
  }
  if ((root["canary_secret"] || root["canary_secret_file"]) &&
      spec.canary_secret.size() < canary::kMinSecretBytes) {
    p.fail(root["canary_secret"] ? "canary_secret" : "canary_secret_file",
           "at least " + std::to_string(canary::kMinSecretBytes) + " bytes");
  }
  return spec;
}

CampaignSpec load_campaign_file(const std::string& path, const std::vector<KnownProbe>& known) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read campaign file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_campaign_yaml(text.str(), path, known);
}

bool CampaignSpec::round_follows(std::uint32_t round, std::int64_t start_ms) const {
  if (!continuous) return round + 1 < rounds;
  return until_ms == 0 || start_ms < until_ms;
}

std::string CampaignSpec::describe() const {
  std::ostringstream out;
  out << "campaign " << name << ": " << probes.size() << " probes x " << vantages.size()
      << " vantage classes x " << profiles.size() << " profiles x "
      << (continuous ? std::string("continuous") : std::to_string(rounds)) << " rounds"
      << (until_ms > 0 ? " until " + format_utc_ms(until_ms) : std::string()) << ", every "
      << round_spacing_s << " s, sync window " << sync_window_s << " s\n";
  out << "  targets:" << (targets.builtin ? " builtin" : "") << " " << targets.files.size()
      << " files, " << targets.list.size() << " inline, discovery "
      << (targets.discovered.enabled
              ? "on (<= " + std::to_string(targets.discovered.max_new_per_round) +
                    "/round, <= " + std::to_string(targets.discovered.max_total) + " total" +
                    (continuous
                         ? ", gone after " + std::to_string(targets.discovered.gone_after_rounds) +
                               " rounds unannounced"
                         : std::string()) +
                    ")"
              : std::string("off"))
      << "\n";
  out << "  politeness per target (all vantages): <= " << politeness.max_concurrency_per_target
      << " concurrent, <= " << politeness.max_requests_per_second_per_target
      << " requests/s, ramp <= " << politeness.max_ramp_requests
      << " requests and never concurrent, back-off " << politeness.backoff_after_error_ms
      << " ms after an error\n";
  out << "  opt-out: " << opt_out.size() << " hosts";
  return out.str();
}

std::vector<store::Target> resolve_targets(const CampaignSpec& spec,
                                           const std::string& builtin_servers_json) {
  std::vector<store::Target> all;
  auto add = [&](std::vector<store::Target> more) {
    for (auto& t : more) all.push_back(std::move(t));
  };
  if (spec.targets.builtin) {
    add(read_servers_json(builtin_servers_json,
                          spec.targets.builtin_all_ports ? SeedPorts::all : SeedPorts::preferred));
  }
  for (const auto& file : spec.targets.files) {
    std::filesystem::path path(file);
    if (path.is_relative() && !spec.base_dir.empty()) path = spec.base_dir / path;
    add(read_target_file(path.string()));
  }
  for (const auto& text : spec.targets.list) add({parse_target(text, "inline", "targets.list")});

  std::vector<store::Target> out;
  std::map<std::string, std::size_t> index;
  for (auto& t : all) {
    if (spec.opt_out.count(lower(t.host))) continue;
    auto [it, fresh] = index.emplace(t.id, out.size());
    if (!fresh) {
      auto& known = out[it->second].provenance;
      for (auto& p : t.provenance) {
        if (std::find(known.begin(), known.end(), p) == known.end()) known.push_back(p);
      }
      continue;
    }
    t.max_concurrency = spec.politeness.max_concurrency_per_target;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace eo::coordinator

namespace eo::coordinator {

std::string inline_target_files(const std::string& yaml, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(origin + ": not YAML: " + e.what());
  }
  const auto base = std::filesystem::path(origin).parent_path();
  bool changed = false;
  if (root.IsMap() && root["canary_secret_file"] && root["canary_secret_file"].IsScalar()) {
    std::filesystem::path path = root["canary_secret_file"].as<std::string>();
    if (path.is_relative() && !base.empty()) path = base / path;
    const std::string secret = read_secret_file(path, origin);
    root.remove("canary_secret_file");
    root["canary_secret"] = bitcoin::to_hex(
        bitcoin::ByteSpan(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()));
    changed = true;
  }
  YAML::Node targets = root["targets"];
  if (!targets || !targets.IsMap() || !targets["files"]) {
    if (!changed) return yaml;
    YAML::Emitter out;
    out << root;
    return out.c_str();
  }
  if (!targets["files"].IsSequence()) {
    throw std::invalid_argument(origin + ": targets.files: must be a list");
  }
  YAML::Node list = targets["list"] ? targets["list"] : YAML::Node(YAML::NodeType::Sequence);
  for (const auto& file : targets["files"]) {
    std::filesystem::path path = file.as<std::string>();
    if (path.is_relative() && !base.empty()) path = base / path;
    for (const auto& target : read_target_file(path.string())) {
      bool v6 = target.host.find(':') != std::string::npos;
      list.push_back((v6 ? "[" + target.host + "]" : target.host) + ":" +
                     std::to_string(target.port) + (target.transport == "tls" ? ":s" : ":t"));
    }
  }
  targets.remove("files");
  targets["list"] = list;
  YAML::Emitter out;
  out << root;
  return out.c_str();
}

}  // namespace eo::coordinator
