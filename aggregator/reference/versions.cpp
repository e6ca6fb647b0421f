// Version sets as bits over the release line's positions, so intersecting the ranges of many
// facts is one AND each.
#include "aggregator/reference/versions.h"

#include <algorithm>
#include <bit>
#include <cctype>

namespace eo::aggregator::reference {

namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A series compares by major.minor: "1.16.0" and a release "1.16" are the same series.
std::vector<int> series(std::vector<int> numbers) {
  numbers.resize(2, 0);
  return numbers;
}

}  // namespace

VersionSet VersionSet::span(unsigned first, unsigned last) {
  if (first > last) return {};
  std::uint64_t upper = last >= 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (last + 1)) - 1;
  return from(upper & ~((std::uint64_t{1} << first) - 1));
}

unsigned VersionSet::lowest() const { return unsigned(std::countr_zero(bits_)); }
unsigned VersionSet::highest() const { return 63u - unsigned(std::countl_zero(bits_)); }

std::vector<int> version_numbers(std::string_view text) {
  std::vector<int> out;
  std::size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    int n = 0;
    for (int digits = 0; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]));
         ++i) {
      if (++digits <= 6) n = n * 10 + (text[i] - '0');
    }
    out.push_back(n);
    if (i + 1 < text.size() && text[i] == '.' &&
        std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
      ++i;
    } else {
      break;
    }
  }
  return out;
}

std::optional<VersionLine> VersionLine::make(std::vector<std::string> releases,
                                             std::string& error) {
  VersionLine line;
  if (releases.size() > kMaxReleases) {
    error = "more than " + std::to_string(kMaxReleases) + " releases";
    return std::nullopt;
  }
  for (const auto& r : releases) {
    auto numbers = version_numbers(r);
    if (numbers.size() != 2 || std::to_string(numbers[0]) + "." + std::to_string(numbers[1]) != r) {
      error = "release \"" + r + "\" is not major.minor";
      return std::nullopt;
    }
    if (!line.numbers_.empty() && !(line.numbers_.back() < numbers)) {
      error = "release \"" + r + "\" is not after the one before it";
      return std::nullopt;
    }
    line.numbers_.push_back(std::move(numbers));
  }
  line.releases_ = std::move(releases);
  return line;
}

std::optional<unsigned> VersionLine::index_of(std::string_view release) const {
  auto it = std::find(releases_.begin(), releases_.end(), trimmed(release));
  if (it == releases_.end()) return std::nullopt;
  return unsigned(it - releases_.begin());
}

std::optional<VersionSet> VersionLine::range(std::string_view text) const {
  text = trimmed(text);
  const unsigned top = 2 * unsigned(releases_.size());
  if (text.empty()) return all();
  // A range over releases also holds the builds before its first release (they may already
  // behave like it) and after its last (they still do).
  if (auto dash = text.find(" - "); dash != std::string_view::npos) {
    auto lo = index_of(text.substr(0, dash));
    auto hi = index_of(text.substr(dash + 3));
    if (!lo || !hi || *lo > *hi) return std::nullopt;
    return VersionSet::span(2 * *lo, 2 * *hi + 2);
  }
  for (std::string_view op : {">=", "<=", ">", "<"}) {
    if (!text.starts_with(op)) continue;
    auto at = index_of(text.substr(op.size()));
    if (!at) return std::nullopt;
    if (op == ">=") return VersionSet::span(2 * *at, top);
    if (op == ">") return VersionSet::span(2 * *at + 2, top);
    if (op == "<=") return VersionSet::span(0, 2 * *at + 2);
    return VersionSet::span(0, 2 * *at);
  }
  auto at = index_of(text);
  if (!at) return std::nullopt;
  return VersionSet::span(2 * *at, 2 * *at + 2);
}

VersionSet VersionLine::claimed(std::string_view version) const {
  auto numbers = version_numbers(version);
  if (numbers.empty()) return {};
  numbers = series(std::move(numbers));
  auto it = std::lower_bound(numbers_.begin(), numbers_.end(), numbers);
  auto i = unsigned(it - numbers_.begin());
  if (it != numbers_.end() && *it == numbers) return VersionSet::span(2 * i + 1, 2 * i + 2);
  return VersionSet::span(2 * i, 2 * i);  // an unlisted series: the gap it falls in
}

std::string VersionLine::describe(VersionSet set) const {
  const unsigned top = 2 * unsigned(releases_.size());
  if (set.empty() || (set.contains(0) && set.contains(top))) return {};
  std::optional<unsigned> lo, hi;
  for (unsigned i = 0; i < releases_.size(); ++i) {
    if (!set.contains(2 * i + 1)) continue;
    if (!lo) lo = i;
    hi = i;
  }
  if (!lo) {  // builds between two releases only
    unsigned gap = set.lowest();
    if (gap == 0) return "< " + releases_.front();
    const std::string& before = releases_[gap / 2 - 1];
    return gap == top ? "> " + before : before + " - " + releases_[gap / 2];
  }
  if (set.contains(top)) return ">= " + releases_[*lo];
  if (set.contains(0)) return "<= " + releases_[*hi];
  if (*lo == *hi) return releases_[*lo];
  return releases_[*lo] + " - " + releases_[*hi];
}

}  // namespace eo::aggregator::reference
