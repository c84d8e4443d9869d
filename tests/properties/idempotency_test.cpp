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

TEST(IdempotencyOracle, SuccessThenRefusalIsMust) {
  std::vector<Operation> ops;
  http(add_op(ops, "withdraw", acct(50), Outcome::Ok, nullptr, 10, 20, "", "k"), 200, R"({"balance":0})");
  http(add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 30, 40, "insufficient-funds", "k"), 402, "{}");
  auto v = check_idempotency(ops, {});
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].severity, Severity::Must);
  EXPECT_EQ(v.violations[0].kind, "success-not-replayed");
}

// The issue's missed bug: a withdrawal refused for insufficient funds (409), a
// deposit, then the retry with the same key runs and answers 200. The 409 is a
// completed response (its label is not a did-not-run label) and was not replayed.
std::vector<Operation> refused_then_retry_succeeds(const std::string& refusal_label) {
  std::vector<Operation> ops;
  http(add_op(ops, "withdraw", acct(80), Outcome::Fail, nullptr, 10, 20, refusal_label, "k"), 409,
       R"({"error":"insufficient_funds"})");
  http(add_op(ops, "deposit", acct(50), Outcome::Ok, nullptr, 25, 30), 200, R"({"balance":100})");
  http(add_op(ops, "withdraw", acct(80), Outcome::Ok, nullptr, 35, 40, "", "k"), 200, R"({"balance":20})");
  return ops;
}

TEST(IdempotencyOracle, BusinessRefusalNotReplayedFailsByDefault) {
  const auto v = check_idempotency(refused_then_retry_succeeds("insufficient-funds"), {});
  EXPECT_EQ(v.status, Status::Fail);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].severity, Severity::Must);
  EXPECT_EQ(v.violations[0].kind, "refusal-not-replayed");
  EXPECT_EQ(v.violations[0].ops, (std::vector<int>{0, 2}));
  EXPECT_NE(v.violations[0].explanation.find("insufficient-funds"), std::string::npos);
  EXPECT_NE(v.violations[0].explanation.find("replayed"), std::string::npos);
}

TEST(IdempotencyOracle, RelaxedReplayRefusalsMakesItAWarning) {
  IdempotencyOptions relaxed;
  relaxed.replay_refusals = false;
  const auto v = check_idempotency(refused_then_retry_succeeds("insufficient-funds"), relaxed);
  EXPECT_EQ(v.status, Status::Warn);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].severity, Severity::Should);
  EXPECT_EQ(v.violations[0].kind, "refusal-not-replayed");
  EXPECT_NE(v.summary.find("not failing the gate"), std::string::npos) << v.summary;
  CheckReport report;
  report.verdicts.push_back(v);
  EXPECT_EQ(report.overall(), Status::Pass) << "a SHOULD-level deviation does not fail the gate";
  EXPECT_EQ(report.warnings(), 1);
}

TEST(IdempotencyOracle, RelaxedStillCatchesTwoSuccessesAfterARefusal) {
  auto ops = refused_then_retry_succeeds("insufficient-funds");
  http(add_op(ops, "withdraw", acct(80), Outcome::Ok, nullptr, 45, 50, "", "k"), 200, R"({"balance":-60})");
  IdempotencyOptions relaxed;
  relaxed.replay_refusals = false;
  const auto v = check_idempotency(ops, relaxed);
  EXPECT_EQ(v.status, Status::Fail);
  EXPECT_TRUE(std::any_of(v.violations.begin(), v.violations.end(), [](const Violation& x) {
    return x.kind == "double-execution" && x.severity == Severity::Must && x.ops == std::vector<int>{2, 3};
  }));
}

TEST(IdempotencyOracle, TheLabelDecidesNotTheStatus) {
  // The same 409, labelled as a key in flight: it did not run, nothing to replay.
  EXPECT_EQ(check_idempotency(refused_then_retry_succeeds("key-in-flight"), {}).status, Status::Pass);
  EXPECT_EQ(check_idempotency(refused_then_retry_succeeds("busy"), {}).status, Status::Pass);
  // A service-specific did-not-run label, configured.
  IdempotencyOptions custom;
  custom.not_executed_errors = {"locked"};
  EXPECT_EQ(check_idempotency(refused_then_retry_succeeds("locked"), custom).status, Status::Pass);
  EXPECT_EQ(check_idempotency(refused_then_retry_succeeds("locked"), {}).status, Status::Fail)
      << "not a default did-not-run label: a completed refusal";
  EXPECT_EQ(check_idempotency(refused_then_retry_succeeds("key-in-flight"), custom).status, Status::Fail)
      << "the configured list replaces the default";
}

TEST(IdempotencyOracle, DidNotRunFollowsTheConfiguredLabels) {
  std::vector<Operation> ops;
  http(add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 10, 20, "insufficient-funds", "k"), 409, "{}");
  http(add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 10, 20, "key-in-flight", "k"), 409, "{}");
  http(add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 10, 20, "", "k"), 429, "{}");
  EXPECT_FALSE(did_not_run(ops[0]));
  EXPECT_TRUE(did_not_run(ops[1]));
  EXPECT_FALSE(did_not_run(ops[2])) << "an unlabelled refusal is a business refusal, whatever its status";
  EXPECT_TRUE(did_not_run(ops[0], {"insufficient-funds"}));
}

TEST(IdempotencyOracle, TwoDifferentRefusalsAreNotReplayed) {
  std::vector<Operation> ops;
  http(add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 10, 20, "insufficient-funds", "k"), 409, "{}");
  http(add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 30, 40, "bad-request", "k"), 400, "{}");
  const auto v = check_idempotency(ops, {});
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].kind, "refusal-not-replayed");
  EXPECT_EQ(v.violations[0].severity, Severity::Must);
}

TEST(IdempotencyOracle, ReusedKeyWithADifferentPayload) {
  auto run = [](Outcome outcome, int status, const std::string& body, const std::string& error = "") {
    std::vector<Operation> ops;
    http(add_op(ops, "withdraw", acct(50), Outcome::Ok, nullptr, 10, 20, "", "k"), 200, R"({"balance":50})");
    http(add_op(ops, "withdraw", acct(70), outcome, nullptr, 30, 40, error, "k"), status, body);
    return check_idempotency(ops, {});
  };
  EXPECT_EQ(run(Outcome::Fail, 422, "", "key-reused").status, Status::Pass);
  auto v = run(Outcome::Ok, 200, R"({"balance":-20})");
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].severity, Severity::Must) << "the different payload was executed";
  EXPECT_EQ(v.violations[0].kind, "different-payload-evaluated");
  v = run(Outcome::Ok, 200, R"({"balance":50})");
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].severity, Severity::Should) << "replayed instead of 422";
  EXPECT_EQ(v.status, Status::Warn);
  v = run(Outcome::Fail, 429, "", "busy");
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].severity, Severity::Should);
  EXPECT_EQ(v.violations[0].kind, "reused-key-status");
  EXPECT_NE(v.violations[0].explanation.find("422"), std::string::npos);
}

TEST(IdempotencyOracle, ReusedKeyWhosePayloadWasEvaluatedAndRefusedFails) {
  // The service judged the new amount (insufficient funds) instead of refusing the
  // reused key: it evaluated a payload it should never have looked at.
  std::vector<Operation> ops;
  http(add_op(ops, "withdraw", acct(50), Outcome::Ok, nullptr, 10, 20, "", "k"), 200, R"({"balance":50})");
  http(add_op(ops, "withdraw", acct(70), Outcome::Fail, nullptr, 30, 40, "insufficient-funds", "k"), 409,
       R"({"error":"insufficient_funds"})");
  const auto v = check_idempotency(ops, {});
  EXPECT_EQ(v.status, Status::Fail);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].severity, Severity::Must);
  EXPECT_EQ(v.violations[0].kind, "different-payload-evaluated");
}

TEST(IdempotencyOracle, InFlightRefusalShouldBe409) {
  std::vector<Operation> ops;
  http(add_op(ops, "withdraw", acct(50), Outcome::Ok, nullptr, 10, 20, "", "k"), 200, "{}");
  http(add_op(ops, "withdraw", acct(50), Outcome::Fail, nullptr, 12, 14, "key-in-flight", "k"), 429, "");
  const auto v = check_idempotency(ops, {});
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].severity, Severity::Should);
  EXPECT_EQ(v.status, Status::Warn);
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

// Differential: one key's attempts drawn from a small alphabet of answers,
// completing in order; the reference states the replay rules directly.
enum class Answer { OkA, OkB, InsufficientFunds, BadRequest, KeyInFlight, Busy, Lost };

void add_answer(std::vector<Operation>& ops, Answer a, std::int64_t t) {
  auto attempt = [&](Outcome outcome, const char* error, int status, const char* body) {
    http(add_op(ops, "withdraw", acct(50), outcome, nullptr, t, t + 5, error, "k"), status, body);
  };
  switch (a) {
    case Answer::OkA: attempt(Outcome::Ok, "", 200, R"({"balance":50})"); break;
    case Answer::OkB: attempt(Outcome::Ok, "", 200, R"({"balance":0})"); break;
    case Answer::InsufficientFunds: attempt(Outcome::Fail, "insufficient-funds", 409, R"({"error":"insufficient_funds"})"); break;
    case Answer::BadRequest: attempt(Outcome::Fail, "bad-request", 400, "{}"); break;
    case Answer::KeyInFlight: attempt(Outcome::Fail, "key-in-flight", 409, R"({"error":"key_in_flight"})"); break;
    case Answer::Busy: attempt(Outcome::Fail, "busy", 429, ""); break;
    case Answer::Lost: add_op(ops, "withdraw", acct(50), Outcome::Info, nullptr, t, 0, "lost-response", "k"); break;
  }
}

// Completed answers (not lost, not did-not-run) must all be equal; relaxed, only a
// success must be replayed to everything after it (a refusal not replayed warns).
Status reference_status(const std::vector<Answer>& answers, bool replay_refusals) {
  std::vector<Answer> completed;
  for (Answer a : answers)
    if (a != Answer::Lost && a != Answer::KeyInFlight && a != Answer::Busy) completed.push_back(a);
  bool any_difference = false, success_not_replayed = false;
  for (std::size_t i = 0; i < completed.size(); ++i)
    for (std::size_t j = i + 1; j < completed.size(); ++j) {
      if (completed[i] == completed[j]) continue;
      any_difference = true;
      if (completed[i] == Answer::OkA || completed[i] == Answer::OkB) success_not_replayed = true;
    }
  if (!any_difference) return Status::Pass;
  if (replay_refusals || success_not_replayed) return Status::Fail;
  return Status::Warn;
}

RC_GTEST_PROP(IdempotencyProperty, OracleAgreesWithTheReplayRules, ()) {
  const auto answers = *rc::gen::container<std::vector<Answer>>(
      *rc::gen::inRange(1, 6), rc::gen::element(Answer::OkA, Answer::OkB, Answer::InsufficientFunds, Answer::BadRequest,
                                                Answer::KeyInFlight, Answer::Busy, Answer::Lost));
  const bool replay_refusals = *rc::gen::arbitrary<bool>();
  std::vector<Operation> ops;
  for (std::size_t i = 0; i < answers.size(); ++i) add_answer(ops, answers[i], 10 * static_cast<std::int64_t>(i + 1));
  IdempotencyOptions o;
  o.replay_refusals = replay_refusals;
  RC_ASSERT(check_idempotency(ops, o).status == reference_status(answers, replay_refusals));
}

}  // namespace
}  // namespace racecheck
