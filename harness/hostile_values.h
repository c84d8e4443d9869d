// Hostile argument values (docs/spec.md, "Hostile values"): what the generator
// sends in place of a valid amount now and then, and the oracle's side of it,
// whether a value lies inside an argument's valid domain.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <rapidcheck.h>

namespace racecheck {

using json = nlohmann::json;

// An integer argument's valid domain: integers lo..hi. A JSON number with a
// zero fraction (50.0) is the integer 50: JSON has one number type.
struct IntegerDomain {
  std::int64_t lo = 1;
  std::int64_t hi = (std::int64_t{1} << 53) - 1;
};

// Why value lies outside the domain ("is negative", "is a string"); "" when it
// lies inside.
std::string integer_domain_problem(const IntegerDomain& domain, const json& value);

// The built-in hostile values made from a valid value v, simplest first: zero,
// -v, the numeric string "v", v + 0.5, "vabc", " v ", 5e-7, "5e-7", true, null,
// [v], {"value": v}, 2^31, 2^53 + 1, 2^63, 1e21, a 5000-digit string; then
// `extra` (the spec's own values) as written.
std::vector<json> hostile_values(std::int64_t v, const std::vector<json>& extra);

// With percent% chance a hostile value made from a valid draw, else the valid
// draw. Shrinks to the valid value first, then to the simpler hostile values
// and a smaller v.
rc::Gen<json> gen_maybe_hostile(rc::Gen<json> valid, int percent, std::vector<json> extra);

// Whether a JSON body template holds "{name}" as a whole value: only there does
// the value go out with its JSON type (in a path, a query, a form or through a
// filter it is text).
bool holds_whole_placeholder(const json& body, const std::string& name);

}  // namespace racecheck
