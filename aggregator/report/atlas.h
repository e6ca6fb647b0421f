// The map data built into the binary (see atlas.cpp.in): empty when the build found none, and
// then the report says that it has no map instead of drawing one.
#pragma once

#include <string_view>

namespace eo::aggregator::report {

// world-atlas countries-110m.json: TopoJSON, country ids ISO 3166-1 numeric.
std::string_view builtin_world_atlas();
// iso-codes' iso_3166-1.json: {"3166-1": [{"alpha_2", "numeric", "name", ...}]}.
std::string_view builtin_iso_3166();

}  // namespace eo::aggregator::report
