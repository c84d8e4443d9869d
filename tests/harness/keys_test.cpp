// Idempotency keys: made per run and per trial from a scenario's key groups
// (harness/idempotency_keys.h), shared by the retries and deliberate duplicates
// of one logical op, never sent for an operation marked "idempotency": "none",
// always sent for one marked "required" -- also in every shrink candidate.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "harness/generator.h"
#include "harness/generator_settings.h"
#include "harness/idempotency_keys.h"
#include "harness/spec.h"
#include "harness/trial.h"

namespace racecheck {
namespace {

// A bank with one operation of each idempotency kind: deposit ignores keys
// ("none"), withdraw requires one, transfer leaves it to the key policy.
json keyed_bank_spec() {
  return json::parse(R"({
    "base_urls": ["http://127.0.0.1:9"],
    "accounts": {"count": 2, "setup": [{"method": "POST", "path": "/accounts", "capture": {"id": "/id"}}], "id": "{id}"},
    "operations": {
      "withdraw": {"method": "POST", "path": "/a/{account}/withdraw", "body": {"amount": "{amount}"},
                   "idempotency": "required", "classify": [{"status": 200, "outcome": "ok"}]},
      "deposit": {"method": "POST", "path": "/a/{account}/deposit", "body": {"amount": "{amount}"},
                  "idempotency": "none", "classify": [{"status": 200, "outcome": "ok"}]},
      "transfer": {"method": "POST", "path": "/a/{account}/transfer", "body": {"amount": "{amount}"},
                   "classify": [{"status": 200, "outcome": "ok"}]},
      "read": {"method": "GET", "path": "/a/{account}", "classify": [{"status": 200, "outcome": "ok"}],
               "extract": {"balance": "/balance"}}
    },
    "model": "account",
    "generator": {
      "clients": [1, 5], "ops_per_client": [1, 4], "accounts": 2,
      "op_mix": {"withdraw": 2, "deposit": 2, "transfer": 2, "read": 1},
      "key_policy": {"none": 2, "fresh": 1, "concurrent-duplicate": 2, "sequential-replay": 1, "different-payload": 1},
      "retry_max_attempts": 3
    }
  })");
}

Spec keyed_bank() { return parse_spec(keyed_bank_spec(), "bank.json"); }

// Every op's key, in scenario order ("" = none).
std::vector<std::string> keys_of(const Scenario& sc) {
  std::vector<std::string> keys;
  for (const auto& c : sc.clients)
    for (const auto& op : c.ops) keys.push_back(op.key);
  return keys;
}

// The scenario's ops grouped by their key group (as built by the generator).
Scenario two_groups_with_duplicates() {
  Scenario sc;
  sc.clients.resize(2);
  sc.clients[0].ops = {ScenarioOp{"withdraw", {{"account", 0}, {"amount", 5}}, "c0-op0", 3, false, 0},
                       ScenarioOp{"transfer", {{"account", 0}, {"amount", 5}}, "c0-op1", 1, false, 0},
                       ScenarioOp{"withdraw", {{"account", 0}, {"amount", 5}}, "c0-op0", 3, false, 0},
                       ScenarioOp{"read", {{"account", 0}}, "", 1, false, 0}};
  sc.clients[1].ops = {ScenarioOp{"transfer", {{"account", 0}, {"amount", 5}}, "c0-op1", 1, false, 0}};
  return sc;
}

TEST(IdempotencyKeys, OneKeyPerGroupWithinATrialAndNewOnesInTheNext) {
  const Spec spec = keyed_bank();
  const Scenario logical = two_groups_with_duplicates();
  const auto first = keys_of(with_idempotency_keys(logical, spec, "00112233aabbccdd", 1));
  const auto second = keys_of(with_idempotency_keys(logical, spec, "00112233aabbccdd", 2));
  // Within a trial: the duplicate of a group carries the group's key.
  EXPECT_EQ(first[0], first[2]);
  EXPECT_EQ(first[1], first[4]);
  EXPECT_NE(first[0], first[1]);
  EXPECT_EQ(first[3], "");
  EXPECT_EQ(first[0], "rc-00112233aabbccdd-t1-c0-op0");
  // The next trial (a shrink step, a reproduction) sends none of them again.
  for (const auto& k : second) {
    if (k.empty()) continue;
    EXPECT_EQ(std::count(first.begin(), first.end(), k), 0) << k;
  }
  // Nor does another run with the same trial number.
  const auto other_run = keys_of(with_idempotency_keys(logical, spec, "ffeeddccbbaa9988", 1));
  EXPECT_NE(other_run[0], first[0]);
  // The group names themselves are never sent.
  for (const auto& k : first) EXPECT_NE(k, "c0-op0");
}

TEST(IdempotencyKeys, TheLogicalScenarioKeepsItsGroups) {
  const Spec spec = keyed_bank();
  const Scenario logical = two_groups_with_duplicates();
  const Scenario sent = with_idempotency_keys(logical, spec, "0123456789abcdef", 7);
  EXPECT_EQ(keys_of(logical)[0], "c0-op0");  // what a result saves for replay
  EXPECT_NE(keys_of(sent)[0], "c0-op0");
  EXPECT_EQ(scenario_to_json(logical)["clients"][0]["ops"][0]["key"], "c0-op0");
}

TEST(IdempotencyKeys, AnOperationMarkedNoneLosesAKeyFromAnOldScenario) {
  const Spec spec = keyed_bank();
  Scenario sc;
  sc.clients.resize(1);
  sc.clients[0].ops = {ScenarioOp{"deposit", {{"account", 0}, {"amount", 5}}, "c0-op0", 3, false, 0}};
  const Scenario sent = with_idempotency_keys(sc, spec, "0123456789abcdef", 1);
  EXPECT_EQ(sent.clients[0].ops[0].key, "");
  EXPECT_EQ(sent.clients[0].ops[0].max_attempts, 1);  // without a key a retry is a new request
}

TEST(IdempotencyKeys, RunIdsComeFromTheRandomDeviceNotTheSeed) {
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    const std::string id = new_run_id();
    EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{16}"))) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 20u);
  // Two runners with the same seed (two runs, or a run and its replay) send different keys.
  const Spec spec = keyed_bank();
  TrialRunner a(spec, 42, 1000, "");
  TrialRunner b(spec, 42, 1000, "");
  EXPECT_NE(a.run_id(), b.run_id());
  EXPECT_EQ(a.trials_started(), 0);
}

TEST(IdempotencyKeys, UuidFormatIsAVersion4Uuid) {
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int trial = 1; trial <= 50; ++trial) {
    for (int client = 0; client < 4; ++client) {
      const std::string k = render_idempotency_key("{uuid}", KeyContext{"0011223344556677", trial, client, 0});
      EXPECT_TRUE(std::regex_match(k, uuid)) << k;
      seen.insert(k);
    }
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_EQ(render_idempotency_key("{uuid}", KeyContext{"0011223344556677", 3, 1, 2}),
            render_idempotency_key("{uuid}", KeyContext{"0011223344556677", 3, 1, 2}));
  EXPECT_NE(render_idempotency_key("{uuid}", KeyContext{"0011223344556677", 3, 1, 2}),
            render_idempotency_key("{uuid}", KeyContext{"0011223344556678", 3, 1, 2}));
}

TEST(IdempotencyKeys, TemplatePlaceholdersAndBraces) {
  EXPECT_EQ(render_idempotency_key("x{{{run}}}-{trial}.{client}.{op}", KeyContext{"r", 12, 3, 4}), "x{r}-12.3.4");
  EXPECT_EQ(idempotency_key_template_problem("{run}-{trial}-{client}-{op}"), std::nullopt);
  EXPECT_EQ(idempotency_key_template_problem("pay_{uuid}"), std::nullopt);
  EXPECT_NE(idempotency_key_template_problem("{run}-{client}-{op}"), std::nullopt);      // repeats across trials
  EXPECT_NE(idempotency_key_template_problem("{run}-{trial}-{client}{op}"), std::nullopt);  // 1,12 vs 11,2
  EXPECT_NE(idempotency_key_template_problem("{run}-{trial}-{client}7{op}"), std::nullopt);
  EXPECT_NE(idempotency_key_template_problem("{uuid}-{nonce}"), std::nullopt);
  EXPECT_NE(idempotency_key_template_problem("{uuid"), std::nullopt);
  EXPECT_EQ(idempotency_key_max_rendered_length("{uuid}"), 36u);
}

TEST(IdempotencyKeys, OperationKindsReachTheGeneratorSettings) {
  const GeneratorSettings s = generator_settings_from_spec(keyed_bank());
  auto has = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  EXPECT_TRUE(has(s.keyless_operations, "deposit"));
  EXPECT_TRUE(has(s.keyless_operations, "read"));  // a GET, by default
  EXPECT_FALSE(has(s.keyless_operations, "transfer"));
  EXPECT_TRUE(has(s.keyed_operations, "withdraw"));
  EXPECT_FALSE(has(s.keyed_operations, "transfer"));
}

// What is wrong with the keys of a plan's scenario ("" = nothing): an op kind
// against its spec, keys of one group that differ, keys shared by two groups,
// keys of trial 2 that trial 1 already sent.
std::string key_problem(const Spec& spec, const ScenarioPlan& plan) {
  for (const auto& client : plan.clients) {
    for (const auto& p : client) {
      if ((p.f == "deposit" || p.f == "read") && p.key_policy != KeyPolicy::None) return p.f + " planned with a key";
      if (p.f == "withdraw" && p.key_policy == KeyPolicy::None) return "withdraw planned without a key";
    }
  }
  const Scenario logical = build_scenario(plan);
  const Scenario t1 = with_idempotency_keys(logical, spec, "0123456789abcdef", 1);
  const Scenario t2 = with_idempotency_keys(logical, spec, "0123456789abcdef", 2);
  std::map<std::string, std::string> key_of_group;
  std::set<std::string> keys1, keys2;
  for (std::size_t c = 0; c < logical.clients.size(); ++c) {
    for (std::size_t i = 0; i < logical.clients[c].ops.size(); ++i) {
      const ScenarioOp& op = logical.clients[c].ops[i];
      const std::string& k1 = t1.clients[c].ops[i].key;
      const std::string& k2 = t2.clients[c].ops[i].key;
      if ((op.f == "deposit" || op.f == "read") && !k1.empty()) return op.f + " sent with key " + k1;
      if (op.f == "withdraw" && k1.empty()) return "withdraw sent without a key";
      if (op.key.empty() != k1.empty()) return "group " + op.key + " became key \"" + k1 + "\"";
      if (op.key.empty()) continue;
      auto [it, first] = key_of_group.try_emplace(op.key, k1);
      if (it->second != k1) return "group " + op.key + " sent with two keys";
      if (first && !keys1.insert(k1).second) return "key " + k1 + " shared by two groups";
      keys2.insert(k2);
    }
  }
  for (const auto& k : keys2)
    if (keys1.count(k) != 0u) return "key " + k + " sent in trial 1 and trial 2";
  return "";
}

RC_GTEST_PROP(IdempotencyKeys, GeneratedScenariosHonourOperationKindsAndKeysNeverRepeat, ()) {
  static const Spec spec = keyed_bank();
  static const GeneratorSettings settings = generator_settings_from_spec(spec);
  const ScenarioPlan plan = *gen_scenario_plan(settings);
  RC_ASSERT(key_problem(spec, plan) == "");
}

// Shrinking changes the op kinds (an op shrinks toward the first in the mix) and
// the key policies: every candidate on a shrink path must still follow the spec.
TEST(IdempotencyKeys, ShrinkCandidatesHonourOperationKinds) {
  const Spec spec = keyed_bank();
  const auto gen = gen_scenario_plan(generator_settings_from_spec(spec));
  int checked = 0;
  for (int seed = 0; seed < 20; ++seed) {
    rc::Shrinkable<ScenarioPlan> current = gen(rc::Random(seed), 50);
    ASSERT_EQ(key_problem(spec, current.value()), "") << "seed " << seed;
    // Down one shrink path (always the first candidate), checking the siblings
    // on the way: the candidates RapidCheck would try.
    for (int depth = 0; depth < 30; ++depth) {
      auto shrinks = current.shrinks();
      rc::Maybe<rc::Shrinkable<ScenarioPlan>> first = shrinks.next();
      if (!first) break;
      int siblings = 0;
      for (auto candidate = first; candidate && siblings < 40; candidate = shrinks.next(), ++siblings) {
        ASSERT_EQ(key_problem(spec, candidate->value()), "") << "seed " << seed << " depth " << depth;
        ++checked;
      }
      current = *first;
    }
  }
  EXPECT_GT(checked, 100);
}

}  // namespace
}  // namespace racecheck
