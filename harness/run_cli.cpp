#include "harness/run_cli.h"

#include "harness/exit_codes.h"
#include "harness/local_error.h"
#include "harness/spec_protocol.h"
#include "harness/trial.h"

#include <unistd.h>

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

namespace racecheck {

namespace {
constexpr double kMaxDurationS = 3.6e7;  // 10000 hours: far beyond any run, far below overflow in ms
}  // namespace

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
  cmd->add_option("--min-ok", o.min_ok,
                  "evidence to pass: determinate ok completions needed per state-changing operation the scenarios "
                  "sent (0: only one judged trial; docs/ci.md)")
      ->check(CLI::Range(0, 1000000))->capture_default_str();
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

double parse_duration_s(const std::string& text, const std::string& flag, bool allow_zero) {
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
  if (scale == 0 || !std::isfinite(v) || v < 0)
    throw CLI::ValidationError(flag, "'" + text + "' is not a duration (e.g. 60s, 2m, 500ms)");
  const double seconds = v * scale;
  if (seconds > kMaxDurationS) throw CLI::ValidationError(flag, "'" + text + "' is longer than 10000 hours");
  // A search budget under a millisecond runs no trial, and a run that judged
  // nothing must not look like a pass: refuse it here, naming the flag.
  if (!allow_zero && seconds < 0.001)
    throw CLI::ValidationError(flag, "'" + text + "' is shorter than 1 ms: no trial would run (e.g. 60s, 2m, 500ms)");
  return seconds;
}

namespace {

// Descriptors open in this process now (0 when /proc is not there).
long open_descriptor_count() {
  std::error_code ec;
  long n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) ++n;
  return ec ? 0 : n;
}

// Each client holds one connection at a time, and the connection cache keeps
// as many between trials; beyond that, the setup connection, libcurl's
// wake-up pair, the timer, the history file, name lookups and the standard
// streams. A client count that cannot fit fails mid-run with EMFILE, so it is
// refused before any request, with what to change.
void check_descriptor_room(const Spec& spec) {
  constexpr long kReserve = 32;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return;
  const long clients = static_cast<long>(spec.generator.clients.hi);
  const long open = open_descriptor_count();
  const long free_descriptors = static_cast<long>(limit.rlim_cur) - open;
  if (clients + kReserve <= free_descriptors) return;
  throw LocalError("the spec runs up to " + std::to_string(clients) + " clients (/generator/clients), which need about " +
                   std::to_string(clients + kReserve) + " file descriptors, but only " +
                   std::to_string(std::max(0L, free_descriptors)) + " are free (open-file limit " +
                   std::to_string(limit.rlim_cur) + ", " + std::to_string(open) +
                   " open): raise `ulimit -n` (its hard limit too) or lower /generator/clients");
}

// The history file is opened by the first trial, after setup has touched the
// target; an unwritable path is a usage error found before that.
void check_history_path(const std::string& path) {
  if (path.empty()) return;
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw CLI::ValidationError("--history", path + ": is a directory");
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec)) throw CLI::ValidationError("--history", path + ": no directory " + dir.string());
  if (fs::exists(path, ec) && ::access(path.c_str(), W_OK) != 0)
    throw CLI::ValidationError("--history", path + ": cannot be written: " + std::strerror(errno));
  if (::access(dir.c_str(), W_OK) != 0)
    throw CLI::ValidationError("--history", path + ": cannot write in " + dir.string() + ": " + std::strerror(errno));
}

}  // namespace

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
  r.shrink_budget_s = parse_duration_s(o.shrink_budget, "--shrink-budget", true);  // 0: keep the first failure as found
  r.min_ok = o.min_ok;
  r.check_budget_ms = o.check_budget_ms;
  r.history_path = o.history;
  r.stop_on_interrupt = true;  // Ctrl-C writes the reports of what ran (exit 5)
  r.spec_path = spec_path;
  // The reproduce command always names the seed that was used.
  r.command = command;
  if (!o.seed_given) r.command += " --seed " + std::to_string(r.seed);
  check_history_path(o.history);
  check_descriptor_room(spec);
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
  } catch (const RenderError& e) {
    // A request could not be built from what setup captured from the target.
    std::cerr << "racecheck: target: cannot build a request: " << e.what() << "\n";
    return exit_code::kTarget;
  } catch (const LocalError& e) {
    std::cerr << "racecheck: this machine: " << e.what() << " (nothing was judged about the target)\n";
    return exit_code::kLocal;
  } catch (const std::bad_alloc&) {
    std::cerr << "racecheck: this machine: out of memory (nothing was judged about the target)\n";
    return exit_code::kLocal;
  } catch (const std::exception& e) {
    std::cerr << "racecheck: internal error: " << e.what()
              << "\nThis is a bug in racecheck, not a problem of the target: please report it with the command line.\n";
    return exit_code::kInternal;
  } catch (...) {
    std::cerr << "racecheck: internal error: an unknown exception\n"
                 "This is a bug in racecheck, not a problem of the target: please report it with the command line.\n";
    return exit_code::kInternal;
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
