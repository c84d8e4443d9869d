// Reading model arguments out of an Operation's JSON input/output. Internal to the
// models in this folder: every failure is a ModelInputError naming the op and field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "properties/history.h"
#include "properties/model.h"

namespace racecheck::fields {

// An integer argument; accepts JSON integers and integral floats (50.0).
// Missing → nullopt; present but not integral → ModelInputError.
std::optional<std::int64_t> optional_int(const Operation& op, const json& obj, const char* field);
std::int64_t required_int(const Operation& op, const json& obj, const char* field);
// A non-negative required integer (amounts, quantities).
std::int64_t required_amount(const Operation& op, const char* field);

// A name-like argument (account, item, name): a string, or a number rendered as
// decimal text. Missing or null → "".
std::string name_arg(const Operation& op, const char* field);
// The resource an op acts on: `field` ("item", ...) or, when absent, "account" —
// the harness names every resource "account" (an index), whatever the model.
std::string resource_arg(const Operation& op, const char* field);

// Fail errors that are business refusals (the service decided the op may not
// happen in the current state), as opposed to refusals that had no effect and
// say nothing about the state (busy, key-in-flight, key-reused, ...).
bool is_business_refusal(const std::string& error, std::initializer_list<const char*> refusal_errors);

// A sum, difference or negation that does not fit in 64 bits. A model or
// invariant that meets one cannot decide (its verdict is Unknown, naming the op
// and the values): wrapping would invent a state, and with it a violation.
struct ArithmeticOverflow : ModelInputError {
  using ModelInputError::ModelInputError;
};

// a + b, a - b, -a and |a|, exactly, or ArithmeticOverflow naming op_id and
// `what` (e.g. "deposit: balance + amount") with the values.
std::int64_t checked_add(std::int64_t a, std::int64_t b, int op_id, const std::string& what);
std::int64_t checked_sub(std::int64_t a, std::int64_t b, int op_id, const std::string& what);
std::int64_t checked_neg(std::int64_t a, int op_id, const std::string& what);
std::int64_t checked_abs(std::int64_t a, int op_id, const std::string& what);

}  // namespace racecheck::fields
