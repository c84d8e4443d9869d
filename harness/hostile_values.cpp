#include "harness/hostile_values.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace racecheck {
namespace {

constexpr std::size_t kLongStringDigits = 5000;

std::string below_or_above(const IntegerDomain& d, bool below) {
  return below ? "is below the minimum " + std::to_string(d.lo) : "is above the maximum " + std::to_string(d.hi);
}

}  // namespace

std::string integer_domain_problem(const IntegerDomain& d, const json& value) {
  switch (value.type()) {
    case json::value_t::number_integer: {
      const std::int64_t n = value.get<std::int64_t>();
      if (n < d.lo) return n < 0 && d.lo >= 0 ? "is negative" : below_or_above(d, true);
      if (n > d.hi) return below_or_above(d, false);
      return "";
    }
    case json::value_t::number_unsigned: {
      const std::uint64_t n = value.get<std::uint64_t>();
      if (d.hi < 0 || n > static_cast<std::uint64_t>(d.hi)) return below_or_above(d, false);
      if (d.lo > 0 && n < static_cast<std::uint64_t>(d.lo)) return below_or_above(d, true);
      return "";
    }
    case json::value_t::number_float: {
      const double x = value.get<double>();
      if (!std::isfinite(x)) return "is not a finite number";
      if (x != std::floor(x)) return "is not an integer";
      if (x < static_cast<double>(d.lo)) return x < 0 && d.lo >= 0 ? "is negative" : below_or_above(d, true);
      // 2^63 and up do not fit; the double nearest hi may round up past it.
      if (x >= 9223372036854775808.0 || static_cast<std::int64_t>(x) > d.hi) return below_or_above(d, false);
      if (static_cast<std::int64_t>(x) < d.lo) return below_or_above(d, true);
      return "";
    }
    case json::value_t::string: return "is a string, not a number";
    case json::value_t::boolean: return "is a boolean, not a number";
    case json::value_t::null: return "is null";
    case json::value_t::array: return "is an array, not a number";
    case json::value_t::object: return "is an object, not a number";
    default: return "is not a number";
  }
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
      const json& base = choice.second;
      const std::int64_t v = base.is_number_integer() ? base.get<std::int64_t>() : 1;
      return hostile_values(v, extra).at(static_cast<std::size_t>(choice.first));
    });
  });
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
