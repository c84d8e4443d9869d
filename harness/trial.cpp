#include "harness/trial.h"

#include <algorithm>
#include <memory>

#include "harness/history_writer.h"
#include "harness/idempotency_keys.h"
#include "harness/money_recording.h"
#include "harness/spec_protocol.h"

namespace racecheck {
namespace {

std::vector<std::string> volatile_fields(const Spec& spec) {
  std::vector<std::string> v;
  for (const auto& op : spec.operations)
    for (const auto& f : op.volatile_fields)
      if (std::find(v.begin(), v.end(), f) == v.end()) v.push_back(f);
  return v;
}

}  // namespace

TrialRunner::TrialRunner(Spec spec, std::uint64_t seed, double check_budget_ms, std::string history_path)
    : spec_(std::move(spec)),
      seed_(seed),
      check_budget_ms_(check_budget_ms),
      history_path_(std::move(history_path)),
      account_count_(std::max({1, spec_.accounts.count, static_cast<int>(spec_.generator.accounts.hi)})),
      run_id_(new_run_id()),
      executor_(executor_options(spec_)) {}

TrialRunner::~TrialRunner() = default;

TrialEvidence TrialRunner::run(const Scenario& scenario) {
  check_scenario(spec_, scenario, account_count_);
  TrialEvidence t;
  t.scenario = scenario;
  // Fresh keys for every trial: the target's idempotency store outlives its
  // reset. The same trial number marks this trial's events in the history file.
  t.sent_scenario = with_idempotency_keys(scenario, spec_, run_id_, ++trials_started_);

  MemorySink memory;
  std::vector<HistorySink*> sinks{&memory};
  if (!history_path_.empty() && history_error_.empty()) {
    try {
      if (!history_file_) {
        history_file_ = std::make_unique<JsonlFileSink>(history_path_);
        history_guard_ = std::make_unique<FailSoftSink>(*history_file_);
      }
      history_file_->begin_trial(trials_started_);
    } catch (const std::exception& e) {
      history_error_ = e.what();
    }
  }
  if (history_guard_ && history_error().empty()) sinks.push_back(history_guard_.get());
  TeeSink tee(sinks);
  MoneyRecordingSink sink(tee, recorded_money_fields(spec_), spec_.money.scale);

  TrialSequenceOptions sequence;
  sequence.account_count = account_count_;
  sequence.seed = seed_;
  TrialSequenceResult steps = run_trial_sequence(spec_, executor_, t.sent_scenario, sink, sequence);
  t.variables = std::move(steps.variables);
  t.exec = std::move(steps.exec);
  t.timings = steps.timings;
  // An incomplete final read leaves conservation Skipped, never Pass.
  const bool final_balances_known = steps.final_read && steps.final_read->complete();

  t.events = memory.take_events();
  CheckOptions check;
  check.model = spec_.model;
  check.invariants = spec_.invariants;
  check.volatile_fields = volatile_fields(spec_);
  check.not_executed_errors = spec_.idempotency.not_executed;
  check.replay_refusals = spec_.idempotency.replay_refusals;
  check.invalid_input_errors = spec_.generator.hostile.invalid_errors;
  check.budget_ms = check_budget_ms_;
  check.money_scale = spec_.money.scale;
  const std::int64_t check_start = monotonic_ns();
  try {
    t.report = check_history(t.events, check);
  } catch (const ModelInputError& e) {
    // The target answered something the model cannot use (an ok read without a
    // balance: an HTML page with status 200, a body cut at max_body_bytes). That
    // is the target's doing, not a broken run: this trial is not judged.
    InvariantVerdict v;
    v.invariant = "history";
    v.status = Status::Unknown;
    v.summary = std::string("not checked: ") + e.what() + " (the response does not fit model " + spec_.model + ")";
    t.report.verdicts = {std::move(v)};
  }
  t.timings.check_ns = monotonic_ns() - check_start;
  // Every operation info and no final balance: the checkers pass vacuously,
  // since nothing was observed. That is not a pass.
  const bool any_determinate = std::any_of(t.events.begin(), t.events.end(), [](const Event& e) {
    return e.process >= 0 && (e.type == EventType::Ok || e.type == EventType::Fail);
  });
  if (!any_determinate && !final_balances_known && t.report.overall() == Status::Pass) {
    InvariantVerdict v;
    v.invariant = "outcomes";
    v.status = Status::Unknown;
    v.summary = "nothing observed: every operation ended info (" + std::to_string(t.exec.info) +
                ") and no final balance was read";
    t.report.verdicts.insert(t.report.verdicts.begin(), std::move(v));
  }
  return t;
}

}  // namespace racecheck
