// The idempotency layer (collapsing a key's attempts) and the oracle (IETF draft /
// Stripe semantics), with examples and generated histories.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "properties/idempotency.h"
#include "tests/properties/account_histories.h"
#include "tests/properties/op_builder.h"

namespace racecheck {
namespace {

using testing::acct;
using testing::add_op;

Operation& http(Operation& op, int status, std::string body) {
  op.status = status;
  op.body = std::move(body);
  return op;
}

TEST(IdempotencyLayer, AttemptsOfAKeyBecomeOneLogicalOp) {
  std::vector<Operation> ops;
  add_op(ops, "withdraw", acct(50), Outcome::Info, nullptr, 10, 0, "lost-response", "k1");
  add_op(ops, "deposit", acct(5), Outcome::Ok, nullptr, 15, 16);
  add_op(ops, "withdraw", acct(50), Outcome::Ok, {{"balance", 50}}, 20, 30, "", "k1");
  add_op(ops, "withdraw", acct(50), Outcome::Ok, {{"balance", 50}}, 25, 40, "", "k1");
  const auto c = collapse_idempotent(ops);
  ASSERT_EQ(c.ops.size(), 2u);
  EXPECT_EQ(c.members[0], (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(c.members[1], std::vector<int>{1});
  EXPECT_EQ(c.logical_of, (std::vector<int>{0, 1, 0, 0}));
  const Operation& w = c.ops[0];
  EXPECT_EQ(w.id, 0);
  EXPECT_EQ(w.outcome, Outcome::Ok);
  EXPECT_EQ(w.call, 10);
  EXPECT_EQ(w.ret, 30);  // the first ok completion
  EXPECT_EQ(w.output["balance"], 50);
  EXPECT_EQ(w.attempt, 3);
}

TEST(IdempotencyLayer, OutcomeIsInfoThenFail) {
  std::vector<Operation> ops;
  add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 10, 20, "busy", "k");
  add_op(ops, "withdraw", acct(50), Outcome::Info, nullptr, 30, 0, "timeout", "k");
  auto c = collapse_idempotent(ops);
  ASSERT_EQ(c.ops.size(), 1u);
  EXPECT_EQ(c.ops[0].outcome, Outcome::Info);
  EXPECT_EQ(c.ops[0].ret, kNever);

  ops.clear();
  add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 10, 20, "busy", "k");
  add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 30, 40, "insufficient-funds", "k");
  c = collapse_idempotent(ops);
  EXPECT_EQ(c.ops[0].outcome, Outcome::Fail);
  EXPECT_EQ(c.ops[0].error, "insufficient-funds") << "the refusal that says something about the state decides";
  EXPECT_EQ(c.ops[0].ret, 40);
}

TEST(IdempotencyLayer, DifferentPayloadStaysSeparateUnlessItIsAVerbatimReplay) {
  std::vector<Operation> ops;
  http(add_op(ops, "withdraw", acct(50), Outcome::Ok, {{"balance", 50}}, 10, 20, "", "k"), 200, R"({"balance":50})");
  http(add_op(ops, "withdraw", acct(70), Outcome::Ok, {{"balance", 50}}, 30, 40, "", "k"), 200, R"({"balance":50})");
  http(add_op(ops, "withdraw", acct(80), Outcome::Fail, nullptr, 30, 40, "", "k"), 422, "");
  const auto c = collapse_idempotent(ops);
  ASSERT_EQ(c.ops.size(), 2u);
  EXPECT_EQ(c.members[0], (std::vector<int>{0, 1}));  // op 1 is a replay, not an effect
  EXPECT_EQ(c.ops[1].error, "key-reused");           // a 422 without a reason is not a business refusal
}

TEST(IdempotencyOracle, IdenticalResponsesPass) {
  std::vector<Operation> ops;
  http(add_op(ops, "withdraw", acct(50), Outcome::Ok, nullptr, 10, 20, "", "k"), 200, R"({"balance":50,"at":1})");
  http(add_op(ops, "withdraw", acct(50), Outcome::Ok, nullptr, 30, 40, "", "k"), 200, R"({"balance":50,"at":2})");
  http(add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 15, 16, "key-in-flight", "k"), 409, "");
  EXPECT_EQ(check_idempotency(ops, {}).status, Status::Fail) << "/at differs";
  const auto v = check_idempotency(ops, {{"/at"}});
  EXPECT_EQ(v.status, Status::Pass) << (v.violations.empty() ? "" : v.violations[0].explanation);
}

TEST(IdempotencyOracle, TwoDifferentSuccessesAreAMustViolation) {
  std::vector<Operation> ops;
  http(add_op(ops, "withdraw", acct(50), Outcome::Ok, nullptr, 10, 20, "", "k"), 200, R"({"balance":50})");
  http(add_op(ops, "withdraw", acct(50), Outcome::Ok, nullptr, 12, 25, "", "k"), 200, R"({"balance":0})");
  const auto v = check_idempotency(ops, {});
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].severity, Severity::Must);
  EXPECT_EQ(v.violations[0].ops, (std::vector<int>{0, 1}));
  EXPECT_NE(v.violations[0].explanation.find("executed twice"), std::string::npos);
}

TEST(IdempotencyOracle, SuccessThenRefusalIsMustRefusalThenSuccessIsShould) {
  std::vector<Operation> ops;
  http(add_op(ops, "withdraw", acct(50), Outcome::Ok, nullptr, 10, 20, "", "k"), 200, R"({"balance":0})");
  http(add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 30, 40, "insufficient-funds", "k"), 402, "{}");
  auto v = check_idempotency(ops, {});
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].severity, Severity::Must);

  ops.clear();
  http(add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 10, 20, "insufficient-funds", "k"), 402, "{}");
  http(add_op(ops, "withdraw", acct(50), Outcome::Ok, nullptr, 30, 40, "", "k"), 200, R"({"balance":0})");
  v = check_idempotency(ops, {});
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].severity, Severity::Should);
  EXPECT_NE(v.violations[0].explanation.find("not replayed"), std::string::npos);
}

TEST(IdempotencyOracle, ReusedKeyWithADifferentPayload) {
  auto run = [](Outcome outcome, int status, const std::string& body) {
    std::vector<Operation> ops;
    http(add_op(ops, "withdraw", acct(50), Outcome::Ok, nullptr, 10, 20, "", "k"), 200, R"({"balance":50})");
    http(add_op(ops, "withdraw", acct(70), outcome, nullptr, 30, 40, "", "k"), status, body);
    return check_idempotency(ops, {});
  };
  EXPECT_EQ(run(Outcome::Fail, 422, "").status, Status::Pass);
  auto v = run(Outcome::Ok, 200, R"({"balance":-20})");
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].severity, Severity::Must) << "the different payload was executed";
  v = run(Outcome::Ok, 200, R"({"balance":50})");
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].severity, Severity::Should) << "replayed instead of 422";
  v = run(Outcome::Fail, 400, "");
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].severity, Severity::Should);
  EXPECT_NE(v.violations[0].explanation.find("422"), std::string::npos);
}

TEST(IdempotencyOracle, InFlightRefusalShouldBe409) {
  std::vector<Operation> ops;
  http(add_op(ops, "withdraw", acct(50), Outcome::Ok, nullptr, 10, 20, "", "k"), 200, "{}");
  http(add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 12, 14, "key-in-flight", "k"), 429, "");
  const auto v = check_idempotency(ops, {});
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].severity, Severity::Should);
}

TEST(IdempotencyOracle, OfflineHistoriesCompareOutputs) {
  std::vector<Operation> ops;
  add_op(ops, "withdraw", acct(50), Outcome::Ok, {{"balance", 50}}, 10, 20, "", "k");
  add_op(ops, "withdraw", acct(50), Outcome::Ok, {{"balance", 0}}, 30, 40, "", "k");
  EXPECT_EQ(check_idempotency(ops, {}).violations.size(), 1u);
}

TEST(IdempotencyOracle, SkippedWithoutKeysAndRejectsBadPointers) {
  std::vector<Operation> ops;
  add_op(ops, "withdraw", acct(50), Outcome::Ok, nullptr, 10, 20);
  EXPECT_EQ(check_idempotency(ops, {}).status, Status::Skipped);
  EXPECT_THROW(check_idempotency(ops, {{"no-slash"}}), std::invalid_argument);
}

testing::Rand rc_rand() {
  return [](int lo, int hi) { return *rc::gen::inRange(lo, hi + 1); };
}

RC_GTEST_PROP(IdempotencyProperty, GeneratedRetriesAndDuplicatesPass, ()) {
  testing::AccountHistoryBuilder b(rc_rand());
  const auto g = b.build(testing::Fault::None);
  const auto v = check_idempotency(pair_operations(g.events).ops, {});
  RC_ASSERT(v.status != Status::Fail);
}

RC_GTEST_PROP(IdempotencyProperty, AKeyExecutedTwiceIsAMustViolation, ()) {
  testing::AccountHistoryBuilder b(rc_rand());
  const auto g = b.build(testing::Fault::DoubleEffect);
  RC_PRE(g.fault_injected);
  const auto v = check_idempotency(pair_operations(g.events).ops, {});
  RC_ASSERT(v.status == Status::Fail);
  RC_ASSERT(std::any_of(v.violations.begin(), v.violations.end(),
                        [](const Violation& x) { return x.severity == Severity::Must; }));
}

}  // namespace
}  // namespace racecheck
