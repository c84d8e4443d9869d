#include "harness/property_runner.h"

#include <exception>
#include <iostream>

#include <rapidcheck.h>

namespace racecheck {
namespace {

using Clock = std::chrono::steady_clock;

// RapidCheck reports through a listener; we need none of it (progress comes from
// our own hook), so this one stays silent.
class SilentListener : public rc::detail::TestListener {
 public:
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

// Per-chunk seeds: a budget-bounded run is a sequence of RapidCheck runs of a few
// cases each, so that stopping at the deadline costs nothing and --seed still
// reproduces the same sequence.
std::uint64_t chunk_seed(std::uint64_t seed, int chunk) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(chunk + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// RapidCheck prints "Using configuration: seed=..." to stderr when it first loads
// its global configuration. Our seed is ours (--seed), so that line would only
// mislead: load the configuration once with stderr muted.
void load_rapidcheck_configuration_quietly() {
  static const bool loaded = [] {
    std::streambuf* saved = std::cerr.rdbuf(nullptr);
    (void)rc::detail::configuration();
    std::cerr.rdbuf(saved);
    std::cerr.clear();
    return true;
  }();
  (void)loaded;
}

}  // namespace

PropertyRunResult run_property(const GeneratorSettings& settings, const TrialFn& trial,
                               const PropertyRunOptions& options) {
  load_rapidcheck_configuration_quietly();
  PropertyRunResult result;
  const auto start = Clock::now();
  std::exception_ptr fatal;
  bool shrinking = false;
  auto shrink_deadline = Clock::time_point::max();
  const auto gen = gen_scenario_plan(settings);

  // Runs the scenario up to K times; fails on the first violation.
  auto property = [&]() {
    const ScenarioPlan plan = *gen;
    // A trial threw (rethrown below) or the run was stopped: finish RapidCheck quickly.
    if (fatal || result.stopped) return;
    const auto deadline = shrinking ? shrink_deadline : options.search_deadline;
    if (Clock::now() >= deadline) return;  // out of budget: this candidate "passes"
    if (options.stop_requested && options.stop_requested()) {
      result.stopped = true;
      return;
    }
    const Scenario scenario = build_scenario(plan);
    if (shrinking) ++result.shrink_candidates; else ++result.scenarios;
    for (int k = 0; k < std::max(1, options.repeat); ++k) {
      if (Clock::now() >= deadline) return;
      if (k > 0 && options.stop_requested && options.stop_requested()) {
        result.stopped = true;
        return;
      }
      TrialRecord record;
      try {
        record = trial(scenario);
      } catch (...) {
        fatal = std::current_exception();
        return;
      }
      if (record.verdict == TrialVerdict::Abandoned) {
        result.stopped = true;
        return;
      }
      ++result.trials;
      if (options.on_trial) options.on_trial(shrinking ? "shrink" : "search");
      if (record.verdict == TrialVerdict::Inconclusive) ++result.inconclusive;
      if (record.verdict == TrialVerdict::Violation) {
        if (!result.first_failure) {
          result.first_failure = record;
          result.first_failure_seconds = std::chrono::duration<double>(Clock::now() - start).count();
        } else {
          ++result.failing_candidates;
        }
        result.minimal_failure = record;
        if (!shrinking) {
          shrinking = true;  // RapidCheck shrinks right after the first failing case
          shrink_deadline = Clock::now() + options.shrink_budget;
        }
        RC_FAIL("invariant violated");
      }
    }
  };

  SilentListener listener;
  rc::detail::TestMetadata metadata{"racecheck", "racecheck scenario property"};
  const int chunk_size = 20;
  for (int chunk = 0; result.scenarios < options.max_trials && !result.first_failure && !fatal && !result.stopped;
       ++chunk) {
    if (Clock::now() >= options.search_deadline) {
      result.budget_exhausted = true;
      break;
    }
    rc::detail::TestParams params;
    params.seed = chunk_seed(options.seed, chunk);
    params.maxSuccess = std::min(chunk_size, options.max_trials - result.scenarios);
    params.maxSize = options.max_size;
    params.disableShrinking = !options.shrink;
    const int before = result.scenarios;
    rc::detail::checkProperty(rc::detail::toProperty(property), metadata, params, listener);
    if (result.scenarios == before && !result.first_failure && !fatal && !result.stopped) {
      result.budget_exhausted = true;  // every case hit the deadline
      break;
    }
  }
  if (fatal) std::rethrow_exception(fatal);
  return result;
}

}  // namespace racecheck
