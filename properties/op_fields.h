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

}  // namespace racecheck::fields
