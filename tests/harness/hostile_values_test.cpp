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

TEST(HostileValues, TheValidDomainDecidesWhatIsInvalid) {
  const IntegerDomain d{1, 100};
  EXPECT_EQ(integer_domain_problem(d, json(1)), "");
  EXPECT_EQ(integer_domain_problem(d, json(100)), "");
  EXPECT_EQ(integer_domain_problem(d, json(50.0)), "") << "JSON has one number type: 50.0 is 50";
  EXPECT_EQ(integer_domain_problem(d, json(-50)), "is negative");
  EXPECT_EQ(integer_domain_problem(d, json(0)), "is below the minimum 1");
  EXPECT_EQ(integer_domain_problem(d, json(101)), "is above the maximum 100");
  EXPECT_EQ(integer_domain_problem(d, json(50.5)), "is not an integer");
  EXPECT_EQ(integer_domain_problem(d, json(5e-7)), "is not an integer");
  EXPECT_EQ(integer_domain_problem(d, json(1e21)), "is above the maximum 100");
  EXPECT_EQ(integer_domain_problem(d, json(std::uint64_t{1} << 63)), "is above the maximum 100");
  EXPECT_EQ(integer_domain_problem(d, json("50")), "is a string, not a number");
  EXPECT_EQ(integer_domain_problem(d, json(true)), "is a boolean, not a number");
  EXPECT_EQ(integer_domain_problem(d, json(nullptr)), "is null");
  EXPECT_EQ(integer_domain_problem(d, json::array({50})), "is an array, not a number");
  EXPECT_EQ(integer_domain_problem(d, json::object({{"value", 50}})), "is an object, not a number");
  const IntegerDomain safe;  // 1 .. 2^53 - 1
  EXPECT_EQ(integer_domain_problem(safe, json((std::int64_t{1} << 53) - 1)), "");
  EXPECT_EQ(integer_domain_problem(safe, json((std::int64_t{1} << 53) + 1)), "is above the maximum 9007199254740991");
  EXPECT_EQ(integer_domain_problem(safe, json(9007199254740992.0)), "is above the maximum 9007199254740991");
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
  EXPECT_EQ(d.lo, 1);
  EXPECT_EQ(d.hi, (std::int64_t{1} << 53) - 1);
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

RC_GTEST_PROP(HostileValues, EveryGeneratedOpIsMarkedExactlyWhenAnArgumentIsInvalid, ()) {
  GeneratorSettings s = generator_settings_from_spec(parse_spec(bank_spec(), "bank.json"));
  s.hostile_percent = 50;
  const ScenarioPlan plan = *gen_scenario_plan(s);
  const Scenario sc = build_scenario(plan);
  for (const auto& client : sc.clients) {
    for (const auto& op : client.ops) {
      const std::string problem = op.f == "withdraw" ? integer_domain_problem(IntegerDomain{}, op.args.at("amount")) : "";
      if (problem.empty()) {
        RC_ASSERT(op.invalid.is_null());
      } else {
        RC_ASSERT((op.invalid == json{{"amount", problem}}));
      }
    }
  }
  // The marks travel with a saved scenario (replay).
  const Scenario again = scenario_from_json(scenario_to_json(sc));
  for (std::size_t c = 0; c < sc.clients.size(); ++c)
    for (std::size_t i = 0; i < sc.clients[c].ops.size(); ++i) RC_ASSERT(again.clients[c].ops[i].invalid == sc.clients[c].ops[i].invalid);
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
