// The account model against the linearizability checker: examples, then properties
// over generated histories (tests/properties/account_histories.h).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "properties/account_model.h"
#include "properties/idempotency.h"
#include "properties/linearizability.h"
#include "tests/properties/account_histories.h"
#include "tests/properties/op_builder.h"

namespace racecheck {
namespace {

using testing::acct;
using testing::add_op;

Status lin(const std::vector<Operation>& ops) {
  return check_linearizability(*make_account_model(), ops).status;
}

std::vector<Operation> opened(std::int64_t balance, const std::string& account = "") {
  std::vector<Operation> ops;
  add_op(ops, "open", {{"account", account}, {"balance", balance}}, Outcome::Ok, nullptr, 0, 1);
  return ops;
}

TEST(AccountModel, SequentialWithdrawalsWithMatchingBalancesPass) {
  auto ops = opened(100);
  add_op(ops, "withdraw", acct(30), Outcome::Ok, {{"balance", 70}}, 10, 20);
  add_op(ops, "withdraw", acct(50), Outcome::Ok, {{"balance", 20}}, 30, 40);
  add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 50, 60, "insufficient-funds");
  add_op(ops, "read", {{"account", ""}}, Outcome::Ok, {{"balance", 20}}, 70, 80);
  EXPECT_EQ(lin(ops), Status::Pass);
}

TEST(AccountModel, OverdraftIsNotLinearizable) {
  auto ops = opened(100);
  add_op(ops, "withdraw", acct(60), Outcome::Ok, nullptr, 10, 20);
  add_op(ops, "withdraw", acct(60), Outcome::Ok, nullptr, 11, 21);
  EXPECT_EQ(lin(ops), Status::Fail);
}

TEST(AccountModel, LostUpdateBalancesAreNotLinearizable) {
  auto ops = opened(100);
  add_op(ops, "withdraw", acct(50), Outcome::Ok, {{"balance", 50}}, 10, 20);
  add_op(ops, "withdraw", acct(50), Outcome::Ok, {{"balance", 50}}, 11, 21);
  const auto v = check_linearizability(*make_account_model(), ops);
  ASSERT_EQ(v.status, Status::Fail);
  ASSERT_FALSE(v.violations.empty());
  EXPECT_FALSE(v.violations[0].explanation.empty());
}

TEST(AccountModel, UnjustifiedRefusalIsAViolationButBusyIsNot) {
  auto ops = opened(100);
  add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 10, 20, "insufficient-funds");
  EXPECT_EQ(lin(ops), Status::Fail);
  ops = opened(100);
  add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 10, 20, "");
  EXPECT_EQ(lin(ops), Status::Fail) << "an empty error is a business refusal";
  for (const char* harmless : {"busy", "key-in-flight", "key-reused"}) {
    ops = opened(100);
    add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 10, 20, harmless);
    add_op(ops, "read", {{"account", ""}}, Outcome::Ok, {{"balance", 100}}, 30, 40);
    EXPECT_EQ(lin(ops), Status::Pass) << harmless;
  }
}

TEST(AccountModel, RefusalJustifiedByAConcurrentWithdrawal) {
  auto ops = opened(100);
  add_op(ops, "withdraw", acct(80), Outcome::Ok, {{"balance", 20}}, 10, 40);
  add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 20, 30, "insufficient-funds");
  EXPECT_EQ(lin(ops), Status::Pass);
}

TEST(AccountModel, InfoOpMayOrMayNotTakeEffect) {
  for (std::int64_t final_balance : {100, 60}) {
    auto ops = opened(100);
    add_op(ops, "withdraw", acct(40), Outcome::Info, nullptr, 10, 0, "timeout");
    add_op(ops, "read", {{"account", ""}}, Outcome::Ok, {{"balance", final_balance}}, 50, 60);
    EXPECT_EQ(lin(ops), Status::Pass) << final_balance;
  }
  auto ops = opened(100);
  add_op(ops, "withdraw", acct(40), Outcome::Info, nullptr, 10, 0, "timeout");
  add_op(ops, "read", {{"account", ""}}, Outcome::Ok, {{"balance", 20}}, 50, 60);
  EXPECT_EQ(lin(ops), Status::Fail);
}

TEST(AccountModel, AccountsArePartitionedUnlessATransferJoinsThem) {
  const auto model = make_account_model();
  std::vector<Operation> ops;
  add_op(ops, "open", {{"account", "a"}, {"balance", 10}}, Outcome::Ok, nullptr, 0, 1);
  add_op(ops, "open", {{"account", "b"}, {"balance", 10}}, Outcome::Ok, nullptr, 0, 1);
  add_op(ops, "open", {{"account", "c"}, {"balance", 10}}, Outcome::Ok, nullptr, 0, 1);
  EXPECT_EQ(model->partition(ops).size(), 3u);
  add_op(ops, "transfer", {{"from", "a"}, {"to", "b"}, {"amount", 5}}, Outcome::Ok, nullptr, 10, 20);
  EXPECT_EQ(model->partition(ops).size(), 2u);
  add_op(ops, "read", {{"account", "b"}}, Outcome::Ok, {{"balance", 15}}, 30, 40);
  add_op(ops, "read", {{"account", "a"}}, Outcome::Ok, {{"balance", 5}}, 30, 40);
  EXPECT_EQ(lin(ops), Status::Pass);
  ops.back().output["balance"] = 10;  // the debit side vanished
  EXPECT_EQ(lin(ops), Status::Fail);
}

TEST(AccountModel, TransferRefusalMustBeJustified) {
  std::vector<Operation> ops;
  add_op(ops, "open", {{"account", "a"}, {"balance", 10}}, Outcome::Ok, nullptr, 0, 1);
  add_op(ops, "transfer", {{"from", "a"}, {"to", "b"}, {"amount", 20}}, Outcome::Fail, nullptr, 10, 20,
         "insufficient-funds");
  EXPECT_EQ(lin(ops), Status::Pass);
  ops.back().input["amount"] = 5;
  EXPECT_EQ(lin(ops), Status::Fail);
}

TEST(AccountModel, BadInputNamesOpAndField) {
  auto ops = opened(100);
  add_op(ops, "withdraw", {{"account", ""}}, Outcome::Ok, nullptr, 10, 20);
  try {
    lin(ops);
    FAIL() << "expected ModelInputError";
  } catch (const ModelInputError& e) {
    EXPECT_EQ(e.op_id, 1);
    EXPECT_EQ(e.field, "amount");
  }
  ops = opened(100);
  add_op(ops, "withdraw", acct(-5), Outcome::Ok, nullptr, 10, 20);
  EXPECT_THROW(lin(ops), ModelInputError);
  ops = opened(100);
  add_op(ops, "explode", json::object(), Outcome::Ok, nullptr, 10, 20);
  EXPECT_THROW(lin(ops), ModelInputError);
}

TEST(AccountModel, DescribesOpsInUserTerms) {
  auto ops = opened(100, "A");
  add_op(ops, "withdraw", acct(50, "A"), Outcome::Ok, {{"balance", 50}}, 10, 20);
  EXPECT_EQ(make_account_model()->describe_op(ops[1]), "withdraw 50 from A → ok, balance 50");
}

// A generated valid history, collapsed by key, is linearizable under the model.
RC_GTEST_PROP(AccountModelProperty, GeneratedHistoriesAreLinearizable, ()) {
  testing::AccountHistoryBuilder b([](int lo, int hi) { return *rc::gen::inRange(lo, hi + 1); });
  const auto g = b.build(testing::Fault::None);
  const auto collapsed = collapse_idempotent(pair_operations(g.events).ops);
  RC_ASSERT(check_linearizability(*make_account_model(), collapsed.ops).status == Status::Pass);
}

RC_GTEST_PROP(AccountModelProperty, InjectedStaleReadsAndUnjustifiedRefusalsAreNotLinearizable, ()) {
  const auto fault = *rc::gen::element(testing::Fault::StaleRead, testing::Fault::UnjustifiedRefusal,
                                       testing::Fault::LostUpdate);
  testing::AccountHistoryBuilder b([](int lo, int hi) { return *rc::gen::inRange(lo, hi + 1); });
  const auto g = b.build(fault);
  RC_PRE(g.fault_injected);
  for (const auto& e : g.events) RC_LOG() << event_to_jsonl(e);
  const auto collapsed = collapse_idempotent(pair_operations(g.events).ops);
  RC_ASSERT(check_linearizability(*make_account_model(), collapsed.ops).status == Status::Fail);
}

}  // namespace
}  // namespace racecheck
