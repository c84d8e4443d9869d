#include "harness/property_runner.h"

#include <algorithm>
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

bool has_signature(const TrialRecord& record, const std::string& signature) {
  if (record.verdict != TrialVerdict::Violation) return false;
  return signature.empty() ||
         std::find(record.signatures.begin(), record.signatures.end(), signature) != record.signatures.end();
}

// A rate "holds" when it is at least half the reference rate.
bool rate_holds(int failures, int runs, int reference_failures, int reference_runs) {
  if (runs == 0 || reference_runs == 0) return true;  // nothing measured: nothing collapsed
  return 2LL * failures * reference_runs >= static_cast<long long>(reference_failures) * runs;
}

std::string rate_text(int failures, int runs) { return std::to_string(failures) + "/" + std::to_string(runs); }

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
  std::vector<TrialRecord> accepted;  // shrinks that kept the signature, in order (each smaller)

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
      if (record.verdict == TrialVerdict::Violation && result.first_failure &&
          !has_signature(record, result.signature)) {
        ++result.rejected_candidates;  // another bug, or an artifact of the smaller scenario: not this one
        continue;
      }
      if (record.verdict == TrialVerdict::Violation) {
        if (!result.first_failure) {
          result.first_failure = record;
          result.first_failure_seconds = std::chrono::duration<double>(Clock::now() - start).count();
          if (!record.signatures.empty()) result.signature = record.signatures.front();
        } else {
          ++result.failing_candidates;
          // RapidCheck re-runs the final minimal case: the same scenario again is no new step.
          if (accepted.empty() || scenario_to_json(accepted.back().scenario) != scenario_to_json(record.scenario))
            accepted.push_back(record);
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

  // One trial outside RapidCheck's search, counted; nullopt when it threw
  // (fatal) or was abandoned (stopped).
  auto run_once = [&](const Scenario& scenario, const char* phase) -> std::optional<TrialRecord> {
    TrialRecord record;
    try {
      record = trial(scenario);
    } catch (...) {
      fatal = std::current_exception();
      return std::nullopt;
    }
    if (record.verdict == TrialVerdict::Abandoned) {
      result.stopped = true;
      return std::nullopt;
    }
    ++result.trials;
    if (options.on_trial) options.on_trial(phase);
    if (record.verdict == TrialVerdict::Inconclusive) ++result.inconclusive;
    return record;
  };

  // The hostile probes go first: a value one request shows to be accepted
  // is found whatever its chance in a random draw (harness/generator.h).
  // They get at most half the search budget: on a slow service the rest still
  // goes to concurrent scenarios, which the probes never send.
  const auto probe_deadline = options.search_deadline == Clock::time_point::max()
                                  ? options.search_deadline
                                  : start + (options.search_deadline - start) / 2;
  const std::vector<ScenarioPlan> probes = hostile_probe_plans(settings, options.seed);
  for (std::size_t k = 0; k < probes.size(); ++k) {
    if (static_cast<int>(k % static_cast<std::size_t>(std::max(1, options.probe_parts))) != options.probe_part) continue;
    if (Clock::now() >= probe_deadline || fatal || result.stopped) break;
    if (options.stop_requested && options.stop_requested()) {
      result.stopped = true;
      break;
    }
    const std::optional<TrialRecord> ran = run_once(build_scenario(probes[k]), "search");
    if (!ran) break;
    ++result.probes;
    if (ran->verdict != TrialVerdict::Violation) continue;
    result.first_failure = *ran;
    result.minimal_failure = *ran;
    result.first_failure_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (!ran->signatures.empty()) result.signature = ran->signatures.front();
    shrink_deadline = Clock::now() + options.shrink_budget;  // one request: nothing to shrink
    break;
  }

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
  if (result.first_failure && options.shrink && !fatal && !result.stopped) {
    // RapidCheck never shrinks below the generator's floor (generator.clients
    // of 2 and up): a bug one request shows (an accepted negative amount) is
    // then shown by one request alone if it fails so.
    const Scenario minimal = result.minimal_failure->scenario;
    for (const ClientProgram& client : minimal.clients) {
      if (minimal.op_count() <= 1 || fatal || result.stopped) break;
      bool shrunk = false;
      for (const ScenarioOp& op : client.ops) {
        if (Clock::now() >= shrink_deadline) break;
        Scenario single;
        single.clients.push_back(ClientProgram{{op}, client.instance});
        ++result.shrink_candidates;
        for (int k = 0; k < std::max(1, options.repeat) && !shrunk && Clock::now() < shrink_deadline; ++k) {
          if (options.stop_requested && options.stop_requested()) {
            result.stopped = true;
            break;
          }
          const std::optional<TrialRecord> ran = run_once(single, "shrink");
          if (!ran) break;
          const TrialRecord& record = *ran;
          if (record.verdict != TrialVerdict::Violation) continue;
          if (!has_signature(record, result.signature)) {
            ++result.rejected_candidates;
            continue;
          }
          ++result.failing_candidates;
          accepted.push_back(record);
          result.minimal_failure = record;
          shrunk = true;
        }
        if (shrunk || fatal || result.stopped) break;
      }
      if (shrunk) break;
    }
  }
  if (fatal) std::rethrow_exception(fatal);
  result.accepted_shrinks = static_cast<int>(accepted.size());
  result.kept_shrinks = result.accepted_shrinks;
  if (!result.first_failure || options.reproduce <= 0 || result.stopped) return result;

  // Re-runs `scenario` R times; counts the runs that fail with the target signature.
  struct Rate {
    int runs = 0, failures = 0;
    std::optional<TrialRecord> failing;  // the first failing re-run
  };
  auto measure = [&](const Scenario& scenario) {
    Rate rate;
    for (int i = 0; i < options.reproduce && !fatal && !result.stopped; ++i) {
      if (options.stop_requested && options.stop_requested()) {
        result.stopped = true;
        break;
      }
      std::optional<TrialRecord> ran = run_once(scenario, "reproduce");
      if (!ran) break;
      TrialRecord& record = *ran;
      const bool failed = has_signature(record, result.signature);
      // A run cut short by a stop request without failing says nothing about the rate.
      if (!failed && options.stop_requested && options.stop_requested()) {
        result.stopped = true;
        break;
      }
      ++rate.runs;
      if (failed) {
        ++rate.failures;
        if (!rate.failing) rate.failing = std::move(record);
      }
    }
    return rate;
  };

  const Rate original = measure(result.first_failure->scenario);
  result.original_runs = original.runs;
  result.original_failures = original.failures;
  Rate chosen = original;
  std::optional<TrialRecord> chosen_record = result.first_failure;
  int kept = 0;
  if (!accepted.empty() && !fatal && !result.stopped) {
    // Bisect the chain of accepted shrinks for the smallest one whose rate held:
    // `low` held (-1: the original), `high` collapsed.
    int low = -1, high = static_cast<int>(accepted.size());
    Rate low_rate = original, high_rate;
    int probe = high - 1;  // the minimal first: usually it holds and that is all
    while (high - low > 1 && !fatal && !result.stopped) {
      Rate r = measure(accepted[probe].scenario);
      if (rate_holds(r.failures, r.runs, original.failures, original.runs)) {
        low = probe;
        low_rate = std::move(r);
      } else {
        high = probe;
        high_rate = std::move(r);
      }
      probe = low + (high - low) / 2;
    }
    kept = low + 1;
    chosen = std::move(low_rate);
    if (low >= 0) chosen_record = accepted[low];
    if (kept < static_cast<int>(accepted.size()))
      result.shrink_note = "shrinking kept " + std::to_string(kept) + " of " + std::to_string(accepted.size()) +
                           " steps: the next smaller scenario failed " + rate_text(high_rate.failures, high_rate.runs) +
                           " re-runs, under half the original's " + rate_text(original.failures, original.runs);
  }
  if (fatal) std::rethrow_exception(fatal);
  // Stopped while measuring: the smallest shrink stays the counterexample, its rate unmeasured.
  if (result.stopped && !accepted.empty()) return result;
  result.kept_shrinks = kept;
  result.minimal_runs = chosen.runs;
  result.minimal_failures = chosen.failures;
  result.minimal_failure = chosen.failing ? chosen.failing : chosen_record;
  return result;
}

}  // namespace racecheck
