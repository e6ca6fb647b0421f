// Registry of issued canaries and its text file.
#include "common/canary/registry.h"

#include <charconv>
#include <stdexcept>
#include <vector>

namespace eo::canary {

namespace {

constexpr std::string_view kHeader = "# eo-canary-registry v1";

std::string describe(const Issuance& i) {
  return i.campaign_id + "|" + i.target_id + "|" + i.vantage_class + "|r" + std::to_string(i.round);
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) return out;
    start = tab + 1;
  }
}

bool is_lower_hex(std::string_view text) {
  return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

bool has_tab_or_newline(std::string_view text) {
  return text.find_first_of("\t\r\n") != std::string_view::npos;
}

}  // namespace

std::string Entry::label() const {
  return std::string(bitcoin::to_string(type)) + "/" + std::to_string(chain) + "/" +
         std::to_string(index);
}

bool Registry::add(const std::string& scripthash, const Entry& entry) {
  auto [it, inserted] = entries_.try_emplace(scripthash, entry);
  return inserted || it->second == entry;
}

void Registry::issue(bitcoin::ByteSpan secret, const Issuance& issuance) {
  issue_key(task_key(secret, issuance), issuance);
}

void Registry::issue_key(const TaskKey& key, const Issuance& issuance) {
  if (has_tab_or_newline(issuance.campaign_id) || has_tab_or_newline(issuance.target_id) ||
      has_tab_or_newline(issuance.vantage_class)) {
    throw std::invalid_argument("canary issuance with a tab or newline: " + describe(issuance));
  }
  auto canaries = all_canaries(key);
  // Checked before any insert, so a refused issuance leaves the registry as it was.
  for (const auto& c : canaries) {
    const Entry entry{issuance, c.type, c.chain, c.index};
    if (const Entry* other = find(c.scripthash); other != nullptr && !(*other == entry)) {
      throw std::runtime_error("canary collision: " + c.scripthash + " issued to " +
                               describe(other->issuance) + " " + other->label() + " and to " +
                               describe(issuance) + " " + entry.label());
    }
  }
  for (const auto& c : canaries) add(c.scripthash, Entry{issuance, c.type, c.chain, c.index});
}

const Entry* Registry::find(std::string_view scripthash) const {
  auto it = entries_.find(scripthash);
  return it == entries_.end() ? nullptr : &it->second;
}

void Registry::write(std::ostream& out) const {
  out << kHeader << '\n';
  for (const auto& [scripthash, e] : entries_) {
    out << scripthash << '\t' << e.issuance.campaign_id << '\t' << e.issuance.target_id << '\t'
        << e.issuance.vantage_class << '\t' << e.issuance.round << '\t' << e.label() << '\n';
  }
}

Registry Registry::read(std::istream& in) {
  Registry registry;
  std::string line;
  std::size_t number = 0;
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument("canary registry line " + std::to_string(number) + ": " + why);
  };
  while (std::getline(in, line)) {
    ++number;
    if (number == 1) {
      if (line != kHeader) fail("expected header '" + std::string(kHeader) + "'");
      continue;
    }
    if (line.empty()) continue;
    auto fields = split_tabs(line);
    if (fields.size() != 6) fail("expected 6 tab-separated fields");
    if (fields[0].size() != 64 || !is_lower_hex(fields[0])) fail("bad script hash");
    Entry entry;
    entry.issuance = {std::string(fields[1]), std::string(fields[2]), std::string(fields[3]), 0};
    auto [end, ec] = std::from_chars(fields[4].data(), fields[4].data() + fields[4].size(),
                                     entry.issuance.round);
    if (ec != std::errc() || end != fields[4].data() + fields[4].size()) fail("bad round");
    auto label = parse_label(fields[5]);
    if (!label) fail("bad label");
    entry.type = label->type;
    entry.chain = label->chain;
    entry.index = label->index;
    if (!registry.add(std::string(fields[0]), entry)) fail("script hash issued twice");
  }
  if (number == 0) fail("empty file");
  return registry;
}

}  // namespace eo::canary
