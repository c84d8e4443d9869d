// Mode names shared by the demo binary's CLI, racecheck demo and specs.
#include <stdexcept>

#include "targets/demo/bank.h"

namespace racecheck::demo {

BalanceMode parse_balance_mode(std::string_view name) {
  if (name == "racy") return BalanceMode::Racy;
  if (name == "safe") return BalanceMode::Safe;
  throw std::invalid_argument("unknown balance mode '" + std::string(name) +
                              "' (expected racy or safe)");
}

IdempotencyMode parse_idempotency_mode(std::string_view name) {
  if (name == "none") return IdempotencyMode::None;
  if (name == "racy-cache") return IdempotencyMode::RacyCache;
  if (name == "correct") return IdempotencyMode::Correct;
  throw std::invalid_argument("unknown idempotency mode '" + std::string(name) +
                              "' (expected none, racy-cache or correct)");
}

KeyScope parse_key_scope(std::string_view name) {
  if (name == "account") return KeyScope::Account;
  if (name == "global") return KeyScope::Global;
  throw std::invalid_argument("unknown key scope '" + std::string(name) + "' (expected account or global)");
}

std::string to_string(BalanceMode mode) {
  return mode == BalanceMode::Racy ? "racy" : "safe";
}

std::string to_string(IdempotencyMode mode) {
  switch (mode) {
    case IdempotencyMode::None: return "none";
    case IdempotencyMode::RacyCache: return "racy-cache";
    case IdempotencyMode::Correct: return "correct";
  }
  return "none";
}

}  // namespace racecheck::demo
