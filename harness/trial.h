// One trial: reset the target through the spec's setup, run the scenario, read
// the final state once quiet, check every enabled invariant. The executor is kept
// across trials so that bursts go out on warm, reused connections.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/executor.h"
#include "harness/history_writer.h"
#include "harness/scenario.h"
#include "harness/spec.h"
#include "harness/spec_protocol.h"
#include "harness/trial_sequence.h"
#include "properties/properties.h"

namespace racecheck {

struct TrialEvidence {
  Scenario scenario;             // as given: key groups, not keys (a replay makes its own keys)
  Scenario sent_scenario;        // with the idempotency keys this trial sent (harness/idempotency_keys.h)
  std::vector<Event> events;     // setup "open" ops, the scenario's events, the final reads
  CheckReport report;
  ExecutorResult exec;
  TrialVariables variables;      // what setup captured (account ids), for the curl script
  TrialTimings timings;
};

class TrialRunner {
 public:
  // history_path: if not empty, every trial's events are streamed there as
  // they happen, each event carrying its trial number (docs/history.md); a
  // killed run leaves every trial that ran, the last one complete up to its
  // last event. A history that cannot be written does not stop the run: see
  // history_error().
  TrialRunner(Spec spec, std::uint64_t seed, double check_budget_ms, std::string history_path);
  ~TrialRunner();

  // Throws TargetError when setup fails, ScenarioError when the scenario does
  // not fit the spec.
  TrialEvidence run(const Scenario& scenario);

  const Spec& spec() const { return spec_; }
  // Why the history file could not be opened or written ("" when it could, or
  // when there is none). Events after the first failure are not written.
  std::string history_error() const {
    return history_error_.empty() && history_guard_ ? history_guard_->error() : history_error_;
  }
  int account_count() const { return account_count_; }
  // Random per runner (never from the seed): every key this runner sends is
  // made from it and from the trial's number, 1 for the first run() call.
  const std::string& run_id() const { return run_id_; }
  std::int64_t trials_started() const { return trials_started_; }

 private:
  Spec spec_;
  std::uint64_t seed_;
  double check_budget_ms_;
  std::string history_path_;
  int account_count_;
  std::string run_id_;
  std::int64_t trials_started_ = 0;
  Executor executor_;
  std::unique_ptr<JsonlFileSink> history_file_;  // opened by the first trial, appended to by each
  std::unique_ptr<FailSoftSink> history_guard_;  // wraps history_file_: a failed write is kept, not thrown
  std::string history_error_;
};

}  // namespace racecheck
