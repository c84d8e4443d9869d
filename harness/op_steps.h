// Multi-request operations (docs/spec.md, "Multi-request operations"): the
// sequence that runs one attempt of an operation with "steps", and the
// {a-b} / {a+b} integer arithmetic its templates use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/spec_protocol.h"

namespace racecheck {

// "{balance-amount}": two placeholder names and the sign between them.
struct ArithmeticPlaceholder {
  std::string left;
  char sign = '-';
  std::string right;
};

// Every way to read `name` as left<sign>right with both names non-empty (a
// variable name may itself hold '-'); callers take the first whose two names
// they know.
std::vector<ArithmeticPlaceholder> arithmetic_splits(const std::string& name);

// A JSON integer, or a string holding a decimal integer (an ETag-style version,
// a 64-bit integer sent as a string); nullopt for anything else.
std::optional<std::int64_t> integer_of(const json& value);

// `lookup`, and for a name it does not know, the sum or difference of two
// integer placeholders. Throws RenderError when a side is not an integer or the
// result overflows 64 bits.
PlaceholderLookup with_integer_arithmetic(PlaceholderLookup lookup);

// The path (with query) of an absolute URL, for the history's step records.
std::string url_path(const std::string& url);

}  // namespace racecheck
