#include "harness/conversions.h"

#include <algorithm>
#include <cctype>
#include <climits>

#include "util/bounded_json.h"

namespace racecheck {
namespace {

constexpr const char* kBytesKey = "$bytes";
constexpr int kMaxDecimalScale = 18;
// Longest decimal text accepted (digits after moving the exponent): far more
// than any amount, small enough that "1e999999" cannot ask for a huge string.
constexpr std::size_t kMaxDecimalDigits = 60;

std::string shown(const json& value) {
  std::string text = value.is_string() ? "\"" + value.get<std::string>() + "\"" : value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

[[noreturn]] void fail(const std::string& filter, const json& value, const std::string& reason) {
  throw ConversionError(filter + ": " + shown(value) + " " + reason);
}

// A decimal number as text: sign, digits and the position of the point.
struct DecimalText {
  bool negative = false;
  std::string digits;   // without the point, no sign
  long point = 0;       // digits before the point
};

std::optional<DecimalText> parse_decimal(std::string_view text) {
  DecimalText d;
  std::size_t i = 0;
  if (i < text.size() && text[i] == '-') {
    d.negative = true;
    ++i;
  }
  bool seen_digit = false, seen_point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      d.digits += c;
      if (!seen_point) ++d.point;
      seen_digit = true;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!seen_digit) return std::nullopt;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negative_exponent = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative_exponent = text[i++] == '-';
    long exponent = 0;
    bool exponent_digit = false;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      exponent = exponent * 10 + (text[i] - '0');
      exponent_digit = true;
      if (exponent > static_cast<long>(kMaxDecimalDigits)) return std::nullopt;
    }
    if (!exponent_digit) return std::nullopt;
    d.point += negative_exponent ? -exponent : exponent;
  }
  if (i != text.size()) return std::nullopt;
  return d;
}

// The decimal with exactly `scale` places; nullopt when that would drop a
// non-zero digit (no rounding: a wrong amount is worse than an error).
std::optional<std::string> decimal_with_scale(const DecimalText& d, int scale) {
  std::string integer_part, fraction;
  const long n = static_cast<long>(d.digits.size());
  if (d.point > static_cast<long>(kMaxDecimalDigits) || -d.point > static_cast<long>(kMaxDecimalDigits)) return std::nullopt;
  for (long k = std::min(0L, d.point); k < std::max(n, d.point); ++k) {
    const char c = k >= 0 && k < n ? d.digits[static_cast<std::size_t>(k)] : '0';
    (k < d.point ? integer_part : fraction) += c;
  }
  const std::size_t places = static_cast<std::size_t>(scale);
  if (fraction.size() > places) {
    if (fraction.find_first_not_of('0', places) != std::string::npos) return std::nullopt;
    fraction.resize(places);
  }
  fraction.append(places - fraction.size(), '0');
  const std::size_t first = integer_part.find_first_not_of('0');
  integer_part = first == std::string::npos ? "0" : integer_part.substr(first);
  const bool zero = integer_part == "0" && fraction.find_first_not_of('0') == std::string::npos;
  return (d.negative && !zero ? "-" : "") + integer_part + (scale > 0 ? "." + fraction : "");
}

std::string number_text(const json& value) { return value.dump(); }

json to_string_value(const json& value) {
  if (value.is_string()) return value;
  if (is_bytes_value(value)) fail("string", value, "is bytes that are not valid UTF-8 (use base64)");
  if (value.is_number() || value.is_boolean()) return number_text(value);
  fail("string", value, "is not a number, string or boolean");
}

// The bytes an encoding filter encodes: a string's or bytes' own, a number's
// or boolean's text.
std::string bytes_of(const json& value, const std::string& filter) {
  if (std::optional<std::string> raw = raw_bytes(value)) return *raw;
  if (value.is_number() || value.is_boolean()) return number_text(value);
  fail(filter, value, "is not a string, bytes, number or boolean");
}

json decimal_value(const json& value, int scale, const std::string& filter) {
  std::string text;
  if (value.is_number()) text = number_text(value);
  else if (value.is_string()) text = value.get<std::string>();
  else fail(filter, value, "is not a number or a decimal string");
  std::optional<DecimalText> d = parse_decimal(text);
  if (!d) fail(filter, value, "is not a decimal number");
  std::optional<std::string> out = decimal_with_scale(*d, scale);
  if (!out) fail(filter, value, "has more than " + std::to_string(scale) + " decimal places (or too many digits)");
  return *out;
}

}  // namespace

json bytes_value(std::string raw) {
  if (is_valid_utf8(raw)) return raw;
  return json{{kBytesKey, base64_encode(raw)}};
}

bool is_bytes_value(const json& value) {
  return value.is_object() && value.size() == 1 && value.contains(kBytesKey) && value[kBytesKey].is_string();
}

std::optional<std::string> raw_bytes(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (is_bytes_value(value)) return decode_base64_any(value[kBytesKey].get<std::string>());
  return std::nullopt;
}

std::optional<std::string> decode_base64_any(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
  }
  if (standard.find('=') == std::string::npos) {
    if (standard.size() % 4 == 1) return std::nullopt;
    standard.append((4 - standard.size() % 4) % 4, '=');
  }
  std::string raw;
  if (!base64_decode(standard, &raw)) return std::nullopt;
  return raw;
}

std::string percent_encode(std::string_view text, bool space_as_plus) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ' && space_as_plus) {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::optional<std::int64_t> parse_int64(std::string_view text) {
  std::size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) ++i;
  if (i == text.size() || text.size() - i > 19) return std::nullopt;
  // Accumulated as a negative number: INT64_MIN has no positive counterpart.
  std::int64_t value = 0;
  for (; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
    const int digit = text[i] - '0';
    if (value < (INT64_MIN + digit) / 10) return std::nullopt;
    value = value * 10 - digit;
  }
  if (!negative) {
    if (value == INT64_MIN) return std::nullopt;
    value = -value;
  }
  return value;
}

const std::vector<std::string>& filter_names() {
  static const std::vector<std::string> names = {"string", "integer", "base64", "base64-decode",
                                                 "urlencode", "json", "decimal:N"};
  return names;
}

std::string filter_problem(const std::string& filter) {
  if (filter.rfind("decimal:", 0) == 0) {
    std::optional<std::int64_t> scale = parse_int64(std::string_view(filter).substr(8));
    if (scale && *scale >= 0 && *scale <= kMaxDecimalScale) return "";
    return "bad filter \"" + filter + "\": decimal:N needs N 0-" + std::to_string(kMaxDecimalScale);
  }
  const auto& names = filter_names();
  if (filter != "decimal:N" && std::find(names.begin(), names.end(), filter) != names.end()) return "";
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return "unknown filter \"" + filter + "\" (expected one of: " + list + ")";
}

std::int64_t to_int64(const json& value) {
  if (value.is_number_unsigned()) {
    if (value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) fail("integer", value, "does not fit in a 64-bit integer");
    return value.get<std::int64_t>();
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_float()) {
    // Only a float that is exactly an integer: 2^53 and beyond may already be rounded.
    const double d = value.get<double>();
    if (d >= -9007199254740992.0 && d <= 9007199254740992.0 && d == static_cast<double>(static_cast<std::int64_t>(d)))
      return static_cast<std::int64_t>(d);
    fail("integer", value, "is not an exact integer");
  }
  if (value.is_string()) {
    if (std::optional<std::int64_t> n = parse_int64(value.get<std::string>())) return *n;
    fail("integer", value, "is not a decimal integer that fits in 64 bits");
  }
  fail("integer", value, "is not a number or a decimal-integer string");
}

json apply_filter(const json& value, const std::string& filter) {
  if (filter == "string") return to_string_value(value);
  if (filter == "integer") return to_int64(value);
  if (filter == "base64") return base64_encode(bytes_of(value, filter));
  if (filter == "base64-decode") {
    if (!value.is_string()) fail(filter, value, "is not a string");
    std::optional<std::string> raw = decode_base64_any(value.get<std::string>());
    if (!raw) fail(filter, value, "is not base64");
    return bytes_value(std::move(*raw));
  }
  if (filter == "urlencode") return percent_encode(bytes_of(value, filter));
  if (filter == "json") {
    if (!value.is_string()) fail(filter, value, "is not a string holding JSON");
    json parsed = parse_bounded_json(value.get<std::string>());
    if (parsed.is_discarded()) fail(filter, value, "is not valid JSON");
    return parsed;
  }
  if (filter.rfind("decimal:", 0) == 0 && filter_problem(filter).empty()) {
    return decimal_value(value, static_cast<int>(*parse_int64(std::string_view(filter).substr(8))), filter);
  }
  throw ConversionError(filter_problem(filter));
}

json apply_filters(json value, const std::vector<std::string>& filters) {
  for (const auto& f : filters) value = apply_filter(value, f);
  return value;
}

PlaceholderExpression parse_placeholder_expression(const std::string& inner) {
  PlaceholderExpression e;
  std::size_t bar = inner.find('|');
  e.name = inner.substr(0, bar);
  if (e.name.empty()) throw std::invalid_argument("empty placeholder name in {" + inner + "}");
  while (bar != std::string::npos) {
    const std::size_t next = inner.find('|', bar + 1);
    std::string filter = inner.substr(bar + 1, next == std::string::npos ? std::string::npos : next - bar - 1);
    if (std::string problem = filter_problem(filter); !problem.empty())
      throw std::invalid_argument(problem + " in {" + inner + "}");
    e.filters.push_back(std::move(filter));
    bar = next;
  }
  if (e.name.rfind("secret:", 0) == 0) return e;
  const std::size_t op = e.name.find_first_of("+-");
  if (op != std::string::npos) {
    std::string left = e.name.substr(0, op), right = e.name.substr(op + 1);
    if (!left.empty() && !right.empty() && right.find_first_of("+-") == std::string::npos) {
      e.operands = {std::move(left), std::move(right)};
      e.arithmetic = e.name[op];
    }
  }
  return e;
}

std::int64_t checked_arithmetic(std::int64_t a, char op, std::int64_t b) {
  std::int64_t out = 0;
  const bool overflow = op == '+' ? __builtin_add_overflow(a, b, &out) : __builtin_sub_overflow(a, b, &out);
  if (overflow) {
    throw ConversionError(std::to_string(a) + " " + op + " " + std::to_string(b) + " does not fit in a 64-bit integer");
  }
  return out;
}

}  // namespace racecheck
