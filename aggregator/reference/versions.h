// The version line of one implementation: its releases in order, and sets of versions on that
// line. A build from the development branch between two releases still reports the older
// release's number while it may already behave like the newer one, so every gap between releases
// is a version of its own: a range "1.17 - 1.18" holds the builds after 1.16 too, and a server
// claiming 1.16.0 that behaves like 1.17 is consistent (a build after the 1.16.0 tag).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eo::aggregator::reference {

// Positions on a line of n releases: 0 = before the first release, 2i+1 = release i, 2i+2 = the
// builds (and unlisted releases) after release i and before the next; 2n is open-ended.
class VersionSet {
 public:
  VersionSet() = default;
  static VersionSet span(unsigned first, unsigned last);  // both inclusive

  bool empty() const { return bits_ == 0; }
  bool contains(unsigned position) const { return bits_ >> position & 1; }
  VersionSet operator&(VersionSet o) const { return from(bits_ & o.bits_); }
  VersionSet operator|(VersionSet o) const { return from(bits_ | o.bits_); }
  bool intersects(VersionSet o) const { return (bits_ & o.bits_) != 0; }
  bool operator==(const VersionSet&) const = default;

  unsigned lowest() const;   // the set must not be empty
  unsigned highest() const;  // the set must not be empty

 private:
  static VersionSet from(std::uint64_t bits) {
    VersionSet s;
    s.bits_ = bits;
    return s;
  }
  std::uint64_t bits_ = 0;
};

class VersionLine {
 public:
  static constexpr std::size_t kMaxReleases = 31;  // 2n+1 positions fit one 64-bit set

  VersionLine() = default;
  // Release series in ascending order ("1.16", "2.0"); nullopt with `error` naming the first
  // bad one.
  static std::optional<VersionLine> make(std::vector<std::string> releases, std::string& error);

  const std::vector<std::string>& releases() const { return releases_; }
  VersionSet all() const { return VersionSet::span(0, 2 * unsigned(releases_.size())); }

  // "L", "L - U", ">= L", "> L", "<= U", "< U" over listed releases, or "" for every version;
  // nullopt when the text is none of these.
  std::optional<VersionSet> range(std::string_view text) const;

  // Where a server reporting `version` ("1.16.0") may be: the release of that series and the
  // builds after it; for an unlisted series, the gap it falls in; empty when unparseable.
  VersionSet claimed(std::string_view version) const;

  // A readable range of the releases in the set: "1.16 - 1.18", ">= 1.19", "<= 1.16", "1.16";
  // a set of builds between two releases only, as those two; "" for an empty set or one that
  // says nothing (open at both ends).
  std::string describe(VersionSet set) const;

 private:
  std::optional<unsigned> index_of(std::string_view release) const;

  std::vector<std::string> releases_;
  std::vector<std::vector<int>> numbers_;
};

// The leading dotted numbers of a version ("1.16.0-dirty" -> {1, 16, 0}); empty when none.
std::vector<int> version_numbers(std::string_view text);

}  // namespace eo::aggregator::reference
