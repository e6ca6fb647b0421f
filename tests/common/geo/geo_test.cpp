// Lookups against Debian's location database (facts from debian-cpp.md: 8.8.8.8 -> US, AS15169).
#include "common/geo/geo.h"

#include <gtest/gtest.h>

namespace eo::geo {
namespace {

TEST(Geo, KnownPublicAddress) {
  GeoDatabase db;
  auto info = db.lookup("8.8.8.8");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->country, "US");
  EXPECT_EQ(info->asn, 15169u);
  EXPECT_NE(info->as_name.find("GOOGLE"), std::string::npos) << info->as_name;
  EXPECT_FALSE(info->network.empty());
}

TEST(Geo, PrivateAndBadInputHaveNoAnswer) {
  GeoDatabase db;
  EXPECT_FALSE(db.lookup("127.0.0.1"));
  EXPECT_FALSE(db.lookup("not an ip"));
}

TEST(Geo, MissingDatabaseIsNamed) {
  try {
    GeoDatabase db("/nonexistent/location.db");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/location.db"), std::string::npos);
  }
}

}  // namespace
}  // namespace eo::geo
