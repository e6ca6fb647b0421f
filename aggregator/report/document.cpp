#include "aggregator/report/document.h"

#include "aggregator/report/html.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace eo::aggregator::report {

namespace {

constexpr const char* kStyle = R"css(
:root{--ink:#1b1f24;--muted:#5c6670;--line:#d8dde3;--head:#f3f5f7}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);margin:0}
header{background:#0b3d5c;color:#fff;padding:16px 24px}
header h1{margin:0;font-size:22px}
nav{padding:8px 24px;border-bottom:1px solid var(--line);background:var(--head)}
nav a{margin-right:14px;color:#0b5cad;text-decoration:none}
main{padding:0 24px 40px;max-width:1400px}
section{margin-top:28px}
h2{border-bottom:2px solid #0b3d5c;padding-bottom:4px}
h3{margin-top:18px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
th{background:var(--head);cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \25B2"}
th[aria-sort=descending]::after{content:" \25BC"}
td[data-sort]{text-align:right;font-variant-numeric:tabular-nums}
td ul{margin:0;padding-left:16px}
code{font-size:12px;word-break:break-all}
details.evidence summary{cursor:pointer;color:#0b5cad}
p.none{color:var(--muted);font-style:italic}
dl.overview{display:grid;grid-template-columns:max-content auto;gap:4px 16px}
dl.overview dt{color:var(--muted)}
dl.overview dd{margin:0}
svg.map{width:100%;max-width:1100px;height:auto}
.sphere{fill:#eef4f8;stroke:#9fb3c4}
.country{stroke:#fff;stroke-width:.4}
.country:hover{stroke:#000;stroke-width:1}
.c0{fill:#dde1e5}.c1{fill:#c6dbef}.c2{fill:#9ecae1}
.c3{fill:#6baed6}.c4{fill:#3182bd}.c5{fill:#08519c}
.legend text{font-size:11px;fill:var(--ink)}
svg.chart{width:100%;max-width:680px;height:auto}
svg.chart .bar{fill:#3182bd}
svg.chart text{font-size:11px;fill:var(--ink)}
svg.chart .label{text-anchor:end}
svg.timeline{max-width:760px}
svg.timeline .axis{stroke:var(--muted)}
svg.timeline g text{fill:#fff}
.a0 rect,.down rect{fill:#c0392b}.a1 rect{fill:#c6dbef}.a2 rect{fill:#6baed6}.a3 rect{fill:#08519c}
.up rect{fill:#2e8b57}.open rect{fill:#d95f02}.withdrawn rect{fill:#969696}
.v0 rect{fill:#3182bd}.v1 rect{fill:#e6550d}.v2 rect{fill:#31a354}
.v3 rect{fill:#756bb1}.v4 rect{fill:#636363}.v5 rect{fill:#bd9e39}
)css";

constexpr const char* kScript = R"js(
(function () {
  function key(cell) {
    var s = cell.getAttribute('data-sort');
    if (s === null) return null;
    var n = parseFloat(s);
    return isNaN(n) ? null : n;
  }
  function sortBy(table, th, col) {
    var ascending = th.getAttribute('aria-sort') !== 'ascending';
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
      h.removeAttribute('aria-sort');
    });
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col], y = b.cells[col];
      var kx = key(x), ky = key(y);
      var r = kx !== null && ky !== null ? kx - ky : x.textContent.localeCompare(y.textContent);
      return ascending ? r : -r;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.tabIndex = 0;
      th.title = 'sort';
      th.addEventListener('click', function () { sortBy(table, th, col); });
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(table, th, col); }
      });
    });
  });
})();
)js";

}  // namespace

const std::string& sort_script() {
  static const std::string script = kScript;
  return script;
}

std::string script_hash_source(const std::string& script) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(script.data()), script.size(), digest);
  unsigned char base64[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
  EVP_EncodeBlock(base64, digest, SHA256_DIGEST_LENGTH);
  return "'sha256-" + std::string(reinterpret_cast<const char*>(base64)) + "'";
}

std::string render_document(const std::vector<Section>& sections) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:; script-src " +
      script_hash_source(sort_script()) +
      "\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Electrum Observatory report</title>\n<style>" +
      std::string(kStyle) +
      "</style>\n</head>\n<body>\n<header><h1>Electrum Observatory "
      "report</h1></header>\n<nav>";
  for (const auto& s : sections) {
    html += "<a href=\"#" + escape(s.id) + "\">" + escape(s.title) + "</a>";
  }
  html += "</nav>\n<main>\n";
  for (const auto& s : sections) {
    html += "<section id=\"" + escape(s.id) + "\">\n<h2>" + escape(s.title) + "</h2>\n" + s.html +
            "</section>\n";
  }
  return html + "</main>\n<script>" + sort_script() + "</script>\n</body>\n</html>\n";
}

}  // namespace eo::aggregator::report
