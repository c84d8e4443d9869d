// The HTML report's stylesheet and script (reports/assets/report.css, report.js),
// embedded at build time so the report is one file that opens offline (no CDN, no
// network: the page's CSP forbids any fetch). Keeping them as real files lets them
// be edited and linted as CSS and JavaScript.
// The script reads the JSON data block and builds the timeline; it only ever sets
// textContent and attributes, never innerHTML, so target data stays text.
//
// The page's Content-Security-Policy allows exactly these two blocks by their
// SHA-256 hashes (no 'unsafe-inline'): the markup carries no style attribute and
// no event handler attribute; widths drawn without the script are SVG geometry.
#pragma once

#include <string>
#include <string_view>

// kStyle and kScript, generated from reports/assets/ by reports/CMakeLists.txt.
#include "reports/report_assets_text.h"

namespace racecheck::html_assets {

// "'sha256-<base64 of the SHA-256 of block>'": a CSP source allowing that exact
// inline <script> or <style> content.
std::string csp_hash_source(std::string_view block);

}  // namespace racecheck::html_assets
