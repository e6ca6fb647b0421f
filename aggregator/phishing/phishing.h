// Phishing broadcasts from broadcast_check observations: a server whose answer to a rejected
// broadcast carries a URL, HTML markup or wallet-update/download language (the 2018-19 attack on
// Electrum users) gets a phishing_broadcast finding per target, naming the observations, the
// vantages that saw it and the message (escaped so that no report renders it).
#pragma once

#include "aggregator/findings/finding.h"
#include "aggregator/results/rows.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eo::aggregator::phishing {

inline constexpr const char* kProbe = "broadcast_check";

// What in a text honest implementations never send: "url:<match>", "html:<match>",
// "lure:<word>", in the order found; empty for an honest text. Node reject reasons
// ("bad-txns-inputs-missingorspent", "TX decode failed"), ElectrumX's "[<raw tx hex>]" echo and
// "<=" in height errors give none.
std::vector<std::string> markers_of(std::string_view text);

// The text with markup made inert: printable ASCII stays except < > & \ ` (written \xNN, like
// every other byte), newlines become \n; at most `max_bytes` of the input are kept ("..." marks
// a cut).
std::string escape_message(std::string_view text, std::size_t max_bytes = 1024);

// One finding per target some broadcast_check error text of which (or raw reply line, when the
// reply was no JSON-RPC reply) has markers, sorted by target. Rows of other probes are skipped;
// evidence is the ids of the observations with markers.
std::vector<findings::Finding> find_phishing(std::span<const results::ObservationRow> rows);

}  // namespace eo::aggregator::phishing
