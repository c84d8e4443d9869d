// The product's main loop (`racecheck run`, `demo`, `replay`): generate scenarios,
// run them as trials against the live target, shrink a failure, re-run the
// minimal scenario to measure how often it reproduces, and fill a ReportInput.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "harness/property_runner.h"
#include "harness/scenario.h"
#include "harness/spec.h"
#include "reports/reports.h"

namespace racecheck {

struct RunOptions {
  std::uint64_t seed = 0;
  double budget_s = 60;         // search time; shrinking and reproduction come after it
  int max_trials = 1000000;     // generated scenarios at most
  int repeat = 1;               // K: runs per scenario and per shrink candidate
  int reproduce = 10;           // R: re-runs of the minimal scenario
  double shrink_budget_s = 30;  // from the first failure
  double check_budget_ms = 10000;
  // The evidence a pass needs (docs/ci.md): at least this many determinate ok
  // completions of each state-changing operation (method other than GET, HEAD,
  // OPTIONS) the scenarios sent, and as many of any operation when none of them
  // changes state. 0: a single judged trial is enough. Short of it: exit 4.
  int min_ok = 1;
  std::string history_path;     // stream trials here (see TrialRunner)
  std::string command;          // the command line that reproduces this run
  std::string spec_path;
  std::string spec_digest;      // recorded in the result: `racecheck merge` refuses results of other specs
  // Which part of the seed space this run searches (harness/shard.h); the
  // trials use `seed` itself, so a shard's counterexample replays with it.
  ShardId shard;
  std::ostream* progress = nullptr;  // live progress (a TTY gets one rewritten line)
  bool progress_tty = false;
  // SIGINT/SIGTERM stop the run between trials (harness/interrupt.h); the outcome
  // then covers the trials that ran, with exit code kInterrupted.
  bool stop_on_interrupt = false;
};

struct RunOutcome {
  ReportInput report;
  PropertyRunResult property;
  int exit_code = 0;            // harness/exit_codes.h
  std::string history_error;    // why --history could not be written ("" = it was, or none)
};

// Throws TargetError (exit 3) when the target cannot be set up for the first
// trial. When it fails later, the run stops there and the outcome covers the
// trials that ran, with a "run" verdict that says why (exit code 3).
RunOutcome run_spec(const Spec& spec, const RunOptions& options);

// Re-runs one saved scenario options.reproduce times (`racecheck replay`).
RunOutcome replay_scenario(const Spec& spec, const Scenario& scenario, const RunOptions& options);

}  // namespace racecheck
