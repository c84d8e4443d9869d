#include "harness/trial_sequence.h"

#include "harness/interrupt.h"
#include "harness/spec_protocol.h"

namespace racecheck {

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

  phase_start = monotonic_ns();
  do {
    result.exec = executor.run(scenario, protocol, sink, origin);
  } while (!result.exec.interrupted && options.run_again && options.run_again(result.exec));
  result.timings.scenario_ns = monotonic_ns() - phase_start;

  phase_start = monotonic_ns();
  if (!result.exec.interrupted && spec.find_operation(spec.final_read) != nullptr) {
    sequential.process = kFinalReadProcess;
    result.final_read = run_final_read(spec, protocol, options.account_count, &sink, sequential);
  }
  result.timings.final_read_ns = monotonic_ns() - phase_start;
  return result;
}

}  // namespace racecheck
