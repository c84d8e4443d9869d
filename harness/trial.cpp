#include "harness/trial.h"

#include <algorithm>
#include <memory>

#include "harness/history_writer.h"
#include "harness/spec_protocol.h"
#include "harness/trial_setup.h"

namespace racecheck {
namespace {

// The executor stamps times from the start of its run; setup and final reads use
// the trial's clock. This sink moves the executor's events onto the trial's clock.
class ShiftedSink : public HistorySink {
 public:
  ShiftedSink(HistorySink& inner, std::int64_t offset_ns) : inner_(inner), offset_(offset_ns) {}
  void append(Event e) override {
    if (e.time_ns >= 0) e.time_ns += offset_;
    if (e.sent_ns >= 0) e.sent_ns += offset_;
    inner_.append(std::move(e));
  }

 private:
  HistorySink& inner_;
  std::int64_t offset_;
};

ExecutorOptions executor_options(const Spec& spec) {
  ExecutorOptions o;
  o.request_timeout_ms = spec.request_timeout_ms;
  o.max_body_bytes = spec.max_body_bytes;
  return o;
}

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
      executor_(executor_options(spec_)) {}

TrialRunner::~TrialRunner() = default;

TrialEvidence TrialRunner::run(const Scenario& scenario) {
  check_scenario(spec_, scenario, account_count_);
  TrialEvidence t;
  t.scenario = scenario;

  MemorySink memory;
  std::unique_ptr<JsonlFileSink> file;
  std::vector<HistorySink*> sinks{&memory};
  if (!history_path_.empty()) {
    file = std::make_unique<JsonlFileSink>(history_path_);
    sinks.push_back(file.get());
  }
  TeeSink sink(sinks);

  const std::int64_t origin = monotonic_ns();
  SequentialOptions seq;
  seq.clock_ns = [origin] { return monotonic_ns() - origin; };

  TrialSetupResult setup;
  try {
    setup = run_trial_setup(spec_, account_count_, &sink, seq);
  } catch (const SetupError& e) {
    throw TargetError(e.what());
  }
  SpecProtocol protocol(spec_, setup.variables, seed_);

  ShiftedSink shifted(sink, monotonic_ns() - origin);
  t.exec = executor_.run(scenario, protocol, shifted);

  seq.process = -2;  // final reads: their own process, after every client
  const FinalReadResult final_read = run_final_read(spec_, protocol, account_count_, &sink, seq);
  (void)final_read;  // an incomplete final read leaves conservation Skipped, never Pass

  t.events = memory.take_events();
  CheckOptions check;
  check.model = spec_.model;
  check.invariants = spec_.invariants;
  check.volatile_fields = volatile_fields(spec_);
  check.budget_ms = check_budget_ms_;
  t.report = check_history(t.events, check);
  return t;
}

}  // namespace racecheck
