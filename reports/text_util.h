// Small text helpers shared by the renderers: escaping for HTML, XML and sh, UTF-8
// repair, JSON dumping that never throws, number formatting.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace racecheck::report_text {

// Replaces invalid UTF-8 sequences by U+FFFD (bodies are raw bytes from the target).
std::string valid_utf8(std::string_view s);
// &, <, >, ", ' escaped; invalid UTF-8 repaired.
std::string html_escape(std::string_view s);
// As html_escape, and characters XML 1.0 forbids (most C0 controls) become U+FFFD.
std::string xml_escape(std::string_view s);
// Single-quoted for POSIX sh.
std::string shell_quote(std::string_view s);
// dump() with invalid UTF-8 replaced instead of throwing.
std::string dump_json(const nlohmann::json& j, int indent = -1);
// JSON text safe inside <script type="application/json">: '<', '>' and '&' as \u escapes.
std::string json_for_script(const nlohmann::json& j);
// "1.25 ms", "830 µs", "2.10 s".
std::string format_duration_ns(double ns);
std::string format_fixed(double v, int decimals);

}  // namespace racecheck::report_text
