// The network map: servers per country as a choropleth in inline SVG. Country shapes come from
// world-atlas (TopoJSON, built in: atlas.h), decoded and projected here at report time (Natural
// Earth projection), so the page carries finished paths and needs no script or network to draw.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace eo::aggregator::report {

struct CountryShape {
  std::string alpha2;  // ISO 3166-1 alpha-2 (libloc's codes); empty when the atlas has none
  std::string name;
  std::string path;  // SVG path data in the map's coordinates
};

// Decodes a world-atlas TopoJSON text (object "countries") with the ISO 3166-1 list of
// iso-codes mapping numeric ids to alpha-2. Never throws: bad input gives no shapes.
std::vector<CountryShape> decode_countries(std::string_view topojson, std::string_view iso_3166);

// The built-in atlas, decoded once.
const std::vector<CountryShape>& builtin_countries();

// Width and height of the map's viewBox.
inline constexpr double kMapWidth = 960;
double map_height();

// Natural Earth projection of (longitude, latitude) in degrees into the map's coordinates.
struct Point {
  double x, y;
};
Point project(double longitude, double latitude);

// The <svg> choropleth: one <path class="country cN"> per country (N = 0 for no servers, 1..5
// by count), titled with the country and its servers, and a legend. Counts of codes that match
// no shape (e.g. "unknown", "onion") are not drawn; the caller lists them.
std::string map_svg(const std::vector<CountryShape>& countries,
                    const std::map<std::string, std::int64_t>& servers_by_country);

}  // namespace eo::aggregator::report
