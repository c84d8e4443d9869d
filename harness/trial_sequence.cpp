#include "harness/trial_sequence.h"

#include "harness/interrupt.h"
#include "harness/spec_protocol.h"
#include "properties/models.h"

namespace racecheck {
namespace {

// Records each scenario and final-read op as the model operation its spec
// operation maps to (its name, or its "as"), keeping the spec's name in "op",
// and names the op's resource in the model's key field (kv: "key" gets the
// resource's id), so that the history checks as it is, by `racecheck check` too.
class ModelOpSink final : public HistorySink {
 public:
  ModelOpSink(const Spec& spec, const TrialVariables& variables, HistorySink& inner)
      : spec_(spec), variables_(variables), inner_(inner) {
    if (const Model* model = find_model(spec.model)) key_field_ = model->key_field();
  }

  void append(Event e) override {
    if (const OperationSpec* op = spec_.find_operation(e.f); op != nullptr && !op->model_op.empty() && op->model_op != e.f) {
      e.op = std::move(e.f);
      e.f = op->model_op;
    }
    if (key_field_ && e.value.is_object() && !e.value.contains(*key_field_)) {
      const json& index = e.value.contains("account") ? e.value["account"] : json(0);
      const auto& ids = variables_.account_ids;
      if (index.is_number_integer() && index.get<std::int64_t>() >= 0 &&
          index.get<std::int64_t>() < static_cast<std::int64_t>(ids.size())) {
        e.value[*key_field_] = ids[static_cast<std::size_t>(index.get<std::int64_t>())];
      }
    }
    inner_.append(std::move(e));
  }
  void begin_batch() override { inner_.begin_batch(); }
  void end_batch() override { inner_.end_batch(); }

 private:
  const Spec& spec_;
  const TrialVariables& variables_;
  HistorySink& inner_;
  std::optional<std::string> key_field_;
};

}  // namespace

ExecutorOptions executor_options(const Spec& spec) {
  ExecutorOptions o;
  o.request_timeout_ms = spec.request_timeout_ms;
  o.max_body_bytes = spec.max_body_bytes;
  o.http2 = spec.transport.http2;
  o.tls = spec.transport.tls;
  o.release_method = spec.release_method;
  o.stop_requested = [] { return interrupt_signal() != 0; };  // 0 unless an InterruptGuard's handler ran
  return o;
}

TrialSequenceResult run_trial_sequence(const Spec& spec, Executor& executor, const Scenario& scenario,
                                       HistorySink& sink, const TrialSequenceOptions& options) {
  TrialSequenceResult result;
  // One clock for setup, scenario and final read.
  const std::int64_t origin = monotonic_ns();
  SequentialOptions sequential;
  sequential.clock_ns = [origin] { return monotonic_ns() - origin; };
  sequential.process = kSetupProcess;

  std::int64_t phase_start = monotonic_ns();
  try {
    result.variables = run_trial_setup(spec, options.account_count, &sink, sequential).variables;
  } catch (const SetupError& e) {
    throw TargetError(e.what());
  }
  result.timings.setup_ns = monotonic_ns() - phase_start;
  SpecProtocol protocol(spec, result.variables, options.seed);
  ModelOpSink model_sink(spec, result.variables, sink);

  phase_start = monotonic_ns();
  do {
    result.exec = executor.run(scenario, protocol, model_sink, origin);
  } while (!result.exec.interrupted && options.run_again && options.run_again(result.exec));
  result.timings.scenario_ns = monotonic_ns() - phase_start;

  phase_start = monotonic_ns();
  if (!result.exec.interrupted && spec.find_operation(spec.final_read) != nullptr) {
    sequential.process = kFinalReadProcess;
    // A model without resources (register, counter) has one value: read it once.
    const Model* model = find_model(spec.model);
    const int reads = model != nullptr && !model->key_field() ? 1 : options.account_count;
    result.final_read = run_final_read(spec, protocol, reads, &model_sink, sequential);
  }
  result.timings.final_read_ns = monotonic_ns() - phase_start;
  return result;
}

}  // namespace racecheck
