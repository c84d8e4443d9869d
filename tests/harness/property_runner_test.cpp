// The generator and the RapidCheck driver, against fake trial functions: no
// network. A fake "service" breaks when two large withdrawals meet in the burst.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "harness/generator.h"
#include "harness/property_runner.h"

namespace racecheck {
namespace {

GeneratorSettings bank_settings() {
  GeneratorSettings s;
  s.clients = {1, 6};
  s.ops_per_client = {1, 4};
  s.op_mix = {{"withdraw", 3}, {"deposit", 1}, {"read", 1}};
  s.op_arguments = {{"withdraw", {"account", "amount"}}, {"deposit", {"account", "amount"}}, {"read", {"account"}}};
  s.arguments["amount"] = ArgDomain{{1, 100}, {}};
  s.accounts = 2;
  s.key_policy_weights = {{KeyPolicy::Fresh, 4}, {KeyPolicy::None, 1}, {KeyPolicy::ConcurrentDuplicate, 2},
                          {KeyPolicy::SequentialReplay, 1}, {KeyPolicy::DifferentPayload, 1}};
  s.max_attempts = 3;
  s.lost_response_percent = 20;
  s.staggered_percent = 20;
  return s;
}

// The fake bug: two withdrawals of at least 60 from the same account, both first
// in their client (so both are in the synchronized burst), overdraw 100.
bool two_large_withdrawals_race(const Scenario& sc) {
  std::multiset<int> accounts;
  for (const auto& c : sc.clients) {
    if (c.ops.empty()) continue;
    const auto& op = c.ops.front();
    if (op.f == "withdraw" && op.args.value("amount", 0) >= 60) accounts.insert(op.args.value("account", 0));
  }
  for (int a : accounts)
    if (accounts.count(a) >= 2) return true;
  return false;
}

// A fake trial: a violation (with `signatures`) exactly when `bug` holds.
TrialFn fails_when(std::function<bool(const Scenario&)> bug, std::vector<std::string> signatures = {}) {
  return [bug = std::move(bug), signatures = std::move(signatures)](const Scenario& sc) {
    TrialRecord t;
    t.scenario = sc;
    if (bug(sc)) {
      t.verdict = TrialVerdict::Violation;
      t.signatures = signatures;
    }
    return t;
  };
}

TEST(Generator, RespectsSettingsAndMaterializesKeyPolicies) {
  const auto s = bank_settings();
  const auto gen = gen_scenario_plan(s);
  int duplicates = 0, replays = 0, different = 0;
  for (int seed = 0; seed < 300; ++seed) {
    const ScenarioPlan plan = gen(rc::Random(seed), 50).value();
    ASSERT_GE(plan.clients.size(), 1u);
    ASSERT_LE(plan.clients.size(), 6u);
    const Scenario sc = build_scenario(plan);
    std::map<std::string, std::vector<std::pair<int, json>>> by_key;
    for (int c = 0; c < static_cast<int>(sc.clients.size()); ++c) {
      for (const auto& op : sc.clients[c].ops) {
        ASSERT_TRUE(op.f == "withdraw" || op.f == "deposit" || op.f == "read") << op.f;
        ASSERT_GE(op.args.at("account").get<int>(), 0);
        ASSERT_LT(op.args.at("account").get<int>(), 2);
        if (op.f != "read") {
          const int amount = op.args.at("amount").get<int>();
          ASSERT_GE(amount, 1);
          ASSERT_LE(amount, 101);  // a different-payload reuse adds one
        }
        ASSERT_GE(op.max_attempts, 1);
        ASSERT_LE(op.max_attempts, 3);
        if (!op.key.empty()) by_key[op.key].emplace_back(c, op.args);
      }
    }
    for (const auto& [key, uses] : by_key) {
      if (uses.size() < 2) continue;
      if (uses[0].second != uses[1].second) ++different;
      else if (uses[0].first != uses[1].first) ++duplicates;
      else ++replays;
    }
  }
  EXPECT_GT(duplicates, 10);
  EXPECT_GT(replays, 10);
  EXPECT_GT(different, 10);
}

TEST(PropertyRunner, ShrinksToTheTwoRequestsThatRace) {
  PropertyRunOptions o;
  o.seed = 7;
  o.max_trials = 500;
  const auto r = run_property(bank_settings(), fails_when(two_large_withdrawals_race), o);
  ASSERT_TRUE(r.first_failure.has_value());
  ASSERT_TRUE(r.minimal_failure.has_value());
  const Scenario& min = r.minimal_failure->scenario;
  EXPECT_TRUE(two_large_withdrawals_race(min));
  EXPECT_EQ(min.op_count(), 2) << scenario_to_json(min).dump();
  EXPECT_EQ(min.clients.size(), 2u);
  for (const auto& c : min.clients) {
    EXPECT_EQ(c.ops.front().args.at("amount").get<int>(), 60);  // shrunk to the smallest that still breaks
    EXPECT_EQ(c.ops.front().max_attempts, 1);
    EXPECT_FALSE(c.ops.front().lose_response);
  }
  EXPECT_EQ(min.release, Release::Burst);
}

// A bug one request shows (here: any withdrawal of 90 or more) ends as one
// request, below the generator's floor of 3 clients.
TEST(PropertyRunner, ABugOneRequestShowsShrinksToOneRequestBelowTheClientFloor) {
  GeneratorSettings s = bank_settings();
  s.clients = {3, 6};
  auto large_withdrawal = [](const Scenario& sc) {
    for (const auto& c : sc.clients)
      for (const auto& op : c.ops)
        if (op.f == "withdraw" && op.args.value("amount", 0) >= 90) return true;
    return false;
  };
  PropertyRunOptions o;
  o.seed = 11;
  o.max_trials = 500;
  const auto r = run_property(s, fails_when(large_withdrawal), o);
  ASSERT_TRUE(r.minimal_failure.has_value());
  const Scenario& min = r.minimal_failure->scenario;
  EXPECT_EQ(min.op_count(), 1) << scenario_to_json(min).dump();
  EXPECT_TRUE(large_withdrawal(min));

  // A race keeps its two requests: no single op of it fails alone.
  const auto race = run_property(s, fails_when(two_large_withdrawals_race), o);
  ASSERT_TRUE(race.minimal_failure.has_value());
  EXPECT_TRUE(two_large_withdrawals_race(race.minimal_failure->scenario));
  EXPECT_GE(race.minimal_failure->scenario.op_count(), 3) << "the floor of 3 clients holds for a race";
}

// bank_settings with hostile amounts one draw in a hundred.
GeneratorSettings hostile_bank_settings() {
  GeneratorSettings s = bank_settings();
  s.hostile_arguments["withdraw"]["amount"] = IntegerDomain{1, 100, false};
  s.hostile_arguments["deposit"]["amount"] = IntegerDomain{1, 100, false};
  s.hostile_percent = 1;
  return s;
}

TEST(HostileProbes, OneSingleRequestPerValuePerArgumentTheOtherArgumentsValid) {
  const GeneratorSettings s = hostile_bank_settings();
  const std::vector<ScenarioPlan> probes = hostile_probe_plans(s, 7);
  const std::size_t values = hostile_values(1, {}).size();
  ASSERT_EQ(probes.size(), 2 * values) << "withdraw and deposit, each amount value";
  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t k = 0; k < probes.size(); ++k) {
    const Scenario sc = build_scenario(probes[k]);
    ASSERT_EQ(sc.op_count(), 1);
    const ScenarioOp& op = sc.clients[0].ops[0];
    const json& amount = op.args.at("amount");
    seen.emplace(op.f, amount.dump());
    EXPECT_GE(op.args.at("account").get<int>(), 0);
    EXPECT_LT(op.args.at("account").get<int>(), 2);
    EXPECT_EQ(op.max_attempts, 1);
    EXPECT_FALSE(op.lose_response);
    const ArgumentJudgement j = judge_integer_argument(IntegerDomain{1, 100, false}, amount);
    EXPECT_EQ(j.kind == ArgumentJudgement::Kind::Invalid, op.invalid.is_object() && op.invalid.contains("amount"))
        << amount.dump();
    EXPECT_EQ(j.kind == ArgumentJudgement::Kind::ReadAs, op.read_as.is_object() && op.read_as.contains("amount"))
        << amount.dump();
  }
  EXPECT_EQ(seen.size(), probes.size()) << "every probe is a different request";
  EXPECT_EQ(hostile_probe_plans(s, 7).size(), probes.size());

  GeneratorSettings off = s;
  off.hostile_percent = 0;
  EXPECT_TRUE(hostile_probe_plans(off, 7).empty()) << "hostile values off: no probes";
}

// A value a random draw almost never sends (1e21, in one draw of 1,700) is
// sent by a probe before any concurrent search, and is the counterexample as it is.
TEST(HostileProbes, ARareValueIsFoundFirstAndIsTheOneRequestCounterexample) {
  const GeneratorSettings s = hostile_bank_settings();
  auto accepts_1e21 = [](const Scenario& sc) {
    for (const auto& c : sc.clients)
      for (const auto& op : c.ops)
        if (op.f == "deposit" && op.args.at("amount") == json(1e21)) return true;
    return false;
  };
  PropertyRunOptions o;
  o.seed = 3;
  o.max_trials = 50;
  o.reproduce = 3;
  const auto r = run_property(s, fails_when(accepts_1e21, {"input-validation/invalid-input-accepted"}), o);
  ASSERT_TRUE(r.minimal_failure.has_value());
  EXPECT_EQ(r.scenarios, 0) << "found by the probes, before the search";
  EXPECT_GT(r.probes, 0);
  EXPECT_LE(r.probes, static_cast<int>(hostile_probe_plans(s, 3).size()));
  EXPECT_EQ(r.minimal_failure->scenario.op_count(), 1);
  EXPECT_TRUE(accepts_1e21(r.minimal_failure->scenario));
  EXPECT_EQ(r.minimal_runs, 3);
  EXPECT_EQ(r.minimal_failures, 3);
  EXPECT_EQ(r.trials, r.probes + 3) << "the probes, then R re-runs of the one request (original and minimal)";
}

TEST(HostileProbes, ShardsSplitTheProbesAndTheDeadlineStopsThem) {
  const GeneratorSettings s = hostile_bank_settings();
  auto probes_sent = [&](int part, int parts, bool expired) {
    std::vector<std::string> sent;
    PropertyRunOptions o;
    o.seed = 5;
    o.max_trials = 0;
    o.probe_part = part;
    o.probe_parts = parts;
    if (expired) o.search_deadline = std::chrono::steady_clock::now();
    const auto r = run_property(s, [&](const Scenario& sc) {
      sent.push_back(scenario_to_json(sc).dump());
      return TrialRecord{};
    }, o);
    EXPECT_EQ(r.probes, static_cast<int>(sent.size()));
    return sent;
  };
  const std::vector<std::string> all = probes_sent(0, 1, false);
  EXPECT_EQ(all.size(), hostile_probe_plans(s, 5).size());
  std::vector<std::string> shared;
  for (int part = 0; part < 3; ++part) {
    const std::vector<std::string> mine = probes_sent(part, 3, false);
    EXPECT_NEAR(static_cast<double>(mine.size()), static_cast<double>(all.size()) / 3.0, 1.0);
    shared.insert(shared.end(), mine.begin(), mine.end());
  }
  std::sort(shared.begin(), shared.end());
  std::vector<std::string> sorted_all = all;
  std::sort(sorted_all.begin(), sorted_all.end());
  EXPECT_EQ(shared, sorted_all) << "three shards send every probe once";
  EXPECT_TRUE(probes_sent(0, 1, true).empty()) << "no budget: no probe";
}

// On a slow service the probes alone would fill the budget and the gate would
// pass without one concurrent scenario: they get half of it.
TEST(HostileProbes, ASlowServiceStillGetsConcurrentScenarios) {
  const GeneratorSettings s = hostile_bank_settings();
  const std::size_t all = hostile_probe_plans(s, 9).size();
  PropertyRunOptions o;
  o.seed = 9;
  o.max_trials = 1000;
  o.search_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(2000);
  int concurrent = 0;
  const auto r = run_property(s, [&](const Scenario& sc) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // all probes: 3.4 s
    if (sc.clients.size() > 1) ++concurrent;
    return TrialRecord{};
  }, o);
  EXPECT_LT(r.probes, static_cast<int>(all));
  EXPECT_LE(r.probes, 11) << "half the budget: 10 trials of 100 ms, the last started in time";
  EXPECT_GE(r.scenarios, 1);
  EXPECT_GE(concurrent, 1);
}

TEST(PropertyRunner, ShrinksUnderNondeterminismWithRepeats) {
  // The fake service misbehaves only 30% of the time even when the race is there.
  std::mt19937 rng(1);
  PropertyRunOptions o;
  o.seed = 11;
  o.max_trials = 500;
  o.repeat = 10;
  const auto r = run_property(bank_settings(), [&](const Scenario& sc) {
    TrialRecord t;
    t.scenario = sc;
    const bool unlucky = std::uniform_int_distribution<int>(0, 99)(rng) < 30;
    t.verdict = two_large_withdrawals_race(sc) && unlucky ? TrialVerdict::Violation : TrialVerdict::Pass;
    return t;
  }, o);
  ASSERT_TRUE(r.minimal_failure.has_value());
  EXPECT_TRUE(two_large_withdrawals_race(r.minimal_failure->scenario));
  // A 30% failure rate with K = 10 does not always reach the true minimum (2 ops);
  // it must still end small and no larger than where it started.
  EXPECT_LE(r.minimal_failure->scenario.op_count(), 4);
  EXPECT_LE(r.minimal_failure->scenario.op_count(), r.first_failure->scenario.op_count());
}

// A fake two-instance service: the real bug (the race) shows as a double
// execution; once it has been seen, state left behind makes every scenario
// without the race fail in another way (an artifact, not the bug).
TEST(PropertyRunner, ShrinkingKeepsTheViolationSignature) {
  PropertyRunOptions o;
  o.seed = 7;
  o.max_trials = 500;
  bool race_seen = false;
  const auto r = run_property(bank_settings(), [&](const Scenario& sc) {
    TrialRecord t;
    t.scenario = sc;
    if (two_large_withdrawals_race(sc)) {
      race_seen = true;
      t.verdict = TrialVerdict::Violation;
      t.signatures = {"idempotency/double-execution", "conservation/not-conserved"};
    } else if (race_seen) {
      t.verdict = TrialVerdict::Violation;
      t.signatures = {"linearizability/non-linearizable"};
    }
    return t;
  }, o);
  ASSERT_TRUE(r.minimal_failure.has_value());
  EXPECT_EQ(r.signature, "idempotency/double-execution");
  EXPECT_GT(r.rejected_candidates, 0) << "the artifact candidates were tried and rejected";
  const Scenario& min = r.minimal_failure->scenario;
  EXPECT_TRUE(two_large_withdrawals_race(min)) << scenario_to_json(min).dump();
  EXPECT_EQ(r.minimal_failure->signatures.front(), "idempotency/double-execution");
  EXPECT_EQ(min.op_count(), 2) << scenario_to_json(min).dump();
}

TEST(PropertyRunner, MeasuresTheOriginalAndTheMinimalReproductionRates) {
  PropertyRunOptions o;
  o.seed = 7;
  o.max_trials = 500;
  o.reproduce = 5;
  std::vector<std::string> phases;
  o.on_trial = [&](const char* phase) { phases.push_back(phase); };
  const auto r = run_property(bank_settings(), fails_when(two_large_withdrawals_race), o);
  ASSERT_TRUE(r.minimal_failure.has_value());
  EXPECT_EQ(r.original_runs, 5);
  EXPECT_EQ(r.original_failures, 5);
  EXPECT_EQ(r.minimal_runs, 5);
  EXPECT_EQ(r.minimal_failures, 5);
  EXPECT_EQ(r.kept_shrinks, r.accepted_shrinks);
  EXPECT_GT(r.accepted_shrinks, 0);
  EXPECT_TRUE(r.shrink_note.empty()) << r.shrink_note;
  EXPECT_EQ(r.minimal_failure->scenario.op_count(), 2);
  EXPECT_EQ(std::count(phases.begin(), phases.end(), std::string("reproduce")), 10);
}

// A flaky bug: the first failing scenario's size always reproduces; smaller ones
// fail once (which is how shrinking accepted them) and then almost never. The
// counterexample falls back to the smallest shrink whose rate held.
TEST(PropertyRunner, StopsShrinkingWhereTheReproductionRateCollapses) {
  PropertyRunOptions o;
  o.seed = 7;
  o.max_trials = 500;
  o.reproduce = 10;
  int original_ops = -1;
  std::map<std::string, int> calls;
  const auto r = run_property(bank_settings(), [&](const Scenario& sc) {
    TrialRecord t;
    t.scenario = sc;
    const int n = ++calls[scenario_to_json(sc).dump()];
    if (two_large_withdrawals_race(sc)) {
      if (original_ops < 0) original_ops = sc.op_count();
      if (sc.op_count() >= original_ops || n == 1) t.verdict = TrialVerdict::Violation;
    }
    return t;
  }, o);
  ASSERT_TRUE(r.minimal_failure.has_value());
  ASSERT_GT(r.first_failure->scenario.op_count(), 2) << "this seed must start above the true minimum";
  EXPECT_EQ(r.original_failures, 10);
  EXPECT_GE(2 * r.minimal_failures, r.original_failures) << "the kept counterexample reproduces";
  EXPECT_LT(r.kept_shrinks, r.accepted_shrinks);
  EXPECT_EQ(r.minimal_failure->scenario.op_count(), original_ops);
  EXPECT_TRUE(two_large_withdrawals_race(r.minimal_failure->scenario));
  EXPECT_NE(r.shrink_note.find("under half the original's 10/10"), std::string::npos) << r.shrink_note;
}

TEST(PropertyRunner, SameSeedSameRun) {
  auto run = [](std::uint64_t seed) {
    std::vector<std::string> seen;
    PropertyRunOptions o;
    o.seed = seed;
    o.max_trials = 60;
    run_property(bank_settings(), [&](const Scenario& sc) {
      seen.push_back(scenario_to_json(sc).dump());
      TrialRecord t;
      t.scenario = sc;
      return t;
    }, o);
    return seen;
  };
  const auto a = run(42), b = run(42), c = run(43);
  EXPECT_EQ(a.size(), 60u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(PropertyRunner, PassingRunStopsAtMaxTrials) {
  PropertyRunOptions o;
  o.max_trials = 45;
  int calls = 0;
  const auto r = run_property(bank_settings(), [&](const Scenario& sc) {
    ++calls;
    TrialRecord t;
    t.scenario = sc;
    return t;
  }, o);
  EXPECT_EQ(calls, 45);
  EXPECT_EQ(r.scenarios, 45);
  EXPECT_FALSE(r.first_failure.has_value());
  EXPECT_FALSE(r.budget_exhausted);
}

TEST(PropertyRunner, DeadlineStopsTheSearch) {
  PropertyRunOptions o;
  o.max_trials = 1000000;
  o.search_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  int calls = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run_property(bank_settings(), [&](const Scenario& sc) {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    TrialRecord t;
    t.scenario = sc;
    return t;
  }, o);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(r.budget_exhausted);
  EXPECT_GT(calls, 5);
  EXPECT_LT(s, 2.0);
}

TEST(PropertyRunner, ShrinkDeadlineKeepsTheLastRealFailure) {
  PropertyRunOptions o;
  o.seed = 3;
  o.max_trials = 500;
  o.shrink_budget = std::chrono::steady_clock::duration::zero();  // no time to shrink at all
  const auto r = run_property(bank_settings(), fails_when(two_large_withdrawals_race), o);
  ASSERT_TRUE(r.minimal_failure.has_value());
  EXPECT_EQ(scenario_to_json(r.minimal_failure->scenario), scenario_to_json(r.first_failure->scenario));
  EXPECT_EQ(r.shrink_candidates, 0);
}

TEST(PropertyRunner, TrialExceptionsAreRethrown) {
  PropertyRunOptions o;
  o.max_trials = 10;
  EXPECT_THROW(run_property(bank_settings(), [](const Scenario&) -> TrialRecord {
    throw std::runtime_error("target down");
  }, o), std::runtime_error);
}

}  // namespace
}  // namespace racecheck
