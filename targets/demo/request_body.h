// Validation of the small JSON bodies the bank accepts ({"amount": n},
// {"balance": n}). Errors carry a detail naming the JSON pointer and the reason.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace racecheck::demo {

struct BadRequest : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads the non-negative integer field `name` (at most kMaxMoney) from a JSON
// object body. A missing field is an error if `required`, else `fallback`.
// Throws BadRequest.
std::int64_t parse_money_field(const std::string& body, const std::string& name,
                               bool required, std::int64_t fallback = 0);

}  // namespace racecheck::demo
