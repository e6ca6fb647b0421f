// GeoDatabase over libloc (only libloc.h is extern "C"; the other headers are wrapped here).
#include "common/geo/geo.h"

#include <libloc/libloc.h>
extern "C" {
#include <libloc/as.h>
#include <libloc/database.h>
#include <libloc/network.h>
}

#include <cstdio>
#include <stdexcept>

namespace eo::geo {

struct GeoDatabase::Impl {
  loc_ctx* ctx = nullptr;
  loc_database* db = nullptr;
};

GeoDatabase::GeoDatabase(const std::string& path) : impl_(std::make_unique<Impl>()) {
  if (loc_new(&impl_->ctx) != 0) throw std::runtime_error("libloc: cannot create a context");
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) {
    loc_unref(impl_->ctx);
    throw std::runtime_error("cannot open location database " + path +
                             " (Debian package libloc-database)");
  }
  int rc = loc_database_new(impl_->ctx, &impl_->db, file);
  std::fclose(file);
  if (rc != 0) {
    loc_unref(impl_->ctx);
    throw std::runtime_error("not a location database: " + path);
  }
}

GeoDatabase::~GeoDatabase() {
  if (impl_->db) loc_database_unref(impl_->db);
  if (impl_->ctx) loc_unref(impl_->ctx);
}

std::optional<IpInfo> GeoDatabase::lookup(std::string_view ip) const {
  std::string text(ip);
  loc_network* network = nullptr;
  if (loc_database_lookup_from_string(impl_->db, text.c_str(), &network) != 0 || !network) {
    return std::nullopt;
  }
  IpInfo info;
  if (const char* prefix = loc_network_str(network)) info.network = prefix;
  if (const char* country = loc_network_get_country_code(network)) info.country = country;
  info.asn = loc_network_get_asn(network);
  info.anonymous_proxy = loc_network_has_flag(network, LOC_NETWORK_FLAG_ANONYMOUS_PROXY);
  info.anycast = loc_network_has_flag(network, LOC_NETWORK_FLAG_ANYCAST);
  loc_network_unref(network);
  if (info.asn != 0) {
    loc_as* as = nullptr;
    if (loc_database_get_as(impl_->db, &as, info.asn) == 0 && as) {
      if (const char* name = loc_as_get_name(as)) info.as_name = name;
      loc_as_unref(as);
    }
  }
  return info;
}

}  // namespace eo::geo
