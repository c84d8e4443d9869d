// The model registry, the inventory and unique-create models, and check_history
// end to end: every invariant accepts generated valid histories and the right one
// rejects each injected fault.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "properties/linearizability.h"
#include "properties/properties.h"
#include "tests/properties/account_histories.h"
#include "tests/properties/op_builder.h"

namespace racecheck {
namespace {

using testing::add_op;

TEST(Models, RegistryKnowsEveryModel) {
  const auto names = model_names();
  EXPECT_EQ(names, (std::vector<std::string>{"account", "inventory", "unique-create", "register", "counter", "kv", "set"}));
  for (const auto& n : names) {
    const auto m = make_model(n);
    ASSERT_NE(m, nullptr) << n;
    EXPECT_EQ(m->name(), n);
  }
  EXPECT_EQ(make_model("bank"), nullptr);
}

Status lin(const char* model, const std::vector<Operation>& ops) {
  return check_linearizability(*make_model(model), ops).status;
}

TEST(InventoryModel, NoOversell) {
  std::vector<Operation> ops;
  add_op(ops, "stock", {{"item", "x"}, {"quantity", 3}}, Outcome::Ok, nullptr, 0, 1);
  add_op(ops, "reserve", {{"item", "x"}, {"quantity", 2}}, Outcome::Ok, {{"stock", 1}}, 10, 20);
  add_op(ops, "reserve", {{"item", "x"}, {"quantity", 2}}, Outcome::Fail, nullptr, 11, 21, "out-of-stock");
  add_op(ops, "release", {{"item", "x"}, {"quantity", 2}}, Outcome::Ok, nullptr, 30, 40);
  add_op(ops, "read", {{"item", "x"}}, Outcome::Ok, {{"stock", 3}}, 50, 60);
  EXPECT_EQ(lin("inventory", ops), Status::Pass);
  ops[2].outcome = Outcome::Ok;  // both reservations of 2 out of 3 succeeded: oversold
  ops[2].error = "";
  EXPECT_EQ(lin("inventory", ops), Status::Fail);
}

TEST(InventoryModel, UnjustifiedOutOfStockAndReleaseBeyondReserved) {
  std::vector<Operation> ops;
  add_op(ops, "stock", {{"item", "x"}, {"quantity", 3}}, Outcome::Ok, nullptr, 0, 1);
  add_op(ops, "reserve", {{"item", "x"}, {"quantity", 2}}, Outcome::Fail, nullptr, 10, 20, "out-of-stock");
  EXPECT_EQ(lin("inventory", ops), Status::Fail);
  ops.pop_back();
  add_op(ops, "release", {{"item", "x"}, {"quantity", 1}}, Outcome::Ok, nullptr, 10, 20);
  EXPECT_EQ(lin("inventory", ops), Status::Fail);
}

TEST(UniqueCreateModel, AtMostOneCreatePerName) {
  std::vector<Operation> ops;
  add_op(ops, "create", {{"name", "alice"}}, Outcome::Ok, nullptr, 10, 20);
  add_op(ops, "create", {{"name", "alice"}}, Outcome::Fail, nullptr, 11, 21, "exists");
  add_op(ops, "create", {{"name", "bob"}}, Outcome::Ok, nullptr, 11, 21);
  add_op(ops, "read", {{"name", "bob"}}, Outcome::Ok, {{"exists", true}}, 30, 40);
  EXPECT_EQ(lin("unique-create", ops), Status::Pass);
  EXPECT_EQ(make_model("unique-create")->partition(ops).size(), 2u);
  ops[1].outcome = Outcome::Ok;
  ops[1].error = "";
  EXPECT_EQ(lin("unique-create", ops), Status::Fail);
}

TEST(UniqueCreateModel, ExistsRefusalMustBeJustified) {
  std::vector<Operation> ops;
  add_op(ops, "create", {{"name", "alice"}}, Outcome::Fail, nullptr, 10, 20, "exists");
  EXPECT_EQ(lin("unique-create", ops), Status::Fail);
  ops[0].error = "busy";
  EXPECT_EQ(lin("unique-create", ops), Status::Pass);
  add_op(ops, "create", {{"name", "alice"}}, Outcome::Info, nullptr, 5, 0, "timeout");
  ops[0].error = "exists";
  EXPECT_EQ(lin("unique-create", ops), Status::Pass) << "the info create may have happened first";
}

TEST(CheckHistory, UnknownModelOrInvariantOrPointerIsAUsageError) {
  CheckOptions o;
  o.model = "bank";
  EXPECT_THROW(check_history({}, o), CheckUsageError);
  o.model = "account";
  o.invariants = {"no-lost-socks"};
  EXPECT_THROW(check_history({}, o), CheckUsageError);
  o.invariants = {};
  o.volatile_fields = {"at"};
  EXPECT_THROW(check_history({}, o), CheckUsageError);
}

TEST(CheckHistory, RunsTheInvariantsThatApply) {
  CheckOptions o;
  o.model = "account";
  auto names = [](const CheckReport& r) {
    std::vector<std::string> out;
    for (const auto& v : r.verdicts) out.push_back(v.invariant);
    return out;
  };
  EXPECT_EQ(names(check_history({}, o)),
            (std::vector<std::string>{"no-overdraft", "conservation", "idempotency", "linearizability",
                                      "exact-money"}));
  o.model = "register";
  EXPECT_EQ(names(check_history({}, o)), (std::vector<std::string>{"idempotency", "linearizability"}));
  o.invariants = {"linearizability"};
  EXPECT_EQ(names(check_history({}, o)), std::vector<std::string>{"linearizability"});
}

TEST(CheckHistory, ViolationsNameHistoryOpsEvenAfterCollapsing) {
  // ops: 0 open, 1 withdraw (key k, lost), 2 withdraw (key k, ok), 3 final read showing a double charge.
  std::vector<Event> events;
  auto ev = [&](std::int64_t p, EventType t, std::string f, json v, std::int64_t time, std::string key = "") {
    Event e;
    e.process = p;
    e.type = t;
    e.f = std::move(f);
    e.value = std::move(v);
    e.time_ns = time;
    e.key = std::move(key);
    events.push_back(e);
  };
  ev(0, EventType::Invoke, "open", {{"balance", 100}}, 0);
  ev(0, EventType::Ok, "open", {{"balance", 100}}, 1);
  ev(1, EventType::Invoke, "withdraw", {{"amount", 30}}, 10, "k");
  ev(1, EventType::Info, "withdraw", nullptr, 20, "k");
  ev(2, EventType::Invoke, "withdraw", {{"amount", 30}}, 30, "k");
  ev(2, EventType::Ok, "withdraw", {{"amount", 30}, {"balance", 70}}, 40, "k");
  ev(3, EventType::Invoke, "read", json::object(), 50);
  ev(3, EventType::Ok, "read", {{"balance", 40}}, 60);
  CheckOptions o;
  o.model = "account";
  const auto r = check_history(events, o);
  EXPECT_EQ(r.overall(), Status::Fail);
  for (const auto& v : r.verdicts) {
    if (v.invariant != "conservation" && v.invariant != "linearizability") continue;
    EXPECT_EQ(v.status, Status::Fail) << v.invariant;
    ASSERT_FALSE(v.violations.empty());
    for (const auto& x : v.violations)
      for (int id : x.ops) EXPECT_LT(id, 4) << v.invariant;  // history op ids, not logical ones
  }
  const auto& conservation = r.verdicts[1];
  ASSERT_EQ(conservation.invariant, "conservation");
  EXPECT_EQ(conservation.violations.at(0).ops, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_NE(conservation.violations.at(0).explanation.find("history ops 1, 2"), std::string::npos)
      << conservation.violations.at(0).explanation;
}

TEST(CheckHistory, PairingProblemsAreReportedNotFatal) {
  Event stray;
  stray.type = EventType::Ok;
  stray.f = "read";
  stray.value = {{"balance", 0}};
  CheckOptions o;
  o.model = "account";
  const auto r = check_history({stray}, o);
  ASSERT_FALSE(r.verdicts.empty());
  EXPECT_EQ(r.verdicts[0].invariant, "history");
  EXPECT_EQ(r.verdicts[0].violations.at(0).severity, Severity::Should);
  EXPECT_EQ(r.overall(), Status::Pass);
}

testing::Rand rc_rand() {
  return [](int lo, int hi) { return *rc::gen::inRange(lo, hi + 1); };
}

CheckReport check_generated(const std::vector<Event>& events) {
  CheckOptions o;
  o.model = "account";
  o.budget_ms = 5000;
  return check_history(events, o);
}

const InvariantVerdict& verdict(const CheckReport& r, const std::string& name) {
  for (const auto& v : r.verdicts)
    if (v.invariant == name) return v;
  throw std::runtime_error("no verdict " + name);
}

RC_GTEST_PROP(CheckHistoryProperty, ValidHistoriesPassEveryInvariant, ()) {
  testing::AccountHistoryBuilder b(rc_rand());
  const auto r = check_generated(b.build(testing::Fault::None).events);
  for (const auto& v : r.verdicts) {
    RC_LOG() << v.invariant << ": " << to_string(v.status) << " " << v.summary << "\n";
    RC_ASSERT(v.status == Status::Pass || v.status == Status::Skipped);
  }
  RC_ASSERT(verdict(r, "linearizability").status == Status::Pass);
  RC_ASSERT(verdict(r, "conservation").status == Status::Pass);
  RC_ASSERT(r.overall() == Status::Pass);
}

RC_GTEST_PROP(CheckHistoryProperty, EachInjectedFaultIsRejectedByTheRightInvariant, ()) {
  const auto fault = *rc::gen::element(testing::Fault::LostUpdate, testing::Fault::DoubleEffect,
                                       testing::Fault::StaleRead, testing::Fault::UnjustifiedRefusal);
  testing::AccountHistoryBuilder b(rc_rand());
  const auto g = b.build(fault);
  RC_PRE(g.fault_injected);
  const auto r = check_generated(g.events);
  RC_ASSERT(r.overall() == Status::Fail);
  switch (fault) {
    case testing::Fault::LostUpdate:
      RC_ASSERT(verdict(r, "conservation").status == Status::Fail);
      RC_ASSERT(verdict(r, "linearizability").status == Status::Fail);
      break;
    case testing::Fault::DoubleEffect:
      RC_ASSERT(verdict(r, "idempotency").status == Status::Fail);
      RC_ASSERT(verdict(r, "conservation").status == Status::Fail);
      RC_ASSERT(verdict(r, "linearizability").status == Status::Fail);
      break;
    case testing::Fault::StaleRead:
    case testing::Fault::UnjustifiedRefusal:
      RC_ASSERT(verdict(r, "linearizability").status == Status::Fail);
      RC_ASSERT(verdict(r, "conservation").status == Status::Pass);
      break;
    case testing::Fault::None:
      break;
  }
}

}  // namespace
}  // namespace racecheck
