// Exact decimal money. A spec declares a money scale (decimal places, 0-18);
// the harness records every money field of a history as a whole number of
// minor units (10.50 at scale 2 is 1050), converted from the decimal text
// sent or received, so the checkers stay integer and exact. A value that is
// not a whole number of minor units (a balance kept in binary floating point:
// 0.30000000000000004) is recorded as its exact decimal text, and the
// exact-money invariant reports it with the exact difference. No floating
// point anywhere: a JSON number is read through its shortest round-trip text,
// which is the decimal the sender meant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "properties/history.h"

namespace racecheck::money {

inline constexpr int kMaxScale = 18;

// A decimal number: digits * 10^exponent, digits without leading or trailing
// zeros ("" is zero).
struct Decimal {
  bool negative = false;
  std::string digits;
  int exponent = 0;
};

// "-10.50", "10.5", "1e-05", "3E+2": an optional sign, digits with an optional
// point, an optional exponent. nullopt for anything else (spaces, "0x10", "").
std::optional<Decimal> parse_decimal(std::string_view text);

// The decimal text a JSON value denotes: an integer's digits, a float's
// shortest round-trip text (what nlohmann dumps and JSON.stringify sends), a
// string's own text when it is a decimal. nullopt otherwise.
std::optional<std::string> decimal_text(const json& value);

// value * 10^scale when it is a whole number that fits in 64 bits; else nullopt.
std::optional<std::int64_t> to_minor_units(const Decimal& d, int scale);

// What the harness records for a money field: the integer number of minor
// units when exact, else the value's decimal text (a JSON string). A value
// that is not a number or a decimal (null, "abc", an object) is unchanged.
json record_minor_units(const json& value, int scale);

// 1050 at scale 2 -> "10.50"; -5 at scale 2 -> "-0.05"; scale 0 -> "1050".
std::string format_minor_units(std::int64_t units, int scale);
// A recorded money value for a reader: an integer as format_minor_units, a
// string (an inexact value) as it is, anything else as its JSON text.
std::string format_recorded(const json& value, int scale);

// The unit a scale counts in words: "cents" at 2, else "units of 0.001".
std::string minor_unit_name(int scale);

// A decimal that is not a whole number of minor units: the nearest one and
// the exact distance to it, in major units at the scale ("0.30",
// "0.00000000000000004"). nullopt when `text` is not a decimal or is whole.
struct Inexact {
  std::string nearest;
  std::string off;
};
std::optional<Inexact> inexact_at_scale(std::string_view text, int scale);

}  // namespace racecheck::money
