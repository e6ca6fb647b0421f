#include "aggregator/report/world_map.h"

#include "aggregator/report/atlas.h"
#include "aggregator/report/html.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace eo::aggregator::report {

namespace {

using Json = nlohmann::json;
constexpr double kPi = 3.14159265358979323846;

struct LonLat {
  double lon, lat;
};
using Ring = std::vector<LonLat>;

// Unprojected Natural Earth (Šavrič et al. 2011), radians in, unit coordinates out.
Point natural_earth(double lambda, double phi) {
  double p2 = phi * phi, p4 = p2 * p2;
  return {
      lambda * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4))),
      phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)))};
}

const double kHalfWidth = natural_earth(kPi, 0).x;
const double kHalfHeight = natural_earth(0, kPi / 2).y;

// world-atlas arcs: quantized, delta-encoded positions; "transform" turns them into degrees.
std::vector<Ring> decode_arcs(const Json& topology) {
  std::vector<Ring> arcs;
  const Json& transform = topology.at("transform");
  double sx = transform.at("scale").at(0), sy = transform.at("scale").at(1);
  double tx = transform.at("translate").at(0), ty = transform.at("translate").at(1);
  for (const auto& arc : topology.at("arcs")) {
    Ring ring;
    double x = 0, y = 0;
    for (const auto& position : arc) {
      x += position.at(0).get<double>();
      y += position.at(1).get<double>();
      ring.push_back({x * sx + tx, y * sy + ty});
    }
    arcs.push_back(std::move(ring));
  }
  return arcs;
}

// A ring from its arc indexes (~i: arc i reversed); each arc after the first repeats the
// previous one's last point, which is dropped.
Ring ring_of(const Json& indexes, const std::vector<Ring>& arcs) {
  Ring ring;
  for (const auto& value : indexes) {
    long index = value.get<long>();
    bool reversed = index < 0;
    std::size_t i = static_cast<std::size_t>(reversed ? ~index : index);
    if (i >= arcs.size()) continue;
    Ring arc = arcs[i];
    if (reversed) std::reverse(arc.begin(), arc.end());
    ring.insert(ring.end(), arc.begin() + (ring.empty() || arc.empty() ? 0 : 1), arc.end());
  }
  return ring;
}

void append_ring(std::string& path, const Ring& ring, double shift) {
  std::string last;
  bool first = true;
  for (const auto& p : ring) {
    Point q = project(p.lon + shift, p.lat);
    char text[48];
    std::snprintf(text, sizeof text, "%.1f,%.1f", q.x, q.y);
    if (text == last) continue;
    path += (first ? "M" : "L") + std::string(text);
    last = text;
    first = false;
  }
  if (!first) path += "Z";
}

// Rings that cross the antimeridian jump from +180 to -180 between two points. Unwrapped, such a
// ring is whole but reaches past ±180; it is drawn again shifted by 360° and the map clips both
// copies to the globe's outline. A ring around a pole (Antarctica) does not close when unwrapped
// and is drawn as it is: its jump runs along the map's edge.
void append_polygon_ring(std::string& path, const Ring& ring) {
  Ring unwrapped = ring;
  double offset = 0;
  bool crossed = false;
  for (std::size_t i = 1; i < ring.size(); ++i) {
    double step = ring[i].lon - ring[i - 1].lon;
    if (step > 180) offset -= 360, crossed = true;
    if (step < -180) offset += 360, crossed = true;
    unwrapped[i].lon = ring[i].lon + offset;
  }
  if (!crossed || offset != 0) {
    append_ring(path, ring, 0);
    return;
  }
  double lo = 180, hi = -180;
  for (const auto& p : unwrapped) lo = std::min(lo, p.lon), hi = std::max(hi, p.lon);
  append_ring(path, unwrapped, 0);
  if (hi > 180) append_ring(path, unwrapped, -360);
  if (lo < -180) append_ring(path, unwrapped, 360);
}

std::map<std::string, std::pair<std::string, std::string>> iso_by_numeric(std::string_view text) {
  std::map<std::string, std::pair<std::string, std::string>> out;
  auto iso = Json::parse(text, nullptr, false);
  if (!iso.is_object() || !iso.contains("3166-1")) return out;
  for (const auto& c : iso["3166-1"]) {
    if (c.contains("numeric") && c.contains("alpha_2")) {
      out[c["numeric"].get<std::string>()] = {c["alpha_2"].get<std::string>(),
                                              c.value("name", std::string())};
    }
  }
  return out;
}

int colour_class(std::int64_t servers, std::int64_t most) {
  if (servers <= 0 || most <= 0) return 0;
  if (most == 1) return 5;
  // Five steps on a log scale from 1 to the largest count: a few countries hold most servers.
  double step = std::log(double(servers)) / std::log(double(most));
  return std::clamp(1 + static_cast<int>(step * 4.999), 1, 5);
}

}  // namespace

double map_height() { return kMapWidth * kHalfHeight / kHalfWidth; }

Point project(double longitude, double latitude) {
  Point u = natural_earth(longitude * kPi / 180, latitude * kPi / 180);
  double scale = kMapWidth / (2 * kHalfWidth);
  return {(u.x + kHalfWidth) * scale, (kHalfHeight - u.y) * scale};
}

std::vector<CountryShape> decode_countries(std::string_view topojson, std::string_view iso_3166) {
  std::vector<CountryShape> shapes;
  try {
    auto topology = Json::parse(topojson);
    auto arcs = decode_arcs(topology);
    auto iso = iso_by_numeric(iso_3166);
    for (const auto& g : topology.at("objects").at("countries").at("geometries")) {
      CountryShape shape;
      shape.name = g.contains("properties") ? g["properties"].value("name", "") : "";
      if (g.contains("id") && g["id"].is_string()) {
        auto it = iso.find(g["id"].get<std::string>());
        if (it != iso.end()) shape.alpha2 = it->second.first;
      }
      // Kosovo has no ISO 3166-1 code; libloc (like most registries) uses the user-assigned XK.
      if (shape.alpha2.empty() && shape.name == "Kosovo") shape.alpha2 = "XK";
      std::string type = g.value("type", "");
      if (type == "Polygon") {
        for (const auto& r : g.at("arcs")) append_polygon_ring(shape.path, ring_of(r, arcs));
      } else if (type == "MultiPolygon") {
        for (const auto& polygon : g.at("arcs")) {
          for (const auto& r : polygon) append_polygon_ring(shape.path, ring_of(r, arcs));
        }
      }
      if (!shape.path.empty()) shapes.push_back(std::move(shape));
    }
  } catch (const std::exception&) {
    return {};
  }
  return shapes;
}

const std::vector<CountryShape>& builtin_countries() {
  static const std::vector<CountryShape> shapes =
      decode_countries(builtin_world_atlas(), builtin_iso_3166());
  return shapes;
}

std::string map_svg(const std::vector<CountryShape>& countries,
                    const std::map<std::string, std::int64_t>& servers_by_country) {
  std::int64_t most = 0;
  for (const auto& [_, n] : servers_by_country) most = std::max(most, n);
  std::string height = fixed(map_height(), 1);
  std::string out = "<svg id=\"world-map\" class=\"map\" viewBox=\"0 0 " + fixed(kMapWidth, 0) +
                    " " + height +
                    "\" role=\"img\" aria-label=\"Servers per country\" "
                    "xmlns=\"http://www.w3.org/2000/svg\">\n";
  // The globe's outline: the meridians ±180 and the poles' lines, clipping copies of shapes
  // that cross the antimeridian.
  std::string outline;
  for (int lat = -90; lat <= 90; lat += 5) {
    Point p = project(180, lat);
    outline += (outline.empty() ? "M" : "L") + fixed(p.x, 1) + "," + fixed(p.y, 1);
  }
  for (int lat = 90; lat >= -90; lat -= 5) {
    Point p = project(-180, lat);
    outline += "L" + fixed(p.x, 1) + "," + fixed(p.y, 1);
  }
  outline += "Z";
  out += "<defs><clipPath id=\"globe\"><path d=\"" + outline + "\"/></clipPath></defs>\n";
  out += "<path class=\"sphere\" d=\"" + outline + "\"/>\n<g clip-path=\"url(#globe)\">\n";
  for (const auto& c : countries) {
    auto it = c.alpha2.empty() ? servers_by_country.end() : servers_by_country.find(c.alpha2);
    std::int64_t n = it == servers_by_country.end() ? 0 : it->second;
    out += "<path class=\"country c" + std::to_string(colour_class(n, most)) + "\" data-cc=\"" +
           escape(c.alpha2) + "\" data-servers=\"" + std::to_string(n) + "\" d=\"" + c.path +
           "\"><title>" + escape(c.name) + (c.alpha2.empty() ? "" : " (" + escape(c.alpha2) + ")") +
           ": " + std::to_string(n) + (n == 1 ? " server" : " servers") + "</title></path>\n";
  }
  out += "</g>\n";
  // Legend: the lower bound of each class.
  double y = map_height() - 110;
  out += "<g class=\"legend\"><text x=\"10\" y=\"" + fixed(y - 8, 1) + "\">servers</text>\n";
  for (int k = 0; k <= 5; ++k) {
    std::int64_t low = 0;
    if (k > 0) {
      for (std::int64_t n = 1; n <= most; ++n) {
        if (colour_class(n, most) == k) {
          low = n;
          break;
        }
      }
      if (low == 0) continue;
    }
    double row = y + 16 * k;
    out += "<rect class=\"c" + std::to_string(k) + "\" x=\"10\" y=\"" + fixed(row, 1) +
           "\" width=\"14\" height=\"12\"/><text x=\"30\" y=\"" + fixed(row + 10, 1) + "\">" +
           (k == 0 ? std::string("0") : "≥ " + std::to_string(low)) + "</text>\n";
  }
  return out + "</g>\n</svg>\n";
}

}  // namespace eo::aggregator::report
