#include "reports/text_util.h"

#include <cmath>
#include <cstdio>

#include "util/text.h"

namespace racecheck::report_text {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// The characters that markup text and attribute values must not hold raw, and
// the entity written for each.
constexpr std::string_view kMarkupChars = "&<>\"'";
constexpr std::string_view kMarkupEntities[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};

std::string escape_markup(std::string_view s, bool xml) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) { out += kReplacement; ++i; continue; }
    if (len > 1) { out.append(s.substr(i, len)); i += len; continue; }
    const char c = s[i++];
    if (const std::size_t k = kMarkupChars.find(c); k != std::string_view::npos) {
      out += kMarkupEntities[k];
    } else if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      if (xml) out += kReplacement;  // not representable in XML 1.0, even as a reference
      else out += "&#" + std::to_string(static_cast<int>(c)) + ";";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) { out += kReplacement; ++i; continue; }
    out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

std::string html_escape(std::string_view s) { return escape_markup(s, false); }
std::string xml_escape(std::string_view s) { return escape_markup(s, true); }

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string dump_json(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string json_for_script(const nlohmann::json& j) {
  // '<', '>' and '&' occur in JSON text only inside strings, where \u escapes are
  // equivalent; this way no "</script>" or "<!--" can end the data block early.
  const std::string text = dump_json(j);
  std::string out;
  out.reserve(text.size() + 64);
  for (char c : text) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string format_duration_ns(double ns) {
  if (!std::isfinite(ns) || ns < 0) return "-";
  if (ns < 1e3) return format_fixed(ns, 0) + " ns";
  if (ns < 1e6) return format_fixed(ns / 1e3, ns < 1e4 ? 2 : 1) + " \xC2\xB5s";
  if (ns < 1e9) return format_fixed(ns / 1e6, ns < 1e7 ? 2 : 1) + " ms";
  return format_fixed(ns / 1e9, 2) + " s";
}

}  // namespace racecheck::report_text
