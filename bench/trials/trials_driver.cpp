// Trials per second: racecheck's TrialRunner (setup, scenario, final read,
// check; history streamed to a JSONL file as `racecheck run` does) against a
// target, scenarios from the spec's own generator settings, for a fixed time.
// Prints a markdown table on stdout: trials, seconds, trials/s and where a
// trial's time goes.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <rapidcheck.h>

#include "harness/executor.h"
#include "harness/generator.h"
#include "harness/generator_settings.h"
#include "harness/spec.h"
#include "harness/trial.h"

int main(int argc, char** argv) {
  CLI::App app{"racecheck trials per second"};
  std::string url;
  std::string spec_path;
  double duration_s = 10;
  int scenario_count = 64;
  std::uint64_t seed = 1;
  app.add_option("--url", url, "target base URL (replaces the spec's base_urls)")->required();
  app.add_option("--spec", spec_path, "spec file")->required();
  app.add_option("--duration-s", duration_s, "how long to run trials")->check(CLI::Range(0.1, 600.0));
  app.add_option("--scenarios", scenario_count, "distinct generated scenarios, run in turn")->check(CLI::Range(1, 10000));
  app.add_option("--seed", seed, "generator seed");
  CLI11_PARSE(app, argc, argv);

  racecheck::Spec spec;
  try {
    spec = racecheck::load_spec_file(spec_path);
    racecheck::override_base_urls(spec, {url});
  } catch (const std::exception& e) {
    std::cerr << "trials-bench: " << e.what() << "\n";
    return 2;
  }

  // The spec's generator at RapidCheck size 50 (mid-range), as a run's early trials draw them.
  const auto gen = racecheck::gen_scenario_plan(racecheck::generator_settings_from_spec(spec));
  std::vector<racecheck::Scenario> scenarios;
  std::int64_t planned_ops = 0;
  for (int i = 0; i < scenario_count; ++i) {
    scenarios.push_back(racecheck::build_scenario(gen(rc::Random(seed + static_cast<std::uint64_t>(i)), 50).value()));
    planned_ops += scenarios.back().op_count();
  }

  char history[] = "/tmp/racecheck-trials-XXXXXX.jsonl";
  const int fd = mkstemps(history, 6);
  if (fd < 0) {
    std::perror("trials-bench: mkstemps");
    return 1;
  }
  close(fd);

  racecheck::TrialRunner runner(spec, seed, /*check_budget_ms=*/1000, history);
  racecheck::TrialTimings total;
  std::int64_t trials = 0, requests = 0, failed = 0;
  const std::int64_t start = racecheck::monotonic_ns();
  const std::int64_t stop = start + static_cast<std::int64_t>(duration_s * 1e9);
  int exit_code = 0;
  try {
    while (racecheck::monotonic_ns() < stop) {
      const racecheck::TrialEvidence t = runner.run(scenarios[static_cast<std::size_t>(trials) % scenarios.size()]);
      ++trials;
      requests += t.exec.requests_sent;
      failed += t.report.overall() == racecheck::Status::Fail;
      total.setup_ns += t.timings.setup_ns;
      total.scenario_ns += t.timings.scenario_ns;
      total.final_read_ns += t.timings.final_read_ns;
      total.check_ns += t.timings.check_ns;
    }
  } catch (const std::exception& e) {
    std::cerr << "trials-bench: trial " << trials << ": " << e.what() << "\n";
    exit_code = 3;
  }
  const double seconds = static_cast<double>(racecheck::monotonic_ns() - start) / 1e9;
  unlink(history);
  if (trials == 0) return exit_code != 0 ? exit_code : 1;

  const auto per_trial_ms = [&](std::int64_t ns) { return static_cast<double>(ns) / 1e6 / static_cast<double>(trials); };
  const double accounted = per_trial_ms(total.setup_ns + total.scenario_ns + total.final_read_ns + total.check_ns);
  std::printf("| trials | seconds | trials/s | requests/trial | setup ms | scenario ms | final read ms | check ms | other ms |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::printf("| %lld | %.1f | %.1f | %.1f | %.3f | %.3f | %.3f | %.3f | %.3f |\n", static_cast<long long>(trials),
              seconds, static_cast<double>(trials) / seconds,
              static_cast<double>(requests) / static_cast<double>(trials), per_trial_ms(total.setup_ns),
              per_trial_ms(total.scenario_ns), per_trial_ms(total.final_read_ns), per_trial_ms(total.check_ns),
              seconds * 1e3 / static_cast<double>(trials) - accounted);
  std::printf("\n%d generated scenarios (seed %llu, RapidCheck size 50, %.1f planned ops each on average) run in turn;"
              " trials with a violation: %lld. \"other\" = history file, scenario checks, bookkeeping.\n",
              scenario_count, static_cast<unsigned long long>(seed),
              static_cast<double>(planned_ops) / static_cast<double>(scenario_count), static_cast<long long>(failed));
  return exit_code;
}
