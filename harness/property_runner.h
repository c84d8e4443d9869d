// Drives RapidCheck from our own CLI: generate scenarios, run each as a trial
// (K times, failing on the first violation, because the target is
// nondeterministic), and shrink a failure. RapidCheck's programmatic API
// (rc::detail::checkProperty) is not stable, so it is used only in
// property_runner.cpp.
//
// Why we keep our own record of failures: after shrinking, RapidCheck re-runs the
// minimal case once more and reports it as the counterexample even if that last
// run passed. The evidence is the last trial that actually failed, with its history.
//
// Shrinking keeps the bug's identity: the first failure's primary violation
// signature ("idempotency/double-execution", see TrialRecord::signatures) is the
// target, and a shrink candidate counts as failing only when one of its runs
// shows that signature. A candidate failing some other way (an artifact of the
// smaller scenario) is rejected.
//
// Before the random search, the hostile probes (hostile_probe_plans) run once
// each; they do not count against max_trials, and stop at half the search
// budget so that a slow service still gets concurrent scenarios.
// A failing probe is the counterexample as it is: one request.
//
// RapidCheck shrinks within the generator's bounds (at least generator.clients'
// low end of clients); after it, each op of the minimal scenario alone is tried
// as a scenario of one request, which becomes the counterexample if it fails
// with the signature: a bug one request shows is shown by one request.
//
// Shrinking keeps the bug reproducible: with `reproduce` = R, the original and the
// minimal scenario are each re-run R times. When the minimal's rate (failures with
// the target signature) is below half the original's, the driver falls back along
// the chain of accepted shrinks (bisecting) to the smallest one whose rate held.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/generator.h"
#include "harness/scenario.h"

namespace racecheck {

// Abandoned: the trial could not run (e.g. the target went down during setup);
// it is not counted and the run stops.
enum class TrialVerdict { Pass, Violation, Inconclusive, Abandoned };

// What a trial reports back. `evidence` is opaque to the runner (the caller keeps
// the history and check report in it).
struct TrialRecord {
  TrialVerdict verdict = TrialVerdict::Pass;
  // For a Violation: the signatures of its MUST violations, the primary first
  // (CheckReport::failure_signatures). Empty: any violation matches any other.
  std::vector<std::string> signatures;
  Scenario scenario;
  std::shared_ptr<void> evidence;
};

using TrialFn = std::function<TrialRecord(const Scenario&)>;

struct PropertyRunOptions {
  std::uint64_t seed = 0;
  int max_trials = 100;               // generated scenarios (each run `repeat` times at most)
  int repeat = 1;                     // K: runs per scenario / shrink candidate
  int reproduce = 0;                  // R: re-runs of the original and the minimal failing scenario (0: none)
  std::chrono::steady_clock::time_point search_deadline = std::chrono::steady_clock::time_point::max();
  // Shrinking gets this long from the moment the first failure is found.
  std::chrono::steady_clock::duration shrink_budget = std::chrono::hours(24);
  bool shrink = true;
  // The hostile probes this run sends: those k with k % probe_parts == probe_part
  // (a shard of a sharded run sends its share).
  int probe_part = 0, probe_parts = 1;
  int max_size = 100;                 // RapidCheck's size ceiling
  std::function<void(const char* phase)> on_trial;  // progress hook ("search", "shrink", "reproduce"), after every trial
  // Polled before every trial; true stops the run (search or shrink) where it is.
  std::function<bool()> stop_requested;
};

struct PropertyRunResult {
  int probes = 0;                     // hostile probes run (single-request scenarios before the search)
  int scenarios = 0;                  // distinct generated scenarios tried before the first failure (or all)
  int trials = 0;                     // trial executions in all (search + shrink)
  int shrink_candidates = 0;          // shrink candidates tried
  int failing_candidates = 0;         // shrink candidates that still failed (accepted shrinks,
                                      // plus RapidCheck's final re-run of the minimal case)
  int rejected_candidates = 0;        // shrink trials that failed, but with another signature
  int inconclusive = 0;               // trials whose check ran out of budget
  std::optional<TrialRecord> first_failure;
  // The counterexample: the last shrink that failed with the target signature and
  // whose reproduction rate held (a failing re-run of it when one failed).
  std::optional<TrialRecord> minimal_failure;
  std::string signature;              // the target: the first failure's primary signature ("" if it had none)
  int accepted_shrinks = 0;           // shrink steps that kept the signature
  int kept_shrinks = 0;               // ... of which the counterexample keeps (fewer when the rate collapsed)
  int original_runs = 0, original_failures = 0;  // re-runs of the first failing scenario
  int minimal_runs = 0, minimal_failures = 0;    // re-runs of the counterexample
  std::string shrink_note;            // set when the counterexample is not the smallest shrink
  double first_failure_seconds = -1;  // since the start of the run
  bool budget_exhausted = false;      // search stopped by the deadline, not by max_trials
  bool stopped = false;               // stop_requested or an Abandoned trial ended the run early
};

// Trial functions may throw (e.g. the target went down); the exception is
// rethrown from here after RapidCheck returns, never swallowed.
PropertyRunResult run_property(const GeneratorSettings& settings, const TrialFn& trial,
                               const PropertyRunOptions& options);

}  // namespace racecheck
