// Target lists for campaigns: Electrum's "host:port:t|s" notation, files of such lines and
// Electrum's servers.json. Produces store targets with the proto's stable ids.
#pragma once

#include "common/store/store.h"

#include <string>
#include <string_view>
#include <vector>

namespace eo::coordinator {

// "tcp://host:port" or "tls://host:port" ("[v6]" in brackets): the id of eo.v1.Target.
std::string target_id(std::string_view host, std::uint16_t port, bool tls);
// True for a host ending in ".onion" (any case).
bool is_onion(std::string_view host);

// Parses "host:port:t" (TCP) or "host:port:s" (TLS); IPv6 hosts in brackets. `provenance` is
// recorded on the target. Throws std::invalid_argument naming `where` and the bad text.
store::Target parse_target(std::string_view text, const std::string& provenance,
                           const std::string& where);

// One target per line; blank lines and '#' comments are skipped. Provenance "file:<path>".
// Throws std::invalid_argument naming "<path>:<line>".
std::vector<store::Target> read_target_file(const std::string& path);

// Which ports of a servers.json host become targets.
enum class SeedPorts {
  preferred,  // one per host: TLS when advertised, otherwise TCP
  all,        // every advertised port (TLS first)
};

// Reads Electrum's servers.json ({"host": {"s": "50002", "t": "50001", ...}}). Provenance
// "seed:<file name>". Throws std::invalid_argument naming the file (and host) on a bad file.
std::vector<store::Target> read_servers_json(const std::string& path, SeedPorts ports);

}  // namespace eo::coordinator
