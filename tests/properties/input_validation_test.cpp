// input-validation: the oracle for hostile inputs, and how check_operations
// keeps invalid ops away from the models and the other invariants.
#include <gtest/gtest.h>

#include "properties/input_validation.h"
#include "properties/properties.h"
#include "tests/properties/op_builder.h"

namespace racecheck {
namespace {

using testing::acct;
using testing::add_op;

// open 100, then a final read of `balance`.
std::vector<Operation> bank(const std::function<void(std::vector<Operation>&)>& middle, std::int64_t balance) {
  std::vector<Operation> ops;
  add_op(ops, "open", {{"account", ""}, {"balance", 100}}, Outcome::Ok, nullptr, 0, 1);
  middle(ops);
  add_op(ops, "read", {{"account", ""}}, Outcome::Ok, {{"balance", balance}}, 1000, 1010);
  return ops;
}

const InvariantVerdict* verdict(const CheckReport& r, const std::string& name) {
  for (const auto& v : r.verdicts)
    if (v.invariant == name) return &v;
  return nullptr;
}

CheckOptions account_options() {
  CheckOptions o;
  o.model = "account";
  return o;
}

TEST(InputValidation, AnAcceptedNegativeWithdrawalIsNamedWithItsEffect) {
  // The account model reads no negative amount: the effect is the balance the response shows.
  auto ops = bank([](std::vector<Operation>& o) {
    Operation& w = add_op(o, "withdraw", acct(-50), Outcome::Ok, {{"balance", 150}}, 10, 20);
    w.invalid = {{"amount", "is negative"}};
    w.status = 200;
    w.body = R"({"balance":150})";
  }, 150);
  const auto v = check_input_validation(ops, *find_model("account"), default_invalid_input_errors());
  ASSERT_EQ(v.status, Status::Fail);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].kind, "invalid-input-accepted");
  EXPECT_EQ(v.violations[0].severity, Severity::Must);
  EXPECT_EQ(v.violations[0].ops, std::vector<int>{1});
  EXPECT_EQ(v.violations[0].explanation,
            R"(withdraw with amount -50 (is negative) was accepted (200): balance now 150; response {"balance":150})");
}

TEST(InputValidation, AValueNoModelReadsIsStillNamed) {
  auto ops = bank([](std::vector<Operation>& o) {
    Operation& w = add_op(o, "deposit", {{"account", ""}, {"amount", "50abc"}}, Outcome::Ok, {{"balance", 150}}, 10, 20);
    w.invalid = {{"amount", "is a string, not a number"}};
  }, 150);
  const CheckReport r = check_operations(ops, account_options());
  const InvariantVerdict* v = verdict(r, "input-validation");
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->status, Status::Fail);
  EXPECT_EQ(v->violations[0].explanation,
            R"(deposit with amount "50abc" (is a string, not a number) was accepted: balance now 150)");
  EXPECT_EQ(r.overall(), Status::Fail);
}

TEST(InputValidation, RefusedAndUnknownInvalidOpsAreInvisibleToTheModels) {
  // Neither op could be read by the account model ("50abc" is not an amount);
  // the refused one changed nothing and the info one must not make the run
  // inconclusive: with them left out, this history is a plain pass.
  auto ops = bank([](std::vector<Operation>& o) {
    add_op(o, "withdraw", {{"account", ""}, {"amount", "50abc"}}, Outcome::Fail, nullptr, 10, 20, "bad-request").invalid =
        {{"amount", "is a string, not a number"}};
    add_op(o, "withdraw", acct(-5), Outcome::Info, nullptr, 30, 0).invalid = {{"amount", "is negative"}};
    add_op(o, "withdraw", acct(30), Outcome::Ok, {{"balance", 70}}, 40, 50);
  }, 70);
  const CheckReport r = check_operations(ops, account_options());
  EXPECT_EQ(r.overall(), Status::Pass);
  for (const auto& v : r.verdicts) EXPECT_NE(v.status, Status::Unknown) << v.invariant << ": " << v.summary;
  const InvariantVerdict* iv = verdict(r, "input-validation");
  ASSERT_NE(iv, nullptr);
  EXPECT_EQ(iv->summary, "1 of 2 invalid request(s) refused, none accepted");
}

TEST(InputValidation, ViolationsOfOtherInvariantsNameHistoryOps) {
  // A lost update among valid ops after an invalid one: the conservation
  // violation must name the history's op ids, not positions among valid ops.
  auto ops = bank([](std::vector<Operation>& o) {
    add_op(o, "withdraw", acct(-5), Outcome::Fail, nullptr, 5, 6, "bad-request").invalid = {{"amount", "is negative"}};
    add_op(o, "withdraw", acct(50), Outcome::Ok, {{"balance", 50}}, 10, 20);
    add_op(o, "withdraw", acct(50), Outcome::Ok, {{"balance", 50}}, 11, 21);
  }, 50);
  const CheckReport r = check_operations(ops, account_options());
  const InvariantVerdict* c = verdict(r, "conservation");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->status, Status::Fail);
  for (const auto& x : c->violations)
    for (int id : x.ops) EXPECT_NE(id, 1) << "op 1 is the refused invalid withdrawal";
}

TEST(InputValidation, AValidRequestRefusedAsInvalidIsAWarning) {
  auto ops = bank([](std::vector<Operation>& o) {
    add_op(o, "withdraw", acct(-5), Outcome::Fail, nullptr, 5, 6, "bad-request").invalid = {{"amount", "is negative"}};
    add_op(o, "withdraw", acct(40), Outcome::Fail, nullptr, 10, 20, "bad-request").status = 400;
  }, 100);
  const auto v = check_input_validation(ops, *find_model("account"), default_invalid_input_errors());
  EXPECT_EQ(v.status, Status::Warn);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].kind, "valid-input-refused");
  EXPECT_EQ(v.violations[0].severity, Severity::Should);
  EXPECT_EQ(v.violations[0].ops, std::vector<int>{2});
}

TEST(InputValidation, JoinsACheckOnlyWhenTheHistoryHoldsHostileInputs) {
  auto plain = bank([](std::vector<Operation>& o) { add_op(o, "withdraw", acct(30), Outcome::Ok, {{"balance", 70}}, 10, 20); }, 70);
  EXPECT_EQ(verdict(check_operations(plain, account_options()), "input-validation"), nullptr);
}

TEST(InputValidation, ShrinkingKeepsTheAcceptedInvalidInput) {
  // The accepted negative withdrawal also breaks conservation; shrinking keeps
  // the signature that one request shows.
  auto ops = bank([](std::vector<Operation>& o) {
    add_op(o, "withdraw", acct(-50), Outcome::Ok, {{"balance", 150}}, 10, 20).invalid = {{"amount", "is negative"}};
  }, 150);
  const std::vector<std::string> signatures = check_operations(ops, account_options()).failure_signatures();
  ASSERT_FALSE(signatures.empty());
  EXPECT_EQ(signatures.front(), "input-validation/invalid-input-accepted");
}

TEST(InputValidation, HistoryLinesCarryTheMarks) {
  Event e;
  e.f = "withdraw";
  e.value = acct(-50);
  e.invalid = {{"amount", "is negative"}};
  const std::string line = event_to_jsonl(e);
  EXPECT_NE(line.find(R"("invalid":{"amount":"is negative"})"), std::string::npos) << line;
  const ParsedHistory parsed = parse_history_jsonl(line);
  ASSERT_EQ(parsed.events.size(), 1u);
  EXPECT_EQ(parsed.events[0].invalid, e.invalid);
  EXPECT_EQ(event_from_json(event_to_json(e)).invalid, e.invalid);
  EXPECT_EQ(pair_operations(parsed.events).ops.at(0).invalid, e.invalid);
  EXPECT_THROW(event_from_json(json{{"index", 0}, {"process", 0}, {"type", "invoke"}, {"f", "w"}, {"invalid", 5}}),
               HistoryError);
  EXPECT_THROW(event_from_json(json{{"index", 0}, {"process", 0}, {"type", "invoke"}, {"f", "w"}, {"invalid", {{"amount", 1}}}}),
               HistoryError);
}

}  // namespace
}  // namespace racecheck
