#include "harness/run_cli.h"

#include "harness/exit_codes.h"
#include "harness/trial.h"

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>

namespace racecheck {

CLI::Validator finite_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value) || !std::isfinite(value)) return "'" + text + "' is not a finite number";
        return "";
      },
      "NUMBER");
}

CLI::Validator unsigned_integer() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
          return "'" + text + "' is not a non-negative integer";
        return "";
      },
      "UINT");
}

void apply_target_flags(Spec& spec, const std::vector<std::string>& targets) {
  try {
    override_base_urls(spec, targets);
  } catch (const SpecError& e) {
    throw CLI::ValidationError("--target", e.reason);
  }
}

void add_run_options(CLI::App* cmd, RunCliOptions& o, bool search_flags) {
  cmd->add_option("--target", o.targets, "base URL of the service (repeatable: several instances); replaces the spec's base_urls");
  cmd->add_option("--repro,--reproduce", o.reproduce, "re-runs of the minimal scenario to measure its reproduction rate")
      ->check(CLI::Range(0, 10000));
  cmd->add_option("--check-budget-ms", o.check_budget_ms, "linearizability time budget per trial (answer: unknown)")
      ->check(finite_number())->check(CLI::Range(1.0, 3.6e6));
  cmd->add_option("--history", o.history, "stream each trial's history (JSONL) to this file");
  cmd->add_option("--html", o.html, "write the HTML report here");
  cmd->add_option("--junit", o.junit, "write JUnit XML here");
  cmd->add_option("--json", o.json, "write the JSON result here (read by `racecheck replay`)");
  cmd->add_flag("--quiet", o.quiet, "no progress line");
  if (!search_flags) return;
  cmd->add_option_function<std::uint64_t>("--seed", [&o](std::uint64_t s) { o.seed = s; o.seed_given = true; },
                                          "seed of the scenario generator (same seed, same scenarios)")
      ->check(unsigned_integer());
  cmd->add_option("--budget", o.budget, "search time, e.g. 60s, 2m (shrinking and reproduction come after)");
  cmd->add_option("--trials", o.trials, "generated scenarios at most")->check(CLI::Range(1, 100000000));
  cmd->add_option("--repeat", o.repeat, "K: runs per scenario and per shrink candidate (nondeterministic targets)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--shrink-budget", o.shrink_budget, "time for shrinking, from the first failure");
}

double parse_duration_s(const std::string& text, const std::string& flag) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    throw CLI::ValidationError(flag, "'" + text + "' is not a duration (e.g. 60s, 2m, 500ms)");
  }
  const std::string unit = text.substr(used);
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  else if (unit == "ms") scale = 0.001;
  else if (unit == "m" || unit == "min") scale = 60;
  else if (unit == "h") scale = 3600;
  if (scale == 0 || v < 0) throw CLI::ValidationError(flag, "'" + text + "' is not a duration (e.g. 60s, 2m, 500ms)");
  return v * scale;
}

RunOptions make_run_options(const RunCliOptions& o, const Spec& spec, const std::string& spec_path,
                            const std::string& command) {
  RunOptions r;
  r.seed = o.seed_given ? o.seed : std::random_device{}();
  r.budget_s = o.budget.empty() ? spec.generator.budget_s : parse_duration_s(o.budget, "--budget");
  if (o.trials > 0) {
    r.max_trials = o.trials;
    if (o.budget.empty()) r.budget_s = 1e9;  // --trials alone: stop by count only
  } else if (o.budget.empty()) {
    r.max_trials = spec.generator.trials;
  }
  r.repeat = o.repeat;
  r.reproduce = o.reproduce;
  r.shrink_budget_s = parse_duration_s(o.shrink_budget, "--shrink-budget");
  r.check_budget_ms = o.check_budget_ms;
  r.history_path = o.history;
  r.stop_on_interrupt = true;  // Ctrl-C writes the reports of what ran (exit 5)
  r.spec_path = spec_path;
  // The reproduce command always names the seed that was used.
  r.command = command;
  if (!o.seed_given) r.command += " --seed " + std::to_string(r.seed);
  if (!o.quiet) {
    r.progress = &std::cerr;
    r.progress_tty = isatty(STDERR_FILENO) != 0;
  }
  return r;
}

namespace {
bool write_file(const std::string& path, const std::string& content, const char* what) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (f) f << content;
  if (!f) {
    std::cerr << "racecheck: cannot write the " << what << " to " << path << ": " << std::strerror(errno) << "\n";
    return false;
  }
  return true;
}
}  // namespace

bool write_report_files(const std::string& html, const std::string& junit, const std::string& json,
                        const ReportInput& report) {
  bool ok = true;
  if (!html.empty()) ok &= write_file(html, render_html(report), "HTML report");
  if (!junit.empty()) ok &= write_file(junit, render_junit(report), "JUnit XML");
  if (!json.empty()) ok &= write_file(json, render_json(report).dump(2) + "\n", "JSON result");
  for (const auto* p : {&html, &junit, &json})
    if (!p->empty()) std::cout << "wrote " << *p << "\n";
  return ok;
}

bool write_outputs(const RunCliOptions& o, const RunOutcome& outcome) {
  std::cout << render_console_summary(outcome.report, isatty(STDOUT_FILENO) != 0) << std::flush;
  return write_report_files(o.html, o.junit, o.json, outcome.report);
}

int run_guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const SpecError& e) {
    std::cerr << "racecheck: " << e.what() << "\n";
    return exit_code::kUsage;
  } catch (const ScenarioError& e) {
    std::cerr << "racecheck: scenario: " << e.what() << "\n";
    return exit_code::kUsage;
  } catch (const ResultFormatError& e) {
    std::cerr << "racecheck: result file: " << e.what() << "\n";
    return exit_code::kUsage;
  } catch (const CLI::ValidationError& e) {
    std::cerr << "racecheck: " << e.what() << "\n";
    return exit_code::kUsage;
  } catch (const CheckUsageError& e) {
    std::cerr << "racecheck: " << e.what() << "\n";
    return exit_code::kUsage;
  } catch (const TargetError& e) {
    std::cerr << "racecheck: target: " << e.what() << "\n";
    return exit_code::kTarget;
  } catch (const std::exception& e) {
    std::cerr << "racecheck: error: " << e.what() << "\n";
    return exit_code::kTarget;
  }
}

std::string shell_command(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (i == 0) a = "racecheck";
    const bool plain = !a.empty() && a.find_first_not_of(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./=:,@%+") == std::string::npos;
    if (!out.empty()) out += ' ';
    if (plain) {
      out += a;
    } else {
      out += '\'';
      for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
      out += '\'';
    }
  }
  return out;
}

}  // namespace racecheck
