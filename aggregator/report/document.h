// The report page: one self-contained HTML file. Styles, the table-sorting script and the SVG are
// inline, and a Content-Security-Policy forbids every fetch and every script but ours (by hash),
// so the page works offline and a string that escaped escaping still could not run.
#pragma once

#include "aggregator/report/sections.h"

#include <string>
#include <vector>

namespace eo::aggregator::report {

std::string render_document(const std::vector<Section>& sections);

// The script the page carries (sorts a table when a header is clicked) and its CSP source.
const std::string& sort_script();
std::string script_hash_source(const std::string& script);

}  // namespace eo::aggregator::report
