// Scenario values <-> JSON: round trips exactly, and refuses bad input with the
// JSON pointer of the bad field.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "harness/scenario.h"

namespace racecheck {
namespace {

bool same(const Scenario& a, const Scenario& b) {
  if (a.release != b.release || a.stagger_us != b.stagger_us || a.clients.size() != b.clients.size()) return false;
  for (std::size_t c = 0; c < a.clients.size(); ++c) {
    const auto& x = a.clients[c];
    const auto& y = b.clients[c];
    if (x.instance != y.instance || x.ops.size() != y.ops.size()) return false;
    for (std::size_t k = 0; k < x.ops.size(); ++k) {
      const auto& p = x.ops[k];
      const auto& q = y.ops[k];
      if (p.f != q.f || p.args != q.args || p.key != q.key || p.max_attempts != q.max_attempts ||
          p.lose_response != q.lose_response || p.delay_us != q.delay_us) {
        return false;
      }
    }
  }
  return true;
}

Scenario sample() {
  Scenario s;
  s.release = Release::Staggered;
  s.stagger_us = 250;
  ClientProgram a;
  a.ops.push_back(ScenarioOp{"withdraw", {{"amount", 50}, {"account", 0}}, "c0-op0", 3, true, 0});
  a.ops.push_back(ScenarioOp{"read", {{"account", 0}}, "", 1, false, 100});
  ClientProgram b;
  b.instance = 1;
  b.ops.push_back(ScenarioOp{"deposit", {{"amount", 7}, {"account", 1}}, "c0-op0", 1, false, 0});
  s.clients = {a, b};
  return s;
}

TEST(ScenarioJson, RoundTripsAHandWrittenScenario) {
  Scenario s = sample();
  json j = scenario_to_json(s);
  EXPECT_EQ(j["release"], "staggered");
  EXPECT_EQ(j["clients"][0]["ops"][0]["key"], "c0-op0");
  EXPECT_EQ(j["clients"][1]["instance"], 1);
  Scenario back = scenario_from_json(json::parse(j.dump()));
  EXPECT_TRUE(same(s, back));
  EXPECT_EQ(back.op_count(), 3);
}

TEST(ScenarioJson, OptionalFieldsTakeDefaults) {
  Scenario s = scenario_from_json(json::parse(R"({"clients": [{"ops": [{"f": "read"}]}]})"));
  ASSERT_EQ(s.clients.size(), 1u);
  EXPECT_EQ(s.release, Release::Burst);
  EXPECT_EQ(s.clients[0].instance, -1);
  const ScenarioOp& op = s.clients[0].ops[0];
  EXPECT_EQ(op.args, json::object());
  EXPECT_EQ(op.key, "");
  EXPECT_EQ(op.max_attempts, 1);
  EXPECT_FALSE(op.lose_response);
}

RC_GTEST_PROP(ScenarioJson, RoundTripsAnyScenario, ()) {
  Scenario s;
  s.release = *rc::gen::element(Release::Burst, Release::Staggered);
  s.stagger_us = *rc::gen::inRange(0, 100000);
  const int clients = *rc::gen::inRange(0, 5);
  for (int c = 0; c < clients; ++c) {
    ClientProgram program;
    program.instance = *rc::gen::inRange(-1, 4);
    const int ops = *rc::gen::inRange(0, 4);
    for (int k = 0; k < ops; ++k) {
      ScenarioOp op;
      op.f = *rc::gen::element<std::string>("withdraw", "deposit", "read", "transfer");
      op.args = {{"amount", *rc::gen::inRange(0, 1000)}, {"account", *rc::gen::inRange(0, 3)}};
      op.key = *rc::gen::element<std::string>("", "k1", "k2", "c1-op0");
      op.max_attempts = *rc::gen::inRange(1, 5);
      op.lose_response = *rc::gen::arbitrary<bool>();
      op.delay_us = *rc::gen::inRange(0, 5000);
      program.ops.push_back(op);
    }
    s.clients.push_back(program);
  }
  RC_ASSERT(same(s, scenario_from_json(json::parse(scenario_to_json(s).dump()))));
}

struct BadScenario {
  const char* text;
  const char* pointer;
  const char* reason;
};

class BadScenarioTest : public ::testing::TestWithParam<BadScenario> {};

TEST_P(BadScenarioTest, NamesPointerAndReason) {
  const BadScenario& b = GetParam();
  try {
    scenario_from_json(json::parse(b.text));
    FAIL() << b.text;
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.pointer, b.pointer) << e.what();
    EXPECT_NE(e.reason.find(b.reason), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()), std::string(b.pointer) + ": " + e.reason);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Scenario, BadScenarioTest,
    ::testing::Values(
        BadScenario{R"([])", "", "expected an object"},
        BadScenario{R"({})", "/clients", "missing"},
        BadScenario{R"({"clients": {}})", "/clients", "expected an array"},
        BadScenario{R"({"clients": [], "release": "together"})", "/release", "\"burst\" or \"staggered\""},
        BadScenario{R"({"clients": [], "stagger_us": -1})", "/stagger_us", "expected an integer 0-"},
        BadScenario{R"({"clients": [], "clinets": []})", "/clinets", "unknown key"},
        BadScenario{R"({"clients": [{"ops": [], "instance": -2}]})", "/clients/0/instance", "expected an integer -1-"},
        BadScenario{R"({"clients": [{}]})", "/clients/0/ops", "missing"},
        BadScenario{R"({"clients": [{"ops": [{"f": ""}]}]})", "/clients/0/ops/0/f", "non-empty string"},
        BadScenario{R"({"clients": [{"ops": [{"args": {}}]}]})", "/clients/0/ops/0/f", "missing"},
        BadScenario{R"({"clients": [{"ops": [{"f": "read", "args": [1]}]}]})", "/clients/0/ops/0/args", "expected an object"},
        BadScenario{R"({"clients": [{"ops": [{"f": "read"}, {"f": "read", "key": 5}]}]})", "/clients/0/ops/1/key", "expected a string"},
        BadScenario{R"({"clients": [{"ops": [{"f": "read", "max_attempts": 0}]}]})", "/clients/0/ops/0/max_attempts", "expected an integer 1-"},
        BadScenario{R"({"clients": [{"ops": [{"f": "read", "max_attempts": 1.5}]}]})", "/clients/0/ops/0/max_attempts", "expected an integer"},
        BadScenario{R"({"clients": [{"ops": [{"f": "read", "lose_response": "yes"}]}]})", "/clients/0/ops/0/lose_response", "true or false"},
        BadScenario{R"({"clients": [{"ops": [{"f": "read", "delay": 5}]}]})", "/clients/0/ops/0/delay", "unknown key"}));

}  // namespace
}  // namespace racecheck
