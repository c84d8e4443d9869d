// Mode names shared by the demo binary's CLI, racecheck demo and specs: one
// table per mode, so parsing, printing and the error's list of accepted names
// cannot disagree.
#include <stdexcept>
#include <utility>

#include "targets/demo/bank.h"

namespace racecheck::demo {
namespace {

template <typename Mode, std::size_t N>
using ModeNames = std::pair<Mode, std::string_view>[N];

constexpr ModeNames<BalanceMode, 2> kBalanceModes = {{BalanceMode::Racy, "racy"}, {BalanceMode::Safe, "safe"}};
constexpr ModeNames<IdempotencyMode, 3> kIdempotencyModes = {
    {IdempotencyMode::None, "none"}, {IdempotencyMode::RacyCache, "racy-cache"}, {IdempotencyMode::Correct, "correct"}};
constexpr ModeNames<KeyScope, 2> kKeyScopes = {{KeyScope::Account, "account"}, {KeyScope::Global, "global"}};

// The mode called `name`; otherwise std::invalid_argument saying what was
// expected ("a, b or c").
template <typename Mode, std::size_t N>
Mode parse_mode(const ModeNames<Mode, N>& names, std::string_view name, std::string_view what) {
  std::string expected;
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i].second == name) return names[i].first;
    if (i > 0) expected += i + 1 == N ? " or " : ", ";
    expected += names[i].second;
  }
  throw std::invalid_argument("unknown " + std::string(what) + " '" + std::string(name) + "' (expected " +
                              expected + ")");
}

// The name of `mode`; the first name for a value outside the table.
template <typename Mode, std::size_t N>
std::string mode_name(const ModeNames<Mode, N>& names, Mode mode) {
  for (const auto& entry : names)
    if (entry.first == mode) return std::string(entry.second);
  return std::string(names[0].second);
}

}  // namespace

BalanceMode parse_balance_mode(std::string_view name) { return parse_mode(kBalanceModes, name, "balance mode"); }

IdempotencyMode parse_idempotency_mode(std::string_view name) {
  return parse_mode(kIdempotencyModes, name, "idempotency mode");
}

KeyScope parse_key_scope(std::string_view name) { return parse_mode(kKeyScopes, name, "key scope"); }

std::string to_string(BalanceMode mode) { return mode_name(kBalanceModes, mode); }

std::string to_string(IdempotencyMode mode) { return mode_name(kIdempotencyModes, mode); }

}  // namespace racecheck::demo
