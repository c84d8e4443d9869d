// racecheck merge RESULT.json...: one verdict from the results of a run's shards.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/run_cli.h"
#include "harness/exit_codes.h"
#include "reports/merge.h"

namespace racecheck {

namespace {

// One shard's result file; a file that cannot be read or is not a result is a
// usage error naming the file (and the field).
ShardResult read_shard_result(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CLI::ValidationError("result", path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw CLI::ValidationError("result", path + ": cannot be read");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw CLI::ValidationError("result", path + ": not JSON: " + e.what());
  }
  ShardResult r;
  r.file = path;
  try {
    r.result = parse_result_json(j);
  } catch (const ResultFormatError& e) {
    throw ResultFormatError(e.pointer, path + ": " + (e.pointer.empty() ? "/" : e.pointer) + ": " + e.reason);
  }
  if (j.is_object() && j.contains("racecheck")) r.racecheck = j["racecheck"];
  return r;
}

int merged_exit_code(const ReportInput& merged) {
  switch (merged.verdicts.overall()) {
    case Status::Fail: return exit_code::kViolation;
    case Status::Unknown: return exit_code::kInconclusive;
    default: return exit_code::kOk;
  }
}

}  // namespace

void add_merge_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "merge", "one verdict from the JSON results of a run's shards (`racecheck run --shard I/N --json F`)");
  struct Args {
    std::vector<std::string> results;
    std::string html, junit, json;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("results", args->results, "the shards' JSON results (one per shard)")->required();
  cmd->add_option("--html", args->html, "write the merged HTML report here");
  cmd->add_option("--junit", args->junit, "write the merged JUnit XML here");
  cmd->add_option("--json", args->json, "write the merged JSON result here (read by `racecheck replay`)");
  cmd->callback([args, &exit_code] {
    exit_code = run_guarded([&] {
      check_output_paths({{"--html", args->html}, {"--junit", args->junit}, {"--json", args->json}});
      std::vector<ShardResult> results;
      for (const std::string& path : args->results) results.push_back(read_shard_result(path));
      ReportInput merged;
      try {
        merged = merge_shard_results(results);
      } catch (const MergeError& e) {
        std::cerr << "racecheck: merge: " << e.what() << "\n";
        return exit_code::kUsage;
      }
      std::cout << render_console_summary(merged, isatty(STDOUT_FILENO) != 0) << std::flush;
      const bool written = write_report_files(args->html, args->junit, args->json, merged);
      return exit_code_after_writes(merged_exit_code(merged), written);
    });
  });
}

}  // namespace racecheck
