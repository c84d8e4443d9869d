// The steps of one trial against a live target, in the one order every caller
// uses (racecheck run via TrialRunner, racecheck exec, bench/throughput): the
// spec's setup as process -1, the scenario through the executor, then the final
// read as process -2 (docs/history.md), all on one clock. Checking is not part
// of it: `exec` leaves that to `racecheck check`.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>

#include "harness/executor.h"
#include "harness/history_writer.h"
#include "harness/scenario.h"
#include "harness/spec.h"
#include "harness/trial_setup.h"

namespace racecheck {

// History processes of the sequential steps; scenario clients are 0, 1, ...
inline constexpr std::int64_t kSetupProcess = -1;
inline constexpr std::int64_t kFinalReadProcess = -2;

// The target failed outside the scenario (setup): exit code 3.
struct TargetError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Where a trial's wall time went (CLOCK_MONOTONIC ns), for progress and bench/trials.
struct TrialTimings {
  std::int64_t setup_ns = 0;       // the spec's setup requests (reset, accounts)
  std::int64_t scenario_ns = 0;    // the executor running the scenario
  std::int64_t final_read_ns = 0;  // reading every account once quiet
  std::int64_t check_ns = 0;       // every enabled invariant checked (TrialRunner only)
};

struct TrialSequenceOptions {
  int account_count = 1;
  std::uint64_t seed = 0;  // the run's seed: drives the "random" distribution (docs/spec.md)
  // Called after each run of the scenario: true runs it again on the same warm
  // connections before the final read (a load generator repeats one scenario).
  // Not set: the scenario runs once.
  std::function<bool(const ExecutorResult&)> run_again;
};

struct TrialSequenceResult {
  TrialVariables variables;               // what setup captured (account ids)
  ExecutorResult exec;                    // the last run of the scenario
  std::optional<FinalReadResult> final_read;  // none: the spec has no final read, or the run was interrupted
  TrialTimings timings;
};

// Options of an executor for this spec: its timeouts and body cap, and a stop
// request when an InterruptGuard (harness/interrupt.h) saw SIGINT or SIGTERM.
ExecutorOptions executor_options(const Spec& spec);

// Runs setup, the scenario (`scenario` as sent: with its idempotency keys) and
// the final read, appending every event to `sink`. After an interrupt the final
// read is not made: against a hanging target it would wait out its timeout, and
// the run is stopping. Throws TargetError when setup fails; LocalError and
// harness errors from the executor propagate.
TrialSequenceResult run_trial_sequence(const Spec& spec, Executor& executor, const Scenario& scenario,
                                       HistorySink& sink, const TrialSequenceOptions& options);

}  // namespace racecheck
