// Accounts and their balances. In racy mode a balance change is a read, a gap
// and a write, each step atomic on its own: the race is in the business logic
// (check-then-act), never a C++ data race. Safe mode does the same
// steps while holding the account's mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "targets/demo/bank.h"

namespace racecheck::demo {

// Largest balance or amount the bank accepts, so that no sum overflows int64.
inline constexpr std::int64_t kMaxMoney = 1'000'000'000'000'000;  // 10^15

struct BalanceChange {
  enum class Result { Applied, InsufficientFunds, WouldOverflow };
  Result result;
  std::int64_t balance;  // after the change if applied, else the balance seen
};

class AccountStore {
 public:
  AccountStore(BalanceMode mode, int race_window_us);

  std::string create(std::int64_t initial_balance);  // returns "acc-N"
  std::optional<std::int64_t> balance(const std::string& id) const;
  bool exists(const std::string& id) const;

  // nullopt: no such account.
  std::optional<BalanceChange> withdraw(const std::string& id, std::int64_t amount);
  std::optional<BalanceChange> deposit(const std::string& id, std::int64_t amount);

 private:
  struct Account {
    explicit Account(std::int64_t initial) : balance(initial) {}
    std::atomic<std::int64_t> balance;
    std::mutex serialize;  // held across read-gap-write in safe mode only
  };

  Account* find(const std::string& id) const;  // accounts are never removed
  BalanceChange read_gap_write(Account& account, std::int64_t delta);
  void race_window() const;

  const BalanceMode mode_;
  const int race_window_us_;
  mutable std::shared_mutex accounts_mutex_;
  std::unordered_map<std::string, std::unique_ptr<Account>> accounts_;
  std::atomic<std::uint64_t> next_id_{1};
};

}  // namespace racecheck::demo
