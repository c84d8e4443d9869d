// A correct service whose idempotency store outlives every reset, as real
// services keep theirs: the demo bank with one global key store (--key-scope
// global), correct idempotency and safe balances. A tester that sends the same
// keys in every trial is answered from an earlier trial (a replayed response,
// or 422 key_reused) and reports the service; with keys made per run and trial
// the bank passes. Bounded by --trials and a time budget.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <unistd.h>

#include "harness/run.h"
#include "harness/spec.h"
#include "targets/demo/bank.h"

namespace racecheck {
namespace {

namespace fs = std::filesystem;

Spec demo_spec_against(const std::string& base_url) {
  Spec spec = load_spec_file(RACECHECK_SOURCE_DIR "/targets/demo/spec.json");
  override_base_urls(spec, {base_url});
  return spec;
}

RunOptions bounded_run(std::uint64_t seed, int trials, const std::string& history) {
  RunOptions o;
  o.seed = seed;
  o.max_trials = trials;
  o.budget_s = 90;
  o.shrink_budget_s = 20;
  o.reproduce = 3;
  o.history_path = history;
  return o;
}

// The keys of the last trial's history (the history file holds one trial).
std::set<std::string> keys_in(const ReportInput& report) {
  std::set<std::string> keys;
  for (const auto& e : report.history)
    if (!e.key.empty()) keys.insert(e.key);
  return keys;
}

std::string summary(const ReportInput& report) {
  std::string out;
  for (const auto& v : report.verdicts.verdicts)
    out += v.invariant + " " + std::string(to_string(v.status)) + ": " + v.summary + "\n";
  return out;
}

class PersistentKeyStore : public ::testing::Test {
 protected:
  void SetUp() override {
    demo::DemoBankConfig config;
    config.balance = demo::BalanceMode::Safe;
    config.idempotency = demo::IdempotencyMode::Correct;
    config.key_scope = demo::KeyScope::Global;
    config.race_window_us = 0;
    config.work_us = 50;
    bank_ = std::make_unique<demo::DemoBank>(config);
    bank_->start();
    dir_ = fs::temp_directory_path() / ("racecheck-keys-itest-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    bank_->stop();
    fs::remove_all(dir_);
  }
  std::unique_ptr<demo::DemoBank> bank_;
  fs::path dir_;
};

TEST_F(PersistentKeyStore, CorrectServicePassesOverManyTrialsAndTwoRunsOfOneSeed) {
  const Spec spec = demo_spec_against(bank_->base_url());
  const RunOutcome first = run_spec(spec, bounded_run(7, 120, (dir_ / "a.jsonl").string()));
  EXPECT_NE(first.report.verdicts.overall(), Status::Fail) << summary(first.report);
  EXPECT_EQ(first.exit_code, 0) << summary(first.report);
  EXPECT_GE(first.report.stats.trials, 60) << "the run must reach the trials where old keys came back";

  // The same seed again, against the same store: the same scenarios, new keys.
  const RunOutcome second = run_spec(spec, bounded_run(7, 40, (dir_ / "b.jsonl").string()));
  EXPECT_NE(second.report.verdicts.overall(), Status::Fail) << summary(second.report);
  EXPECT_EQ(second.exit_code, 0) << summary(second.report);

  const std::set<std::string> a = keys_in(first.report), b = keys_in(second.report);
  for (const auto& k : b) {
    EXPECT_EQ(a.count(k), 0u) << k;
    EXPECT_EQ(k.rfind("rc-", 0), 0u) << k;  // a key, not a scenario's key group ("c0-op1")
  }
}

// A replay is a run of its own: re-running a saved scenario several times
// against the store that saw it never meets its own keys.
TEST_F(PersistentKeyStore, ReplayingOneScenarioRepeatedlyUsesFreshKeys) {
  const Spec spec = demo_spec_against(bank_->base_url());
  const Scenario scenario = scenario_from_json(json::parse(R"({
    "clients": [
      {"ops": [{"f": "withdraw", "args": {"account": 0, "amount": 30}, "key": "c0-op0", "max_attempts": 2},
               {"f": "withdraw", "args": {"account": 0, "amount": 30}, "key": "c0-op0", "max_attempts": 2}]},
      {"ops": [{"f": "deposit", "args": {"account": 0, "amount": 5}, "key": "c1-op0"}]}
    ]})"));
  for (int run = 0; run < 2; ++run) {
    RunOptions o = bounded_run(1, 1, "");
    o.reproduce = 5;
    const RunOutcome out = replay_scenario(spec, scenario, o);
    EXPECT_EQ(out.report.repro_runs, 5);
    EXPECT_EQ(out.report.repro_failures, 0) << summary(out.report);
  }
}

}  // namespace
}  // namespace racecheck
