// no-overdraft and conservation: examples (including the wording of explanations),
// then properties over generated histories.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "properties/idempotency.h"
#include "properties/money.h"
#include "tests/properties/account_histories.h"
#include "tests/properties/op_builder.h"

namespace racecheck {
namespace {

using testing::acct;
using testing::add_op;

std::vector<Operation> opened(std::int64_t balance, const std::string& account = "") {
  std::vector<Operation> ops;
  add_op(ops, "open", {{"account", account}, {"balance", balance}}, Outcome::Ok, nullptr, 0, 1);
  return ops;
}

void final_read(std::vector<Operation>& ops, std::int64_t balance, const std::string& account = "") {
  add_op(ops, "read", {{"account", account}}, Outcome::Ok, {{"balance", balance}}, 1000, 1010);
}

TEST(NoOverdraft, NegativeBalanceInAnyResponseIsAViolation) {
  auto ops = opened(100);
  add_op(ops, "withdraw", acct(50), Outcome::Ok, {{"balance", 50}}, 10, 20);
  EXPECT_EQ(check_no_overdraft(ops).status, Status::Pass);
  add_op(ops, "withdraw", acct(60), Outcome::Ok, {{"balance", -10}}, 30, 40);
  const auto v = check_no_overdraft(ops);
  ASSERT_EQ(v.status, Status::Fail);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].ops, std::vector<int>{2});
  EXPECT_NE(v.violations[0].explanation.find("negative balance of -10"), std::string::npos);
}

TEST(NoOverdraft, SkippedWithoutObservations) {
  auto ops = opened(100);
  add_op(ops, "withdraw", acct(50), Outcome::Ok, nullptr, 10, 20);
  EXPECT_EQ(check_no_overdraft(ops).status, Status::Skipped);
}

TEST(Conservation, ExactWhenEveryOpIsDeterminate) {
  auto ops = opened(100);
  add_op(ops, "withdraw", acct(30), Outcome::Ok, nullptr, 10, 20);
  add_op(ops, "deposit", acct(5), Outcome::Ok, nullptr, 10, 20);
  add_op(ops, "withdraw", acct(500), Outcome::Fail, nullptr, 10, 20, "insufficient-funds");
  final_read(ops, 75);
  EXPECT_EQ(check_conservation(ops, "account").status, Status::Pass);
}

TEST(Conservation, LostUpdateSaysMoneyAppeared) {
  auto ops = opened(100);
  add_op(ops, "withdraw", acct(50), Outcome::Ok, nullptr, 10, 20);
  add_op(ops, "withdraw", acct(50), Outcome::Ok, nullptr, 11, 21);
  final_read(ops, 50);
  const auto v = check_conservation(ops, "account");
  ASSERT_EQ(v.status, Status::Fail);
  ASSERT_EQ(v.violations.size(), 1u);
  const auto& text = v.violations[0].explanation;
  EXPECT_NE(text.find("2 withdrawals of 50 succeeded from 100 but the balance fell by 50"), std::string::npos) << text;
  EXPECT_NE(text.find("one update was lost"), std::string::npos) << text;
  EXPECT_EQ(v.violations[0].ops, (std::vector<int>{0, 1, 2, 3}));
}

TEST(Conservation, DoubleChargeSaysMoneyVanished) {
  auto ops = opened(100);
  add_op(ops, "withdraw", acct(30), Outcome::Ok, nullptr, 10, 20);
  final_read(ops, 40);
  const auto v = check_conservation(ops, "account");
  ASSERT_EQ(v.status, Status::Fail);
  const auto& text = v.violations.at(0).explanation;
  EXPECT_NE(text.find("30 vanished"), std::string::npos) << text;
  EXPECT_NE(text.find("double charge"), std::string::npos) << text;
}

TEST(Conservation, LostDepositIsALostUpdateNotADoubleCharge) {
  auto ops = opened(100);
  add_op(ops, "deposit", acct(1), Outcome::Ok, nullptr, 10, 20);
  add_op(ops, "deposit", acct(1), Outcome::Ok, nullptr, 11, 21);
  final_read(ops, 101);
  const auto v = check_conservation(ops, "account");
  ASSERT_EQ(v.status, Status::Fail);
  const auto& text = v.violations.at(0).explanation;
  EXPECT_NE(text.find("1 vanished; a deposit was lost (lost update)"), std::string::npos) << text;
  EXPECT_EQ(text.find("double charge"), std::string::npos) << text;
}

TEST(Conservation, InfoOpsAreAFeasibilityQuestion) {
  for (std::int64_t final_balance : {100, 90, 80, 70}) {  // any subset of {-10, -20}
    auto ops = opened(100);
    add_op(ops, "withdraw", acct(10), Outcome::Info, nullptr, 10, 0, "timeout");
    add_op(ops, "withdraw", acct(20), Outcome::Info, nullptr, 10, 0, "timeout");
    final_read(ops, final_balance);
    EXPECT_EQ(check_conservation(ops, "account").status, Status::Pass) << final_balance;
  }
  auto ops = opened(100);
  add_op(ops, "withdraw", acct(10), Outcome::Info, nullptr, 10, 0, "timeout");
  add_op(ops, "withdraw", acct(20), Outcome::Info, nullptr, 10, 0, "timeout");
  final_read(ops, 85);
  const auto v = check_conservation(ops, "account");
  ASSERT_EQ(v.status, Status::Fail);
  EXPECT_NE(v.violations.at(0).explanation.find("indeterminate"), std::string::npos);
}

TEST(Conservation, PerAccountAndTransfers) {
  std::vector<Operation> ops;
  add_op(ops, "open", {{"account", "a"}, {"balance", 100}}, Outcome::Ok, nullptr, 0, 1);
  add_op(ops, "open", {{"account", "b"}, {"balance", 0}}, Outcome::Ok, nullptr, 0, 1);
  add_op(ops, "transfer", {{"from", "a"}, {"to", "b"}, {"amount", 40}}, Outcome::Ok, nullptr, 10, 20);
  final_read(ops, 60, "a");
  final_read(ops, 40, "b");
  EXPECT_EQ(check_conservation(ops, "account").status, Status::Pass);
  ops.back().output["balance"] = 0;
  const auto v = check_conservation(ops, "account");
  ASSERT_EQ(v.status, Status::Fail);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_NE(v.violations[0].explanation.find("account 'b'"), std::string::npos);
}

TEST(Conservation, SkippedWithoutAFinalRead) {
  auto ops = opened(100);
  add_op(ops, "read", {{"account", ""}}, Outcome::Ok, {{"balance", 100}}, 5, 30);  // overlaps the withdrawal
  add_op(ops, "withdraw", acct(30), Outcome::Ok, nullptr, 10, 20);
  EXPECT_EQ(check_conservation(ops, "account").status, Status::Skipped);
  EXPECT_EQ(check_conservation(ops, "register").status, Status::Skipped);
}

TEST(Conservation, PendingInfoOpsDoNotHideTheFinalRead) {
  auto ops = opened(100);
  add_op(ops, "withdraw", acct(30), Outcome::Info, nullptr, 10, 0, "timeout");  // may still be pending
  final_read(ops, 70);
  EXPECT_EQ(check_conservation(ops, "account").status, Status::Pass);
}

TEST(Conservation, TooManyIndeterminateOpsIsUnknownNeverPass) {
  auto ops = opened(0);
  std::int64_t amount = 1;
  for (int i = 0; i < 16; ++i, amount *= 2) add_op(ops, "deposit", acct(amount), Outcome::Info, nullptr, 10, 0);
  final_read(ops, 12345);
  ConservationOptions o;
  o.max_subset_sums = 1000;
  EXPECT_EQ(check_conservation(ops, "account", o).status, Status::Unknown);
  EXPECT_EQ(check_conservation(ops, "account").status, Status::Pass);  // 2^16 sums: within the default bound
}

TEST(Conservation, InventoryStock) {
  std::vector<Operation> ops;
  add_op(ops, "stock", {{"item", "x"}, {"quantity", 5}}, Outcome::Ok, nullptr, 0, 1);
  add_op(ops, "reserve", {{"item", "x"}, {"quantity", 2}}, Outcome::Ok, nullptr, 10, 20);
  add_op(ops, "reserve", {{"item", "x"}, {"quantity", 2}}, Outcome::Ok, nullptr, 10, 20);
  add_op(ops, "read", {{"item", "x"}}, Outcome::Ok, {{"stock", 3}}, 100, 110);
  const auto v = check_conservation(ops, "inventory");
  ASSERT_EQ(v.status, Status::Fail);
  EXPECT_NE(v.violations.at(0).explanation.find("2 reservations of 2"), std::string::npos)
      << v.violations.at(0).explanation;
}

testing::Rand rc_rand() {
  return [](int lo, int hi) { return *rc::gen::inRange(lo, hi + 1); };
}

RC_GTEST_PROP(MoneyProperty, GeneratedHistoriesConserveAndNeverOverdraw, ()) {
  testing::AccountHistoryBuilder b(rc_rand());
  const auto g = b.build(testing::Fault::None);
  const auto ops = pair_operations(g.events).ops;
  RC_ASSERT(check_no_overdraft(ops).status == Status::Pass);
  const auto v = check_conservation(collapse_idempotent(ops).ops, "account");
  RC_ASSERT(v.status == Status::Pass);
}

RC_GTEST_PROP(MoneyProperty, LostUpdatesAndDoubleEffectsBreakConservation, ()) {
  const auto fault = *rc::gen::element(testing::Fault::LostUpdate, testing::Fault::DoubleEffect);
  testing::AccountHistoryBuilder b(rc_rand());
  const auto g = b.build(fault);
  RC_PRE(g.fault_injected);
  for (const auto& e : g.events) RC_LOG() << event_to_jsonl(e);
  const auto v = check_conservation(collapse_idempotent(pair_operations(g.events).ops).ops, "account");
  RC_LOG() << v.summary << "\n";
  for (const auto& x : v.violations) RC_LOG() << x.explanation << "\n";
  RC_ASSERT(v.status == Status::Fail);
  const std::string expected = fault == testing::Fault::LostUpdate ? "appeared" : "vanished";
  RC_ASSERT(v.violations.at(0).explanation.find(expected) != std::string::npos);
}

}  // namespace
}  // namespace racecheck
