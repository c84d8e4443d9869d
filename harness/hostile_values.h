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
// zero fraction (50.0) is the integer 50: JSON has one number type. A declared
// domain is the user's; an undeclared one is a guess (generator.amount), so
// outside it racecheck judges only what is wrong under any reading.
struct IntegerDomain {
  std::int64_t lo = 1;
  std::int64_t hi = (std::int64_t{1} << 53) - 1;
  bool declared = true;
};

// What a hostile value is to its argument's domain:
//   valid    - inside the domain; a refusal as invalid input is reported;
//   read_as  - a service may refuse it or read it as the integer `reading`
//              ("50" as 50, and for an undeclared domain 0 or 2^53 + 1); if it
//              accepts it, it must execute exactly that, which the models judge;
//   invalid  - wrong under any reading (`problem` says why): it must be refused.
struct ArgumentJudgement {
  enum class Kind { Valid, ReadAs, Invalid };
  Kind kind = Kind::Valid;
  std::int64_t reading = 0;  // ReadAs
  std::string problem;       // Invalid: "is negative", "is a string that is not a number", ...
};

ArgumentJudgement judge_integer_argument(const IntegerDomain& domain, const json& value);

// The built-in hostile values made from a valid value v, simplest first: zero,
// -v, the numeric string "v", v + 0.5, "vabc", " v ", 5e-7, "5e-7", true, null,
// [v], {"value": v}, 2^31, 2^53 + 1, 2^63, 1e21, a 5000-digit string; then
// `extra` (the spec's own values) as written.
std::vector<json> hostile_values(std::int64_t v, const std::vector<json>& extra);

// With percent% chance a hostile value made from a valid draw, else the valid
// draw. Shrinks to the valid value first, then to the simpler hostile values
// and a smaller v.
rc::Gen<json> gen_maybe_hostile(rc::Gen<json> valid, int percent, std::vector<json> extra);

// The hostile value number `index` (an index into hostile_values) made from a
// valid draw.
rc::Gen<json> gen_hostile(rc::Gen<json> valid, int index, std::vector<json> extra);

// Whether a JSON body template holds "{name}" as a whole value: only there does
// the value go out with its JSON type (in a path, a query, a form or through a
// filter it is text).
bool holds_whole_placeholder(const json& body, const std::string& name);

}  // namespace racecheck
