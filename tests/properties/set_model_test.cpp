// The "set" model (properties/set_model.h): examples, and on random small
// histories the linearizability checker agrees with a brute-force search over
// every real-time order.
#include <algorithm>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "properties/linearizability.h"
#include "properties/models.h"
#include "tests/properties/brute_force.h"
#include "tests/properties/op_builder.h"

namespace racecheck {
namespace {

using testing::add_op;

std::unique_ptr<Model> set_model() {
  auto model = make_model("set");
  EXPECT_NE(model, nullptr);
  return model;
}

TEST(SetModel, ReadsInAnyOrderOfEveryAcknowledgedAddPass) {
  const auto model = set_model();
  std::vector<Operation> ops;
  add_op(ops, "add", {{"value", 1}}, Outcome::Ok, json::object(), 0, 10);
  add_op(ops, "add", {{"value", "b"}}, Outcome::Ok, json::object(), 5, 12);
  add_op(ops, "read", json::object(), Outcome::Ok, {{"value", {"b", 1}}}, 20, 30);
  EXPECT_EQ(check_linearizability(*model, ops).status, Status::Pass);
}

TEST(SetModel, ALostAddFails) {
  const auto model = set_model();
  std::vector<Operation> ops;
  add_op(ops, "add", {{"value", 1}}, Outcome::Ok, json::object(), 0, 10);
  add_op(ops, "add", {{"value", 2}}, Outcome::Ok, json::object(), 0, 10);
  add_op(ops, "read", json::object(), Outcome::Ok, {{"value", {2}}}, 20, 30);
  const InvariantVerdict v = check_linearizability(*model, ops);
  ASSERT_EQ(v.status, Status::Fail);
  EXPECT_NE(v.violations.at(0).explanation.find("read → ok, [2]"), std::string::npos) << v.violations[0].explanation;
}

TEST(SetModel, AnElementListedTwiceCannotComeFromASet) {
  const auto model = set_model();
  std::vector<Operation> ops;
  add_op(ops, "add", {{"value", 1}}, Outcome::Ok, json::object(), 0, 10);
  add_op(ops, "read", json::object(), Outcome::Ok, {{"value", {1, 1}}}, 20, 30);
  EXPECT_EQ(check_linearizability(*model, ops).status, Status::Fail);
}

TEST(SetModel, AFailedAddHasNoEffectAndAnUnknownOneMayHave) {
  const auto model = set_model();
  std::vector<Operation> ops;
  add_op(ops, "add", {{"value", 1}}, Outcome::Fail, json::object(), 0, 10, "busy");
  add_op(ops, "add", {{"value", 2}}, Outcome::Info, nullptr, 0, 0);
  add_op(ops, "read", json::object(), Outcome::Ok, {{"value", json::array()}}, 20, 30);
  add_op(ops, "read", json::object(), Outcome::Ok, {{"value", {2}}}, 40, 50);
  EXPECT_EQ(check_linearizability(*model, ops).status, Status::Pass);
  ops[3].output = {{"value", {1}}};
  EXPECT_EQ(check_linearizability(*model, ops).status, Status::Fail);
}

TEST(SetModel, OpsItCannotReadAreModelInputErrors) {
  const auto model = set_model();
  std::vector<Operation> ops;
  add_op(ops, "add", json::object(), Outcome::Ok, json::object(), 0, 10);
  EXPECT_THROW(model->prepare(ops, {0}), ModelInputError);
  ops.clear();
  add_op(ops, "read", json::object(), Outcome::Ok, {{"value", 3}}, 0, 10);
  EXPECT_THROW(model->prepare(ops, {0}), ModelInputError);
  ops.clear();
  add_op(ops, "remove", {{"value", 3}}, Outcome::Ok, json::object(), 0, 10);
  EXPECT_THROW(model->prepare(ops, {0}), ModelInputError);
}

RC_GTEST_PROP(SetModel, CheckerAgreesWithBruteForce, ()) {
  const auto model = make_model("set");
  const int n = *rc::gen::inRange(1, 7);
  std::vector<Operation> ops;
  for (int i = 0; i < n; ++i) {
    const std::int64_t call = *rc::gen::inRange(0, 30);
    const std::int64_t ret = call + *rc::gen::inRange(1, 6);
    const int pick = *rc::gen::inRange(0, 10);
    const Outcome outcome = pick < 7 ? Outcome::Ok : pick < 9 ? Outcome::Info : Outcome::Fail;
    if (*rc::gen::inRange(0, 2) == 0) {
      // Which of 0, 1, 2 the read listed, in either order, and rarely one twice.
      const int mask = *rc::gen::inRange(0, 8);
      json listed = json::array();
      for (int x = 0; x < 3; ++x)
        if (mask & (1 << x)) listed.push_back(x);
      if (*rc::gen::arbitrary<bool>()) std::reverse(listed.begin(), listed.end());
      if (!listed.empty() && *rc::gen::inRange(0, 10) == 0) listed.push_back(listed[0]);
      add_op(ops, "read", json::object(), outcome, {{"value", listed}}, call, ret);
    } else {
      add_op(ops, "add", {{"value", *rc::gen::inRange(0, 3)}}, outcome, json::object(), call, ret);
    }
  }
  const bool expected = testing::brute_force_linearizable(*model, ops);
  RC_TAG(expected ? "linearizable" : "not linearizable");
  RC_ASSERT(check_linearizability(*model, ops).status == (expected ? Status::Pass : Status::Fail));
}

}  // namespace
}  // namespace racecheck
