#include "cli/run_cli.h"

#include "harness/exit_codes.h"
#include "harness/local_error.h"
#include "harness/shard.h"
#include "harness/spec_protocol.h"
#include "harness/trial.h"
#include "racecheck_version.h"
#include "reports/merge.h"
#include "reports/redact.h"

#include <fcntl.h>
#include <unistd.h>

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>

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

void add_release_flag(CLI::App* cmd, std::string& release) {
  cmd->add_option("--release", release,
                  "how a burst's first requests are released: last-byte (each held by its last byte on its own "
                  "connection) or single-packet (streams of one HTTP/2 connection, final frames in one write)")
      ->check(CLI::IsMember({"last-byte", "single-packet"}))
      ->capture_default_str();
}

void apply_release_flag(Spec& spec, const std::string& release) {
  const auto method = parse_release_method(release);
  if (!method) throw CLI::ValidationError("--release", "expected last-byte or single-packet, got '" + release + "'");
  spec.release_method = *method;
  // Single-packet is an HTTP/2 technique: the rest of the run speaks HTTP/2 too.
  if (*method == ReleaseMethod::SinglePacket) spec.transport.http2 = true;
}

void add_run_options(CLI::App* cmd, RunCliOptions& o, bool search_flags) {
  cmd->add_option("--target", o.targets, "base URL of the service (repeatable: several instances); replaces the spec's base_urls");
  cmd->add_option("--repro,--reproduce", o.reproduce, "re-runs of the minimal scenario to measure its reproduction rate")
      ->check(CLI::Range(0, 10000));
  cmd->add_option("--check-budget-ms", o.check_budget_ms, "linearizability time budget per trial (answer: unknown)")
      ->check(finite_number())->check(CLI::Range(1.0, 3.6e6));
  cmd->add_option("--history", o.history, "stream every trial's history (JSONL, each event with its trial number) to this file");
  cmd->add_option("--html", o.html, "write the HTML report here");
  cmd->add_option("--junit", o.junit, "write JUnit XML here");
  cmd->add_option("--json", o.json, "write the JSON result here (read by `racecheck replay`)");
  cmd->add_flag("--quiet", o.quiet, "no progress line");
  cmd->add_option("--min-ok", o.min_ok,
                  "evidence to pass: determinate ok completions needed per state-changing operation the scenarios "
                  "sent (0: only one judged trial; docs/ci.md)")
      ->check(CLI::Range(0, 1000000))->capture_default_str();
  add_transport_flags(cmd, o.transport);
  add_release_flag(cmd, o.release);
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

void add_shard_options(CLI::App* cmd, RunCliOptions& o) {
  o.reads_shard = true;
  cmd->add_option("--shard", o.shard,
                  "I/N: run shard I of N, searching its own part of the seed space (`racecheck merge` joins the "
                  "results; default: RACECHECK_SHARD, JOB_COMPLETION_INDEX, CI_NODE_INDEX/CI_NODE_TOTAL; docs/ci.md)");
  cmd->add_option("--shard-total", o.shard_total, "N: the shard count, for a JOB_COMPLETION_INDEX (Kubernetes Indexed Job)")
      ->check(CLI::Range(1, kMaxShards));
}

std::string spec_file_digest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json spec = nlohmann::json::parse(text.str(), nullptr, false);
  // The loader has read this file already; one that changed since is not recorded.
  return spec.is_discarded() ? "" : spec_digest(spec);
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
  if (o.reads_shard) {
    ShardSelection selected;
    try {
      selected = resolve_shard(o.shard, o.shard_total, [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        return value ? std::optional<std::string>(value) : std::nullopt;
      });
    } catch (const ShardError& e) {
      throw CLI::ValidationError(e.source, e.reason);
    }
    r.shard = selected.shard;
    // A shard read from the environment is named in the reproduce command too.
    if (!selected.source.empty() && selected.source != "--shard") {
      r.command += " --shard " + to_string(selected.shard);
      if (!o.quiet) std::cerr << "racecheck: shard " << to_string(selected.shard) << " (from " << selected.source << ")\n";
    }
  }
  check_history_path(o.history);
  check_descriptor_room(spec);
  if (!o.quiet) {
    r.progress = &std::cerr;
    r.progress_tty = isatty(STDERR_FILENO) != 0;
  }
  return r;
}

namespace {

// Writes the whole file with write(2) and checks close(2): a full disk shows up
// at one or the other, with its errno (an ofstream would only say "failed").
bool write_file(const std::string& path, const std::string& content, const char* what) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int error = fd < 0 ? errno : 0;
  for (std::size_t written = 0; error == 0 && written < content.size();) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) error = n < 0 ? errno : EIO;
    else written += static_cast<std::size_t>(n);
  }
  if (fd >= 0 && ::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) {
    std::cerr << "racecheck: cannot write the " << what << " to " << path << ": " << std::strerror(error) << "\n";
    return false;
  }
  return true;
}

// Can `path` be written, without changing it? An existing file is opened for
// appending (not truncated); a new one is created and removed again.
std::string output_path_problem(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) return "it is a directory";
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, ec)) return "the directory " + parent.string() + " does not exist";
  if (fs::exists(fs::symlink_status(path, ec)) || fs::exists(path, ec)) {
    // O_NONBLOCK: a FIFO without a reader answers ENXIO instead of waiting for one.
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return std::strerror(errno);
    ::close(fd);
    return "";
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return std::strerror(errno);
  ::close(fd);
  ::unlink(path.c_str());
  return "";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> output_flags(const RunCliOptions& o) {
  return {{"--history", o.history}, {"--html", o.html}, {"--junit", o.junit}, {"--json", o.json}};
}

void check_output_paths(const std::vector<std::pair<std::string, std::string>>& flag_paths) {
  namespace fs = std::filesystem;
  std::vector<std::pair<std::string, fs::path>> seen;  // flag, canonical path
  for (const auto& [flag, path] : flag_paths) {
    if (path.empty()) continue;
    const std::string problem = output_path_problem(path);
    if (!problem.empty()) throw CLI::ValidationError(flag, path + ": cannot be written: " + problem);
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(fs::absolute(path, ec), ec);
    if (ec) canonical = fs::absolute(path);
    for (const auto& [other_flag, other] : seen) {
      if (other == canonical)
        throw CLI::ValidationError(other_flag + " and " + flag,
                                   "both name the file " + path + " (one would overwrite the other)");
    }
    seen.emplace_back(flag, std::move(canonical));
  }
}

bool write_report_files(const std::string& html, const std::string& junit, const std::string& json_path,
                        const ReportInput& unstamped) {
  // Every report names the racecheck that wrote it.
  ReportInput report = unstamped;
  report.racecheck_version = kRacecheckVersion;
  report.racecheck_commit = kRacecheckCommit;
  // Render everything first: a file write that fails must not keep the others from being written.
  std::vector<std::pair<const std::string*, bool>> written;
  if (!html.empty()) written.emplace_back(&html, write_file(html, render_html(report), "HTML report"));
  if (!junit.empty()) written.emplace_back(&junit, write_file(junit, render_junit(report), "JUnit XML"));
  if (!json_path.empty()) {
    // Response bodies are bytes; JSON text must be UTF-8: bytes that are not
    // are shown as \xHH (docs/history.md).
    nlohmann::json result = render_json(report);
    escape_invalid_utf8_strings(result);
    written.emplace_back(&json_path, write_file(json_path, result.dump(2) + "\n", "JSON result"));
  }
  bool ok = true;
  for (const auto& [path, done] : written) {
    if (done) std::cout << "wrote " << *path << "\n";
    ok = ok && done;
  }
  std::cout << std::flush;
  return ok;
}

int exit_code_after_writes(int exit_code, bool writes_ok) {
  if (writes_ok || exit_code == exit_code::kViolation) return exit_code;
  return exit_code::kLocal;
}

int write_outputs(const RunCliOptions& o, const RunOutcome& outcome) {
  // SIGPIPE is ignored (main.cpp): a closed stdout (`| head -1`) only makes
  // these prints fail, never the report files.
  std::cout << render_console_summary(outcome.report, isatty(STDOUT_FILENO) != 0) << std::flush;
  bool ok = write_report_files(o.html, o.junit, o.json, outcome.report);
  if (!outcome.history_error.empty()) {
    std::cerr << "racecheck: cannot write the history: " << outcome.history_error
              << " (later events are not in " << o.history << ")\n";
    ok = false;
  }
  return exit_code_after_writes(outcome.exit_code, ok);
}

// Error messages can quote a URL given on the command line or in the spec;
// its password never reaches the terminal or a CI log.
int run_guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const SpecError& e) {
    std::cerr << "racecheck: " << redact_url_userinfo(e.what()) << "\n";
    return exit_code::kUsage;
  } catch (const ScenarioError& e) {
    std::cerr << "racecheck: scenario: " << redact_url_userinfo(e.what()) << "\n";
    return exit_code::kUsage;
  } catch (const ResultFormatError& e) {
    std::cerr << "racecheck: result file: " << redact_url_userinfo(e.what()) << "\n";
    return exit_code::kUsage;
  } catch (const CLI::ValidationError& e) {
    std::cerr << "racecheck: " << redact_url_userinfo(e.what()) << "\n";
    return exit_code::kUsage;
  } catch (const CheckUsageError& e) {
    std::cerr << "racecheck: " << redact_url_userinfo(e.what()) << "\n";
    return exit_code::kUsage;
  } catch (const TargetError& e) {
    std::cerr << "racecheck: target: " << redact_url_userinfo(e.what()) << "\n";
    return exit_code::kTarget;
  } catch (const RenderError& e) {
    // A request could not be built from what setup captured from the target.
    std::cerr << "racecheck: target: cannot build a request: " << redact_url_userinfo(e.what()) << "\n";
    return exit_code::kTarget;
  } catch (const LocalError& e) {
    std::cerr << "racecheck: this machine: " << redact_url_userinfo(e.what()) << " (nothing was judged about the target)\n";
    return exit_code::kLocal;
  } catch (const std::bad_alloc&) {
    std::cerr << "racecheck: this machine: out of memory (nothing was judged about the target)\n";
    return exit_code::kLocal;
  } catch (const std::exception& e) {
    std::cerr << "racecheck: internal error: " << redact_url_userinfo(e.what())
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
