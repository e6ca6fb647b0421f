// Offline IP geography: country, ASN and AS name of an address, from IPFire's location database
// (Debian's libloc-database, CC BY-SA 4.0). No network access, no user data.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace eo::geo {

struct IpInfo {
  std::string network;  // the matching prefix, e.g. "8.8.8.0/24"
  std::string country;  // ISO 3166 alpha-2, empty when unknown
  std::uint32_t asn = 0;
  std::string as_name;
  bool anonymous_proxy = false;
  bool anycast = false;
};

class GeoDatabase {
 public:
  // Where Debian installs the database.
  static constexpr const char* kDefaultPath = "/usr/share/libloc-location/location.db";

  // Throws std::runtime_error naming the path when it cannot be opened.
  explicit GeoDatabase(const std::string& path = kDefaultPath);
  ~GeoDatabase();
  GeoDatabase(const GeoDatabase&) = delete;
  GeoDatabase& operator=(const GeoDatabase&) = delete;

  // nullopt for an address the database does not cover (private ranges, loopback) or bad text.
  std::optional<IpInfo> lookup(std::string_view ip) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eo::geo
