// racecheck replay RESULT.json: re-run the saved minimal scenario against the target.
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "harness/exit_codes.h"
#include "cli/run_cli.h"

namespace racecheck {

void add_replay_command(CLI::App& app, int& exit_code, const std::string& command_line) {
  auto* cmd = app.add_subcommand("replay", "re-run the minimal failing scenario saved by `run --json`");
  struct Args {
    std::string result;
    std::string spec;
    RunCliOptions run;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("result", args->result, "a JSON result written by `racecheck run --json`")->required();
  cmd->add_option("--spec", args->spec, "the spec to use (default: the spec_path recorded in the result)");
  add_run_options(cmd, args->run, false);
  cmd->callback([args, &exit_code, command_line] {
    exit_code = run_guarded([&] {
      check_output_paths(output_flags(args->run));  // before the first request
      std::ifstream in(args->result, std::ios::binary);
      if (!in) throw CLI::ValidationError("result", args->result + ": cannot be read");
      std::stringstream text;
      text << in.rdbuf();
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(text.str());
      } catch (const nlohmann::json::parse_error& e) {
        throw CLI::ValidationError("result", args->result + ": not JSON: " + e.what());
      }
      ReportInput saved;
      try {
        saved = parse_result_json(j);
      } catch (const ResultFormatError& e) {
        throw ResultFormatError(e.pointer, args->result + ": " + e.pointer + ": " + e.reason);
      }
      if (saved.minimal_scenario.is_null())
        throw CLI::ValidationError("result", args->result + ": /minimal_scenario: the run found no failure; nothing to replay");
      const std::string spec_path = args->spec.empty() ? saved.spec_path : args->spec;
      if (spec_path.empty())
        throw CLI::ValidationError("--spec", args->result + " records no spec_path: pass --spec SPEC.json");
      Spec spec = load_spec_file(spec_path);
      if (!args->run.targets.empty()) apply_target_flags(spec, args->run.targets);
      apply_transport_flags(spec, args->run.transport);
      apply_release_flag(spec, args->run.release);
      Scenario scenario;
      try {
        scenario = scenario_from_json(saved.minimal_scenario);
      } catch (const ScenarioError& e) {
        throw ScenarioError("/minimal_scenario" + e.pointer, args->result + ": " + e.reason);
      }
      RunCliOptions ro = args->run;
      ro.seed = saved.seed;
      ro.seed_given = true;
      const RunOptions options = make_run_options(ro, spec, spec_path, command_line);
      const RunOutcome outcome = replay_scenario(spec, scenario, options);
      std::cout << "replayed the minimal scenario " << outcome.report.repro_runs << " times: "
                << outcome.report.repro_failures << " failed\n";
      return write_outputs(args->run, outcome);
    });
  });
}

}  // namespace racecheck
