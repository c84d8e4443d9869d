// Exact decimal money: conversion of decimal text to minor units and back, the
// exact-money invariant, and the other checkers' verdicts at a money scale.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "properties/decimal_money.h"
#include "properties/exact_money.h"
#include "properties/money.h"
#include "properties/properties.h"
#include "tests/properties/account_histories.h"
#include "tests/properties/op_builder.h"

namespace racecheck {
namespace {

using testing::add_op;

TEST(DecimalMoney, RecordsWholeMinorUnitsFromTextNumbersAndIntegers) {
  EXPECT_EQ(money::record_minor_units("10.50", 2), json(1050));
  EXPECT_EQ(money::record_minor_units(json::parse("10.5"), 2), json(1050));
  EXPECT_EQ(money::record_minor_units(7, 2), json(700));
  EXPECT_EQ(money::record_minor_units("-0.05", 2), json(-5));
  EXPECT_EQ(money::record_minor_units("1e-2", 2), json(1));
  EXPECT_EQ(money::record_minor_units(json::parse("1e-05"), 5), json(1));
  EXPECT_EQ(money::record_minor_units("0", 2), json(0));
  EXPECT_EQ(money::record_minor_units("-92233720368547758.08", 2), json(INT64_MIN));
  // Not whole at the scale, or too large: kept as the decimal text.
  EXPECT_EQ(money::record_minor_units("10.505", 2), json("10.505"));
  EXPECT_EQ(money::record_minor_units("92233720368547758.08", 2), json("92233720368547758.08"));
  // What JSON.stringify(0.1 + 0.2) sends, parsed by nlohmann to a double and dumped back.
  EXPECT_EQ(money::record_minor_units(json::parse("0.30000000000000004"), 2), json("0.30000000000000004"));
  // Not a number: unchanged.
  EXPECT_EQ(money::record_minor_units("abc", 2), json("abc"));
  EXPECT_EQ(money::record_minor_units(nullptr, 2), json(nullptr));
  EXPECT_EQ(money::record_minor_units("1.2.3", 2), json("1.2.3"));
}

TEST(DecimalMoney, FormatsMinorUnitsAtTheScale) {
  EXPECT_EQ(money::format_minor_units(1050, 2), "10.50");
  EXPECT_EQ(money::format_minor_units(-5, 2), "-0.05");
  EXPECT_EQ(money::format_minor_units(0, 2), "0.00");
  EXPECT_EQ(money::format_minor_units(1050, 0), "1050");
  EXPECT_EQ(money::format_minor_units(INT64_MIN, 2), "-92233720368547758.08");
  EXPECT_EQ(money::format_minor_units(1, 18), "0.000000000000000001");
  EXPECT_EQ(money::format_recorded("0.30000000000000004", 2), "0.30000000000000004");
}

TEST(DecimalMoney, InexactValuesGetTheNearestWholeAmountAndTheExactDistance) {
  struct Case {
    const char* text;
    const char* nearest;
    const char* off;
  };
  for (const Case& c : {Case{"0.30000000000000004", "0.30", "0.00000000000000004"},
                        Case{"0.09999999999999998", "0.10", "0.00000000000000002"},
                        Case{"-1.005", "-1.01", "0.005"}, Case{"99.999", "100.00", "0.001"}}) {
    const auto drift = money::inexact_at_scale(c.text, 2);
    ASSERT_TRUE(drift) << c.text;
    EXPECT_EQ(drift->nearest, c.nearest) << c.text;
    EXPECT_EQ(drift->off, c.off) << c.text;
  }
  EXPECT_FALSE(money::inexact_at_scale("10.50", 2));
  EXPECT_FALSE(money::inexact_at_scale("abc", 2));
}

RC_GTEST_PROP(DecimalMoneyProperty, MinorUnitsToTextAndBackIsExact, ()) {
  const auto units = *rc::gen::arbitrary<std::int64_t>();
  const int scale = *rc::gen::inRange(0, money::kMaxScale + 1);
  const std::string text = money::format_minor_units(units, scale);
  RC_ASSERT(money::record_minor_units(text, scale) == json(units));
  // The same amount with trailing zeros or an exponent is the same number of units.
  RC_ASSERT(money::record_minor_units(text + (scale > 0 ? "000" : ".000"), scale) == json(units));
  const auto parsed = money::parse_decimal(text);
  RC_ASSERT(parsed.has_value());
  // A thousandth of it is a whole number of units exactly when units is a multiple of 1000.
  money::Decimal thousandth = *parsed;
  thousandth.exponent -= 3;
  RC_ASSERT(money::to_minor_units(thousandth, scale).has_value() == (units % 1000 == 0));
}

RC_GTEST_PROP(DecimalMoneyProperty, TextWithMorePlacesThanTheScaleIsKeptAndMeasuredExactly, ()) {
  const auto units = *rc::gen::inRange<std::int64_t>(-1000000, 1000000);
  const int scale = *rc::gen::inRange(0, 6);
  const int extra = *rc::gen::inRange(1, 20);
  // units + 1/10^extra of a minor unit (not whole): recorded as text, off by exactly that.
  const std::string tail = std::string(static_cast<std::size_t>(extra - 1), '0') + "1";
  std::string digits = money::format_minor_units(units, scale);
  if (scale == 0) digits += ".";
  const std::string text = digits + tail;
  RC_ASSERT(money::record_minor_units(text, scale) == json(text));
  const auto inexact = money::inexact_at_scale(text, scale);
  RC_ASSERT(inexact.has_value());
  RC_ASSERT(inexact->nearest == money::format_minor_units(units, scale));
  RC_ASSERT(money::record_minor_units(inexact->off, scale + extra) == json(1));
}

const Model& account_model() { return *find_model("account"); }

std::vector<Operation> drifted_history() {
  std::vector<Operation> ops;
  add_op(ops, "open", {{"account", ""}, {"balance", 0}}, Outcome::Ok, nullptr, 0, 1);
  add_op(ops, "deposit", {{"account", ""}, {"amount", 10}}, Outcome::Ok, {{"amount", 10}, {"balance", 10}}, 10, 20);
  add_op(ops, "deposit", {{"account", ""}, {"amount", 20}}, Outcome::Ok,
         {{"amount", 20}, {"balance", "0.30000000000000004"}}, 30, 40);
  add_op(ops, "read", {{"account", ""}}, Outcome::Ok, {{"balance", "0.30000000000000004"}}, 100, 110);
  return ops;
}

TEST(ExactMoney, DriftIsAViolationWithTheExactDifference) {
  const auto v = check_exact_money(drifted_history(), account_model(), 2);
  ASSERT_EQ(v.status, Status::Fail);
  ASSERT_EQ(v.violations.size(), 2u);
  EXPECT_EQ(v.violations[0].kind, "inexact-money");
  EXPECT_EQ(v.violations[0].ops, std::vector<int>{2});
  EXPECT_NE(v.violations[0].explanation.find(
                "balance 0.30000000000000004 is not a whole number of cents: 0.00000000000000004 off 0.30"),
            std::string::npos)
      << v.violations[0].explanation;
  // The op itself is described at the scale, without the inexact value.
  EXPECT_EQ(v.violations[0].explanation.rfind("op 2 (deposit 0.20 → ok): ", 0), 0u) << v.violations[0].explanation;
}

TEST(ExactMoney, TheAccountModelDescribesMoneyAtTheScale) {
  std::vector<Operation> ops;
  add_op(ops, "withdraw", {{"account", "a"}, {"amount", 1050}}, Outcome::Ok, {{"balance", 8950}}, 0, 1);
  EXPECT_EQ(account_model().describe_op_at_scale(ops[0], 2), "withdraw 10.50 from a → ok, balance 89.50");
  EXPECT_EQ(account_model().describe_op(ops[0]), "withdraw 1050 from a → ok, balance 8950");
}

TEST(ExactMoney, WholeAmountsPassAndModelsWithoutMoneySkip) {
  auto ops = drifted_history();
  ops[2].output["balance"] = 30;
  ops[3].output["balance"] = 30;
  EXPECT_EQ(check_exact_money(ops, account_model(), 2).status, Status::Pass);
  EXPECT_EQ(check_exact_money(ops, *find_model("inventory"), 2).status, Status::Skipped);
}

TEST(ExactMoney, ADriftedHistoryFailsTheCheckInsteadOfStoppingIt) {
  CheckOptions o;
  o.model = "account";
  o.money_scale = 2;
  const CheckReport r = check_operations(drifted_history(), o);
  EXPECT_EQ(r.overall(), Status::Fail);
  bool exact_money_failed = false;
  for (const auto& v : r.verdicts) {
    if (v.invariant == "exact-money") exact_money_failed = v.status == Status::Fail;
    else EXPECT_NE(v.status, Status::Fail) << v.invariant << ": " << v.summary;
  }
  EXPECT_TRUE(exact_money_failed);
}

TEST(NoOverdraft, ADriftedNegativeBalanceIsAnOverdraftShownExactly) {
  std::vector<Operation> ops;
  add_op(ops, "withdraw", {{"amount", 30}}, Outcome::Ok, {{"balance", "-0.00000000000000001"}}, 0, 1);
  add_op(ops, "withdraw", {{"amount", 30}}, Outcome::Ok, {{"balance", -5}}, 2, 3);
  const auto v = check_no_overdraft(ops, 2);
  ASSERT_EQ(v.status, Status::Fail);
  ASSERT_EQ(v.violations.size(), 2u);
  EXPECT_NE(v.violations[0].explanation.find("of -0.00000000000000001:"), std::string::npos);
  EXPECT_NE(v.violations[1].explanation.find("of -0.05:"), std::string::npos);
}

TEST(Conservation, ExplanationsShowMoneyAtTheScale) {
  std::vector<Operation> ops;
  add_op(ops, "open", {{"account", ""}, {"balance", 10000}}, Outcome::Ok, nullptr, 0, 1);
  add_op(ops, "withdraw", {{"account", ""}, {"amount", 1050}}, Outcome::Ok, nullptr, 10, 20);
  add_op(ops, "withdraw", {{"account", ""}, {"amount", 1050}}, Outcome::Ok, nullptr, 10, 20);
  add_op(ops, "read", {{"account", ""}}, Outcome::Ok, {{"balance", 8950}}, 100, 110);
  ConservationOptions co;
  co.scale = 2;
  const auto v = check_conservation(ops, account_model(), co);
  ASSERT_EQ(v.status, Status::Fail);
  EXPECT_NE(v.violations.at(0).explanation.find("2 withdrawals of 10.50 succeeded from 100.00"), std::string::npos)
      << v.violations.at(0).explanation;
}

testing::Rand rc_rand() {
  return [](int lo, int hi) { return *rc::gen::inRange(lo, hi + 1); };
}

// Every money field of a history written as decimal text at scale 2 (1050 ->
// "10.50", or the JSON number 10.5), then recorded as the harness does.
std::vector<Event> as_recorded_decimals(std::vector<Event> events) {
  for (Event& e : events) {
    if (!e.value.is_object()) continue;
    for (const char* field : {"amount", "balance"}) {
      auto it = e.value.find(field);
      if (it == e.value.end() || !it->is_number_integer()) continue;
      const std::string text = money::format_minor_units(it->get<std::int64_t>(), 2);
      const json sent = (e.index % 2 == 0) ? json(text) : json::parse(text);
      *it = money::record_minor_units(sent, 2);
    }
  }
  return events;
}

// The checkers give a history in decimal money at scale 2 the verdicts they
// give the same history in integer cents.
RC_GTEST_PROP(DecimalMoneyProperty, VerdictsAtScaleTwoEqualVerdictsInIntegerCents, ()) {
  const auto fault = *rc::gen::element(testing::Fault::None, testing::Fault::LostUpdate, testing::Fault::DoubleEffect,
                                       testing::Fault::StaleRead, testing::Fault::UnjustifiedRefusal);
  testing::AccountHistoryBuilder b(rc_rand());
  const auto g = b.build(fault);
  CheckOptions cents;
  cents.model = "account";
  cents.budget_ms = 2000;
  CheckOptions decimals = cents;
  decimals.money_scale = 2;
  const CheckReport in_cents = check_history(g.events, cents);
  const CheckReport in_decimals = check_history(as_recorded_decimals(g.events), decimals);
  RC_ASSERT(in_cents.verdicts.size() == in_decimals.verdicts.size());
  for (std::size_t i = 0; i < in_cents.verdicts.size(); ++i) {
    RC_ASSERT(in_cents.verdicts[i].invariant == in_decimals.verdicts[i].invariant);
    RC_ASSERT(in_cents.verdicts[i].status == in_decimals.verdicts[i].status);
  }
}

}  // namespace
}  // namespace racecheck
