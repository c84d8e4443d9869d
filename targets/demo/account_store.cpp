#include "targets/demo/account_store.h"

#include <chrono>
#include <thread>

namespace racecheck::demo {

AccountStore::AccountStore(BalanceMode mode, int race_window_us)
    : mode_(mode), race_window_us_(race_window_us) {}

std::string AccountStore::create(std::int64_t initial_balance) {
  std::string id = "acc-" + std::to_string(next_id_.fetch_add(1));
  std::unique_lock lock(accounts_mutex_);
  accounts_.emplace(id, std::make_unique<Account>(initial_balance));
  return id;
}

AccountStore::Account* AccountStore::find(const std::string& id) const {
  std::shared_lock lock(accounts_mutex_);
  auto it = accounts_.find(id);
  return it == accounts_.end() ? nullptr : it->second.get();
}

bool AccountStore::exists(const std::string& id) const { return find(id) != nullptr; }

std::optional<std::int64_t> AccountStore::balance(const std::string& id) const {
  Account* account = find(id);
  if (account == nullptr) return std::nullopt;
  return account->balance.load();
}

std::optional<BalanceChange> AccountStore::withdraw(const std::string& id, std::int64_t amount) {
  Account* account = find(id);
  if (account == nullptr) return std::nullopt;
  return read_gap_write(*account, -amount);
}

std::optional<BalanceChange> AccountStore::deposit(const std::string& id, std::int64_t amount) {
  Account* account = find(id);
  if (account == nullptr) return std::nullopt;
  return read_gap_write(*account, amount);
}

void AccountStore::race_window() const {
  if (race_window_us_ <= 0) {
    std::this_thread::yield();
  } else {
    std::this_thread::sleep_for(std::chrono::microseconds(race_window_us_));
  }
}

BalanceChange AccountStore::read_gap_write(Account& account, std::int64_t delta) {
  auto change = [&]() -> BalanceChange {
    const std::int64_t seen = account.balance.load();
    const std::int64_t next = seen + delta;
    if (next < 0) return {BalanceChange::Result::InsufficientFunds, seen};
    if (next > kMaxMoney) return {BalanceChange::Result::WouldOverflow, seen};
    // The gap between the check and the write is where concurrent requests
    // interleave: both read the same balance and the second write overwrites
    // the first (a lost update), or both pass a check only one should pass.
    race_window();
    account.balance.store(next);
    return {BalanceChange::Result::Applied, next};
  };
  if (mode_ == BalanceMode::Safe) {
    std::lock_guard lock(account.serialize);
    return change();
  }
  return change();
}

}  // namespace racecheck::demo
