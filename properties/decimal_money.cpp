#include "properties/decimal_money.h"

#include <cctype>
#include <cstdint>


namespace racecheck::money {
namespace {

// Exponents beyond this are not money (and would make huge strings).
constexpr int kMaxExponent = 400;

// digits * 10^exponent as plain text, with at least `min_places` places.
std::string plain_text(bool negative, std::string digits, int exponent, int min_places = 0) {
  if (digits.empty()) digits.push_back('0');
  std::string out;
  if (exponent >= 0) {
    out = digits;
    out.append(static_cast<std::size_t>(exponent), '0');
    if (min_places > 0) {
      out += '.';
      out.append(static_cast<std::size_t>(min_places), '0');
    }
  } else {
    auto places = static_cast<std::size_t>(-exponent);
    if (static_cast<std::size_t>(min_places) > places) {
      digits += std::string(static_cast<std::size_t>(min_places) - places, '0');
      places = static_cast<std::size_t>(min_places);
    }
    if (digits.size() <= places) digits = std::string(places - digits.size() + 1, '0') + digits;
    out = digits.substr(0, digits.size() - places) + "." + digits.substr(digits.size() - places);
  }
  const bool zero = out.find_first_not_of("0.") == std::string::npos;
  return (negative && !zero ? "-" : "") + out;
}

// "129" -> "130": one added to a string of decimal digits.
std::string increment(std::string digits) {
  for (std::size_t i = digits.size(); i-- > 0;) {
    if (digits[i] != '9') {
      ++digits[i];
      return digits;
    }
    digits[i] = '0';
  }
  return "1" + digits;
}

std::string strip_leading_zeros(std::string digits) {
  const std::size_t first = digits.find_first_not_of('0');
  return first == std::string::npos ? std::string() : digits.substr(first);
}

}  // namespace

std::optional<Decimal> parse_decimal(std::string_view text) {
  std::size_t i = 0;
  Decimal d;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) d.negative = text[i++] == '-';
  std::string digits;
  int exponent = 0;
  bool any_digit = false, point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      any_digit = true;
      if (digits.empty() && c == '0') {
        if (point) --exponent;
        continue;
      }
      digits += c;
      if (point) --exponent;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (!any_digit) return std::nullopt;
  if (i < text.size()) {
    if (text[i] != 'e' && text[i] != 'E') return std::nullopt;
    ++i;
    bool negative_exponent = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative_exponent = text[i++] == '-';
    if (i == text.size()) return std::nullopt;
    int e = 0;
    for (; i < text.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
      if (e > kMaxExponent) return std::nullopt;
      e = e * 10 + (text[i] - '0');
    }
    exponent += negative_exponent ? -e : e;
  }
  while (!digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  if (digits.empty()) exponent = 0;
  if (exponent > kMaxExponent || exponent < -kMaxExponent - static_cast<int>(digits.size())) return std::nullopt;
  d.digits = std::move(digits);
  d.exponent = exponent;
  return d;
}

std::optional<std::string> decimal_text(const json& value) {
  if (value.is_number()) return value.dump();
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    if (parse_decimal(text)) return text;
  }
  return std::nullopt;
}

std::optional<std::int64_t> to_minor_units(const Decimal& d, int scale) {
  if (d.digits.empty()) return 0;
  const int shift = d.exponent + scale;
  if (shift < 0) return std::nullopt;  // digits has no trailing zeros: a fraction of a minor unit remains
  if (d.digits.size() + static_cast<std::size_t>(shift) > 19) return std::nullopt;
  const std::string whole = d.digits + std::string(static_cast<std::size_t>(shift), '0');
  // Accumulated negatively: -2^63 fits, 2^63 does not.
  std::int64_t v = 0;
  for (char c : whole) {
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_sub_overflow(v, c - '0', &v)) return std::nullopt;
  }
  if (d.negative) return v;
  if (v == INT64_MIN) return std::nullopt;
  return -v;
}

json record_minor_units(const json& value, int scale) {
  const std::optional<std::string> text = decimal_text(value);
  if (!text) return value;
  const std::optional<Decimal> d = parse_decimal(*text);
  if (!d) return value;
  if (const auto units = to_minor_units(*d, scale)) return *units;
  return *text;
}

std::string format_minor_units(std::int64_t units, int scale) {
  const bool negative = units < 0;
  // Digits of |units| without negating INT64_MIN.
  std::string digits;
  std::int64_t rest = units;
  do {
    const std::int64_t r = rest % 10;
    digits.insert(digits.begin(), static_cast<char>('0' + (r < 0 ? -r : r)));
    rest /= 10;
  } while (rest != 0);
  return plain_text(negative, strip_leading_zeros(digits), -scale, scale);
}

std::string format_recorded(const json& value, int scale) {
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
      return value.dump();
    return format_minor_units(value.get<std::int64_t>(), scale);
  }
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::string minor_unit_name(int scale) {
  if (scale == 2) return "cents";
  if (scale == 0) return "units";
  return "units of " + format_minor_units(1, scale);
}

std::optional<Inexact> inexact_at_scale(std::string_view text, int scale) {
  const std::optional<Decimal> d = parse_decimal(text);
  if (!d || d->digits.empty()) return std::nullopt;
  const int shift = d->exponent + scale;  // the value in minor units is digits * 10^shift
  if (shift >= 0) return std::nullopt;
  const auto fraction_places = static_cast<std::size_t>(-shift);
  std::string digits = d->digits;
  if (digits.size() < fraction_places) digits = std::string(fraction_places - digits.size(), '0') + digits;
  std::string whole = digits.substr(0, digits.size() - fraction_places);
  const std::string fraction = digits.substr(digits.size() - fraction_places);
  // Half a minor unit or more rounds away from zero.
  const bool up = fraction[0] >= '5';
  std::string off;
  if (!up) {
    off = fraction;
  } else {
    whole = increment(whole);
    // 10^n - fraction: nines' complement plus one.
    std::string complement = fraction;
    for (char& c : complement) c = static_cast<char>('9' - (c - '0'));
    off = increment(complement);
  }
  Inexact out;
  out.nearest = plain_text(d->negative, strip_leading_zeros(whole), -scale, scale);
  out.off = plain_text(false, strip_leading_zeros(off), shift - scale);
  return out;
}

}  // namespace racecheck::money
