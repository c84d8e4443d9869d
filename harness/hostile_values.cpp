#include "harness/hostile_values.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>

namespace racecheck {
namespace {

constexpr std::size_t kLongStringDigits = 5000;

// A value's reading as a number: exact for JSON integers and for strings of
// plain decimal digits, and good enough for doubles, whose only question here
// is whether they are whole and within 64 bits.
struct NumberReading {
  bool negative = false;
  bool whole = true;
  bool fits = true;          // |value| < 2^63
  std::int64_t value = 0;    // when whole and fits
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// "  -12.00 " reads as -12; "50abc", "5e-7", "0x10", "" and "+5" do not read
// as numbers: those are the forms whose readings differ between parsers
// (parseInt("5e-7") is 5, Number("5e-7") is 0.0000005).
std::optional<NumberReading> read_decimal_string(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  NumberReading r;
  if (!text.empty() && text.front() == '-') {
    r.negative = true;
    text.remove_prefix(1);
  }
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (whole.empty() || !digits(whole) || !digits(fraction) || (dot != std::string_view::npos && fraction.empty()))
    return std::nullopt;
  r.whole = std::all_of(fraction.begin(), fraction.end(), [](char c) { return c == '0'; });
  std::uint64_t magnitude = 0;
  for (char c : whole) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (magnitude > (std::uint64_t{1} << 63) / 10 || magnitude * 10 + digit >= (std::uint64_t{1} << 63)) {
      r.fits = false;
      break;
    }
    magnitude = magnitude * 10 + digit;
  }
  if (r.fits) r.value = r.negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude);
  if (r.value == 0 && r.fits) r.negative = false;  // "-0" is zero
  return r;
}

std::optional<NumberReading> read_number(const json& value) {
  NumberReading r;
  switch (value.type()) {
    case json::value_t::number_unsigned: {
      const std::uint64_t n = value.get<std::uint64_t>();
      r.fits = n < (std::uint64_t{1} << 63);
      if (r.fits) r.value = static_cast<std::int64_t>(n);
      return r;
    }
    case json::value_t::number_integer:
      r.value = value.get<std::int64_t>();
      r.negative = r.value < 0;
      return r;
    case json::value_t::number_float: {
      const double x = value.get<double>();
      if (!std::isfinite(x)) return std::nullopt;
      r.negative = x < 0;
      r.whole = x == std::floor(x);
      r.fits = x > -9223372036854775808.0 && x < 9223372036854775808.0;
      if (r.whole && r.fits) r.value = static_cast<std::int64_t>(x);
      if (r.value == 0 && r.whole) r.negative = false;  // -0.0 is zero
      return r;
    }
    case json::value_t::string: return read_decimal_string(value.get_ref<const std::string&>());
    default: return std::nullopt;
  }
}

std::string not_a_number(const json& value) {
  switch (value.type()) {
    case json::value_t::string: return "is a string that is not a plain number";
    case json::value_t::boolean: return "is a boolean, not a number";
    case json::value_t::null: return "is null";
    case json::value_t::array: return "is an array, not a number";
    case json::value_t::object: return "is an object, not a number";
    default: return "is not a finite number";
  }
}

ArgumentJudgement invalid(std::string problem) {
  ArgumentJudgement j;
  j.kind = ArgumentJudgement::Kind::Invalid;
  j.problem = std::move(problem);
  return j;
}

}  // namespace

ArgumentJudgement judge_integer_argument(const IntegerDomain& d, const json& value) {
  const std::optional<NumberReading> r = read_number(value);
  if (!r) return invalid(not_a_number(value));
  const bool may_be_negative = d.declared && d.lo < 0;
  if (r->negative && !may_be_negative) return invalid("is negative");
  if (!r->whole) return invalid("is not an integer");
  if (!r->fits) return invalid(d.declared ? "is above the maximum " + std::to_string(d.hi) : "does not fit in 64 bits");
  ArgumentJudgement j;
  j.reading = r->value;
  const bool in_range = r->value >= d.lo && r->value <= d.hi;
  if (d.declared) {
    if (r->value < d.lo) return invalid("is below the minimum " + std::to_string(d.lo));
    if (r->value > d.hi) return invalid("is above the maximum " + std::to_string(d.hi));
  }
  j.kind = value.is_number() && in_range ? ArgumentJudgement::Kind::Valid : ArgumentJudgement::Kind::ReadAs;
  return j;
}

std::vector<json> hostile_values(std::int64_t v, const std::vector<json>& extra) {
  const std::string text = std::to_string(v);
  std::vector<json> out = {
      json(0),
      json(v == std::numeric_limits<std::int64_t>::min() ? std::int64_t{-1} : -v),
      json(text),
      json(static_cast<double>(v) + 0.5),
      json(text + "abc"),
      json(" " + text + " "),
      json(5e-7),
      json("5e-7"),
      json(true),
      json(nullptr),
      json::array({v}),
      json::object({{"value", v}}),
      json(std::int64_t{1} << 31),
      json((std::int64_t{1} << 53) + 1),
      json(std::uint64_t{1} << 63),
      json(1e21),
      json(std::string(kLongStringDigits, '9')),
  };
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

namespace {

json hostile_value_from(const json& valid, int index, const std::vector<json>& extra) {
  const std::int64_t v = valid.is_number_integer() ? valid.get<std::int64_t>() : 1;
  return hostile_values(v, extra).at(static_cast<std::size_t>(index));
}

}  // namespace

rc::Gen<json> gen_maybe_hostile(rc::Gen<json> valid, int percent, std::vector<json> extra) {
  const int p = std::clamp(percent, 0, 100);
  // The mode is drawn as 0..99: below 100 - p valid. RapidCheck shrinks it
  // toward 0, so the valid value is tried first.
  auto mode = rc::gen::resize(rc::kNominalSize, rc::gen::inRange(0, 100));
  return rc::gen::mapcat(mode, [valid, p, extra](int m) -> rc::Gen<json> {
    if (m < 100 - p) return valid;
    const int count = static_cast<int>(hostile_values(0, extra).size());
    auto pick = rc::gen::resize(rc::kNominalSize, rc::gen::inRange(0, count));
    return rc::gen::map(rc::gen::pair(pick, valid), [extra](const std::pair<int, json>& choice) {
      return hostile_value_from(choice.second, choice.first, extra);
    });
  });
}

rc::Gen<json> gen_hostile(rc::Gen<json> valid, int index, std::vector<json> extra) {
  return rc::gen::map(valid, [index, extra](const json& base) { return hostile_value_from(base, index, extra); });
}

bool holds_whole_placeholder(const json& body, const std::string& name) {
  if (body.is_string()) return body.get_ref<const std::string&>() == "{" + name + "}";
  if (body.is_object() || body.is_array()) {
    for (const auto& item : body) {
      if (holds_whole_placeholder(item, name)) return true;
    }
  }
  return false;
}

}  // namespace racecheck
