// `racecheck init`: a starting spec (docs/spec.md) for an account-shaped API
// from its OpenAPI document. What the document does not say is guessed, and
// every guess is written next to it as a "$comment" for the user to check.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "harness/openapi_document.h"

namespace racecheck {

// Each role is "METHOD /path" as the document spells the path, or empty.
struct InitOperations {
  std::string withdraw;
  std::string deposit;
  std::string read;
  std::string setup;  // creates one account; its response gives the account's id
};

// Throws SpecError naming the document and the JSON pointer of what is
// missing or malformed, and InitOperationError for a role that names no
// operation of the document.
nlohmann::ordered_json spec_from_openapi(const OpenApiDocument& doc, const InitOperations& operations);

// A role flag whose value is not "METHOD /path" or names no operation.
struct InitOperationError : std::runtime_error {
  InitOperationError(std::string role_, const std::string& reason)
      : std::runtime_error(reason), role(std::move(role_)) {}
  std::string role;  // "withdraw", "deposit", "read" or "setup"
};

}  // namespace racecheck
