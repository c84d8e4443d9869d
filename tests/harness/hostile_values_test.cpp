// Hostile argument values: which arguments get them (the spec switch and the
// model's money operations), the valid-domain oracle, the marks a scenario
// carries, and shrinking toward the valid value.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "harness/generator.h"
#include "harness/generator_settings.h"
#include "harness/hostile_values.h"
#include "harness/scenario.h"
#include "harness/spec.h"

namespace racecheck {
namespace {

json bank_spec(const json& generator = json::object()) {
  json j = json::parse(R"({
    "base_urls": ["http://127.0.0.1:8080"],
    "operations": {
      "withdraw": {"method": "POST", "path": "/accounts/{account}/withdraw", "body": {"amount": "{amount}"},
                   "classify": [{"status": 200, "outcome": "ok"}, {"status": 400, "outcome": "fail", "error": "bad-request"}]},
      "deposit": {"method": "POST", "path": "/accounts/{account}/deposit", "body": {"amount": "{amount|string}"},
                  "classify": [{"status": 200, "outcome": "ok"}]},
      "read": {"method": "GET", "path": "/accounts/{account}", "classify": [{"status": 200, "outcome": "ok"}],
               "extract": {"balance": "/balance"}}
    },
    "model": "account"
  })");
  j["generator"] = generator;
  return j;
}

// "valid", "read as N" or the problem: one string per judgement for the tables below.
std::string judged(const IntegerDomain& d, const json& value) {
  const ArgumentJudgement j = judge_integer_argument(d, value);
  switch (j.kind) {
    case ArgumentJudgement::Kind::Valid: return "valid";
    case ArgumentJudgement::Kind::ReadAs: return "read as " + std::to_string(j.reading);
    case ArgumentJudgement::Kind::Invalid: return j.problem;
  }
  return "?";
}

TEST(HostileValues, ADeclaredDomainDecidesWhatIsInvalid) {
  const IntegerDomain d{1, 100, true};
  const std::vector<std::pair<json, std::string>> table = {
      {json(1), "valid"},
      {json(100), "valid"},
      {json(50.0), "valid"},  // JSON has one number type: 50.0 is 50
      {json("50"), "read as 50"},
      {json(" 50 "), "read as 50"},
      {json("50.00"), "read as 50"},
      {json(-50), "is negative"},
      {json("-50"), "is negative"},
      {json(-0.5), "is negative"},
      {json(0), "is below the minimum 1"},
      {json("0"), "is below the minimum 1"},
      {json(101), "is above the maximum 100"},
      {json(50.5), "is not an integer"},
      {json(5e-7), "is not an integer"},
      {json("50.5"), "is not an integer"},
      {json(1e21), "is above the maximum 100"},
      {json(std::uint64_t{1} << 63), "is above the maximum 100"},
      {json(std::string(5000, '9')), "is above the maximum 100"},
      {json("50abc"), "is a string that is not a plain number"},
      {json("5e-7"), "is a string that is not a plain number"},
      {json("0x32"), "is a string that is not a plain number"},
      {json(""), "is a string that is not a plain number"},
      {json("50."), "is a string that is not a plain number"},
      {json(true), "is a boolean, not a number"},
      {json(nullptr), "is null"},
      {json::array({50}), "is an array, not a number"},
      {json::object({{"value", 50}}), "is an object, not a number"},
  };
  for (const auto& [value, expected] : table) EXPECT_EQ(judged(d, value), expected) << value.dump();
  const IntegerDomain signed_domain{-10, 10, true};
  EXPECT_EQ(judged(signed_domain, json(-5)), "valid") << "a declared domain may hold negatives";
  EXPECT_EQ(judged(signed_domain, json(-11)), "is below the minimum -10");
}

// generator.amount is a guess at the domain: outside it, only what is wrong
// under any reading is invalid; 0 and big integers may be refused or executed.
TEST(HostileValues, AnUndeclaredDomainJudgesOnlyWhatIsWrongUnderAnyReading) {
  const IntegerDomain d{1, 100, false};
  const std::vector<std::pair<json, std::string>> table = {
      {json(50), "valid"},
      {json(0), "read as 0"},
      {json(-0.0), "read as 0"},
      {json("-0"), "read as 0"},
      {json(101), "read as 101"},
      {json(std::int64_t{1} << 31), "read as 2147483648"},
      {json((std::int64_t{1} << 53) + 1), "read as 9007199254740993"},
      {json("50"), "read as 50"},
      {json(-50), "is negative"},
      {json(50.5), "is not an integer"},
      {json(5e-7), "is not an integer"},
      {json(std::uint64_t{1} << 63), "does not fit in 64 bits"},
      {json(1e21), "does not fit in 64 bits"},
      {json(std::string(5000, '9')), "does not fit in 64 bits"},
      {json("50abc"), "is a string that is not a plain number"},
      {json(true), "is a boolean, not a number"},
  };
  for (const auto& [value, expected] : table) EXPECT_EQ(judged(d, value), expected) << value.dump();
}

TEST(HostileValues, TheBuiltInSetIsMadeFromAValidValueAndExtendedByTheSpec) {
  const auto values = hostile_values(50, {json("0x32")});
  const auto has = [&values](const json& v) { return std::find(values.begin(), values.end(), v) != values.end(); };
  for (const json& v : {json(0), json(-50), json("50"), json(50.5), json("50abc"), json(" 50 "), json(5e-7), json("5e-7"),
                        json(true), json(nullptr), json::array({50}), json::object({{"value", 50}}), json(2147483648),
                        json(9007199254740993), json(std::uint64_t{1} << 63), json(1e21), json("0x32")})
    EXPECT_TRUE(has(v)) << v.dump();
  EXPECT_EQ(values.front(), json(0)) << "the simplest hostile value first";
  EXPECT_EQ(values.back(), json("0x32")) << "the spec's own values after the built-in ones";
}

TEST(HostileValues, OnByDefaultForTheMoneyOperationsOnly) {
  const GeneratorSettings s = generator_settings_from_spec(parse_spec(bank_spec(), "bank.json"));
  // deposit sends "{amount|string}": text, not a JSON value; read has no body.
  ASSERT_EQ(s.hostile_arguments.size(), 1u);
  ASSERT_EQ(s.hostile_arguments.count("withdraw"), 1u);
  const IntegerDomain d = s.hostile_arguments.at("withdraw").at("amount");
  EXPECT_EQ(d.lo, 1) << "undeclared: generator.amount's range";
  EXPECT_EQ(d.hi, 100);
  EXPECT_FALSE(d.declared);
  EXPECT_EQ(s.hostile_percent, 10);

  EXPECT_TRUE(generator_settings_from_spec(parse_spec(bank_spec({{"hostile", false}}), "bank.json")).hostile_arguments.empty());
  json kv = bank_spec();
  kv["model"] = "register";
  kv["operations"].erase("deposit");
  kv["operations"]["withdraw"]["as"] = "write";
  kv["operations"]["withdraw"]["body"] = {{"value", "{amount}"}};
  kv["final_read"] = {{"operation", "read"}};
  EXPECT_TRUE(generator_settings_from_spec(parse_spec(kv, "kv.json")).hostile_arguments.empty())
      << "a model without a ledger has no money operations";
}

TEST(HostileValues, TheSpecSwitchIsCheckedAndExtensible) {
  json declared = bank_spec({{"hostile", {{"probability", 0.5}, {"values", {"0x10"}}, {"invalid_errors", {"invalid"}}}}});
  declared["arguments"] = {{"amount", {{"type", "integer"}, {"min", 1}, {"max", 100}}}};
  const Spec spec = parse_spec(declared, "bank.json");
  EXPECT_EQ(spec.generator.hostile.invalid_errors, std::vector<std::string>{"invalid"});
  const GeneratorSettings s = generator_settings_from_spec(spec);
  EXPECT_EQ(s.hostile_percent, 50);
  EXPECT_EQ(s.hostile_extra, std::vector<json>{json("0x10")});
  EXPECT_EQ(s.hostile_arguments.at("withdraw").at("amount").hi, 100) << "a declared domain is the valid one";

  auto error_of = [](const json& generator) {
    try {
      parse_spec(bank_spec(generator), "bank.json");
    } catch (const SpecError& e) {
      return e.pointer + ": " + e.reason;
    }
    return std::string("loaded");
  };
  EXPECT_EQ(error_of({{"hostile", 5}}), "/generator/hostile: expected true, false or an object, got number");
  EXPECT_EQ(error_of({{"hostile", {{"operations", {"refund"}}}}}),
            "/generator/hostile/operations/0: no operation \"refund\" in /operations");
  EXPECT_EQ(error_of({{"hostile", {{"probability", 2}}}}).rfind("/generator/hostile/probability: ", 0), 0u);
  EXPECT_EQ(error_of({{"hostile", {{"oops", 1}}}}).rfind("/generator/hostile", 0), 0u);
}

RC_GTEST_PROP(HostileValues, EveryGeneratedOpIsMarkedWithItsJudgement, ()) {
  GeneratorSettings s = generator_settings_from_spec(parse_spec(bank_spec(), "bank.json"));
  s.hostile_percent = 50;
  const IntegerDomain domain = s.hostile_arguments.at("withdraw").at("amount");
  const ScenarioPlan plan = *gen_scenario_plan(s);
  const Scenario sc = build_scenario(plan);
  for (const auto& client : sc.clients) {
    for (const auto& op : client.ops) {
      if (op.f != "withdraw") {
        RC_ASSERT(op.invalid.is_null());
        RC_ASSERT(op.read_as.is_null());
        continue;
      }
      const ArgumentJudgement j = judge_integer_argument(domain, op.args.at("amount"));
      RC_ASSERT(op.invalid == (j.kind == ArgumentJudgement::Kind::Invalid ? json{{"amount", j.problem}} : json()));
      RC_ASSERT(op.read_as == (j.kind == ArgumentJudgement::Kind::ReadAs ? json{{"amount", j.reading}} : json()));
    }
  }
  // The marks travel with a saved scenario (replay).
  const Scenario again = scenario_from_json(scenario_to_json(sc));
  for (std::size_t c = 0; c < sc.clients.size(); ++c) {
    for (std::size_t i = 0; i < sc.clients[c].ops.size(); ++i) {
      RC_ASSERT(again.clients[c].ops[i].invalid == sc.clients[c].ops[i].invalid);
      RC_ASSERT(again.clients[c].ops[i].read_as == sc.clients[c].ops[i].read_as);
    }
  }
}

TEST(HostileValues, AHostileValueShrinksToTheValidValueFirst) {
  const auto gen = gen_maybe_hostile(rc::gen::just(json(42)), 50, {});
  int hostile_seen = 0;
  for (std::uint64_t seed = 1; seed <= 200 && hostile_seen < 5; ++seed) {
    const auto shrinkable = gen(rc::Random(seed), rc::kNominalSize);
    if (shrinkable.value() == json(42)) continue;
    ++hostile_seen;
    auto shrinks = shrinkable.shrinks();
    const auto first = shrinks.next();
    ASSERT_TRUE(static_cast<bool>(first)) << shrinkable.value().dump();
    EXPECT_EQ(first->value(), json(42)) << "from " << shrinkable.value().dump();
  }
  EXPECT_EQ(hostile_seen, 5);
}

}  // namespace
}  // namespace racecheck
