// racecheck run SPEC: the property-based gate.
#include <iostream>

#include "cli/commands.h"
#include "harness/exit_codes.h"
#include "cli/run_cli.h"

namespace racecheck {

void add_run_command(CLI::App& app, int& exit_code, const std::string& command_line) {
  auto* cmd = app.add_subcommand("run", "fire randomized concurrent scenarios at a service, check, shrink, report");
  struct Args {
    std::string spec;
    RunCliOptions run;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("spec", args->spec, "the target spec (JSON, see docs/spec.md)")->required();
  add_run_options(cmd, args->run, true);
  add_shard_options(cmd, args->run);
  cmd->callback([args, &exit_code, command_line] {
    exit_code = run_guarded([&] {
      check_output_paths(output_flags(args->run));  // before the first request
      Spec spec = load_spec_file(args->spec);
      if (!args->run.targets.empty()) apply_target_flags(spec, args->run.targets);
      apply_transport_flags(spec, args->run.transport);
      apply_release_flag(spec, args->run.release);
      RunOptions options = make_run_options(args->run, spec, args->spec, command_line);
      options.spec_digest = spec_file_digest(args->spec);
      const RunOutcome outcome = run_spec(spec, options);
      return write_outputs(args->run, outcome);
    });
  });
}

}  // namespace racecheck
