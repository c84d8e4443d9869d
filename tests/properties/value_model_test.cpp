// The value-model adapter (properties/model_kit.h): a small set model written
// Porcupine style in about 40 lines, checked by the linearizability checker and,
// on generated histories, against a brute-force search over every order.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>

#include "properties/linearizability.h"
#include "properties/model_kit.h"
#include "tests/properties/brute_force.h"
#include "tests/properties/op_builder.h"

namespace racecheck {
namespace {

using testing::add_op;
using testing::brute_force_linearizable;

// ---- the model: a set of small integers -----------------------------------
//   add {x}, remove {x}; read → {"members": [..]} (sorted)
struct SetOp {
  std::string f;
  Outcome outcome = Outcome::Info;
  int x = 0;
  std::set<int> seen;  // an ok read's members
};

std::unique_ptr<Model> make_set_model() {
  ValueModel<std::set<int>, SetOp> m;
  m.name = "set";
  m.operations = {{"add", true, "addition"}, {"remove", true, "removal"}, {"read", false, "read"}};
  m.decode = [](const Operation& op) {
    SetOp s{op.f, op.outcome, 0, {}};
    if (op.f == "read") {
      if (op.outcome == Outcome::Ok) s.seen = op.output.at("members").get<std::set<int>>();
    } else if (op.f == "add" || op.f == "remove") {
      if (!op.input.contains("x")) throw ModelInputError(op.id, "x", "missing");
      s.x = op.input["x"].get<int>();
    } else {
      throw ModelInputError(op.id, "f", "the set model knows add, remove and read");
    }
    return s;
  };
  m.step = [](const std::set<int>& v, const SetOp& s, std::set<int>* next) {
    *next = v;
    if (s.f == "read") return s.outcome != Outcome::Ok || s.seen == v;
    if (s.outcome == Outcome::Fail) return true;  // not applied
    if (s.f == "add") next->insert(s.x);
    else next->erase(s.x);
    return true;
  };
  m.describe_value = [](const std::set<int>& v) { return json(v).dump(); };
  m.read_only = [](const SetOp& s) { return s.f == "read" || s.outcome == Outcome::Fail; };
  m.describe_op = [](const SetOp& s, const Operation& op) {
    return s.f + (s.f == "read" ? "" : " " + std::to_string(s.x)) +
           outcome_text(op, op.outcome == Outcome::Ok && s.f == "read" ? json(s.seen).dump() : "");
  };
  return make_value_model(std::move(m));
}
// ---- end of the model ------------------------------------------------------

TEST(ValueModel, SetModelChecksLikeAHandWrittenOne) {
  const auto model = make_set_model();
  EXPECT_EQ(model->name(), "set");
  std::vector<Operation> ops;
  add_op(ops, "add", {{"x", 1}}, Outcome::Ok, nullptr, 0, 10);
  add_op(ops, "add", {{"x", 2}}, Outcome::Info, nullptr, 5, 0);
  add_op(ops, "read", json::object(), Outcome::Ok, {{"members", {1}}}, 20, 30);
  add_op(ops, "read", json::object(), Outcome::Ok, {{"members", {1, 2}}}, 40, 50);
  EXPECT_EQ(check_linearizability(*model, ops).status, Status::Pass);
  ops[3].output = {{"members", {2}}};  // 1 vanished without a remove
  const InvariantVerdict v = check_linearizability(*model, ops);
  ASSERT_EQ(v.status, Status::Fail);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_NE(v.violations[0].explanation.find("read → ok, [2]"), std::string::npos) << v.violations[0].explanation;
}

TEST(ValueModel, OpsItCannotDecodeAreReportedAndDescribedGenerically) {
  const auto model = make_set_model();
  std::vector<Operation> ops;
  add_op(ops, "pop", json::object(), Outcome::Ok, nullptr, 0, 1);
  EXPECT_THROW(check_linearizability(*model, ops), ModelInputError);
  EXPECT_EQ(model->describe_op(ops[0]), describe_op_generically(ops[0]));
}

TEST(ValueModel, PartitionsByKeyWhenGivenOne) {
  ValueModel<int, int> m;
  m.name = "keyed";
  m.decode = [](const Operation&) { return 0; };
  m.step = [](const int& v, const int&, int* next) { *next = v; return true; };
  m.describe_value = [](const int& v) { return std::to_string(v); };
  m.key = [](const Operation& op) { return op.input.value("k", std::string()); };
  const auto model = make_value_model(std::move(m));
  std::vector<Operation> ops;
  add_op(ops, "w", {{"k", "b"}}, Outcome::Ok, nullptr, 0, 1);
  add_op(ops, "w", {{"k", "a"}}, Outcome::Ok, nullptr, 0, 1);
  add_op(ops, "w", {{"k", "b"}}, Outcome::Ok, nullptr, 0, 1);
  EXPECT_EQ(model->partition(ops), (std::vector<std::vector<int>>{{1}, {0, 2}}));
}

// Random small histories: the checker (with the adapter's interned states and
// read-only shortcut) agrees with the brute-force search.
RC_GTEST_PROP(ValueModel, CheckerAgreesWithBruteForceOnTheSetModel, ()) {
  const auto model = make_set_model();
  const int n = *rc::gen::inRange(1, 7);
  std::vector<Operation> ops;
  for (int i = 0; i < n; ++i) {
    const int kind = *rc::gen::inRange(0, 3);
    // Short ops spread out: mostly ordered in real time, so wrong reads show.
    const std::int64_t call = *rc::gen::inRange(0, 30);
    const std::int64_t ret = call + *rc::gen::inRange(1, 6);
    const int pick = *rc::gen::inRange(0, 10);
    const Outcome outcome = pick < 7 ? Outcome::Ok : pick < 9 ? Outcome::Info : Outcome::Fail;
    if (kind == 2) {
      const int mask = *rc::gen::inRange(0, 8);  // which of 0, 1, 2 the read saw
      std::set<int> members;
      for (int x = 0; x < 3; ++x)
        if (mask & (1 << x)) members.insert(x);
      add_op(ops, "read", json::object(), outcome, {{"members", members}}, call, ret);
    } else {
      add_op(ops, kind == 0 ? "add" : "remove", {{"x", *rc::gen::inRange(0, 3)}}, outcome, nullptr, call, ret);
    }
  }
  const bool expected = brute_force_linearizable(*model, ops);
  const Status got = check_linearizability(*model, ops).status;
  RC_TAG(expected ? "linearizable" : "not linearizable");
  RC_ASSERT(got == (expected ? Status::Pass : Status::Fail));
}

}  // namespace
}  // namespace racecheck
