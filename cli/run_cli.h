// Options shared by `run`, `demo` and `replay`, and the code that turns a
// RunOutcome into report files and a console summary.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/transport_flags.h"
#include "harness/run.h"

namespace racecheck {

struct RunCliOptions {
  std::vector<std::string> targets;   // --target URL (repeatable): replaces the spec's base URLs
  std::uint64_t seed = 0;
  bool seed_given = false;
  std::string budget = "";            // "60s", "2m", "500ms" ("" = the spec's budget)
  int trials = 0;                     // 0 = the spec's trials when no budget is given, else unlimited
  int repeat = 1;
  int reproduce = 10;
  std::string shrink_budget = "30s";
  double check_budget_ms = 10000;
  std::string history, html, junit, json;
  bool quiet = false;
  int min_ok = 1;                     // --min-ok: the evidence rule (RunOptions::min_ok)
  TransportFlags transport;           // --http2, --cacert, --insecure, --cert, --key
  std::string release = "last-byte";  // --release: last-byte or single-packet (harness/release_method.h)
  // `run` only (add_shard_options): the flags, and the CI environment, that make it one shard of N.
  bool reads_shard = false;
  std::string shard;                  // --shard I/N
  int shard_total = 0;                // --shard-total N (with JOB_COMPLETION_INDEX); 0: not given
};

// CLI11's Range and PositiveNumber let "nan" through (every comparison with NaN
// is false): a number flag checks this first.
CLI::Validator finite_number();

// CLI11 reads an unsigned option with strtoull, which takes "-1" as 2^64-1:
// an unsigned flag checks this first.
CLI::Validator unsigned_integer();

// Replaces the spec's base URLs with the --target flags. A bad URL is a usage
// error naming --target, not the spec file (which is not at fault).
void apply_target_flags(Spec& spec, const std::vector<std::string>& targets);

// --release last-byte|single-packet (run, exec, replay, demo), and putting it
// into the spec the executor options are made from.
void add_release_flag(CLI::App* cmd, std::string& release);
void apply_release_flag(Spec& spec, const std::string& release);

// Adds the shared flags to a subcommand.
void add_run_options(CLI::App* cmd, RunCliOptions& o, bool search_flags);

// --shard and --shard-total; make_run_options then also reads the CI
// environment (harness/shard.h resolve_shard).
void add_shard_options(CLI::App* cmd, RunCliOptions& o);

// Hex SHA-256 of the spec file's canonical JSON (reports/merge.h spec_digest).
std::string spec_file_digest(const std::string& path);

// Parses "60s", "1.5m", "250ms", "90" (seconds). Throws CLI::ValidationError
// naming `flag` for text that is not a duration, and for one under 1 ms
// (including 0) unless allow_zero.
double parse_duration_s(const std::string& text, const std::string& flag, bool allow_zero = false);

// RunOptions from the flags and the spec's generator defaults. Throws
// CLI::ValidationError for a bad duration, and LocalError when the spec's
// clients cannot fit in this process's open-file limit.
RunOptions make_run_options(const RunCliOptions& o, const Spec& spec, const std::string& spec_path,
                            const std::string& command);

// The output flags and their paths: --history, --html, --junit, --json.
std::vector<std::pair<std::string, std::string>> output_flags(const RunCliOptions& o);

// Checks, before the first request, that every non-empty output path can be
// written (its directory exists; the file can be created, or opened for
// appending without truncating it) and that no two flags name the same file.
// Throws CLI::ValidationError naming the flag(s) (exit 2).
void check_output_paths(const std::vector<std::pair<std::string, std::string>>& flag_paths);

// Writes the report files whose paths are not empty, each independently of
// the others; prints "wrote PATH" for each one written. Returns false (after
// printing why) when one cannot be written.
bool write_report_files(const std::string& html, const std::string& junit, const std::string& json_path,
                        const ReportInput& report);

// A violation once proved stays exit 1 whatever fails after it; otherwise a
// report or history that could not be written is a local failure (exit 6).
int exit_code_after_writes(int exit_code, bool writes_ok);

// Prints the console summary, writes the --html/--junit/--json files and
// reports a history that could not be written. Returns the exit code.
int write_outputs(const RunCliOptions& o, const RunOutcome& outcome);

// Runs a command body, mapping errors to exit codes with a one-line message:
// bad spec/scenario/result file/flag → 2, target or setup failure → 3, a failure
// of this machine (LocalError, out of memory) → 6, any other exception → 7 (a
// racecheck bug, said so in the message: never blamed on the target).
int run_guarded(const std::function<int()>& body);

// The command line as typed, quoted for a POSIX shell.
std::string shell_command(int argc, char** argv);

}  // namespace racecheck
