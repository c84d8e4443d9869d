// racecheck demo: start the embedded demo bank on a free loopback port and run
// the gate against it with the compiled-in spec. No set-up, no files.
#include <iostream>

#include "cli/commands.h"
#include "targets/demo/demo_spec_text.h"
#include "harness/exit_codes.h"
#include "harness/local_error.h"
#include "cli/run_cli.h"
#include "targets/demo/bank.h"

namespace racecheck {

void add_demo_command(CLI::App& app, int& exit_code, const std::string& command_line) {
  auto* cmd = app.add_subcommand("demo", "run racecheck against the embedded demo bank (no set-up)");
  struct Args {
    std::string balance = "racy";
    std::string idempotency = "correct";
    int race_window_us = 500;
    int work_us = 200;
    RunCliOptions run;
  };
  auto args = std::make_shared<Args>();
  args->run.budget = "20s";
  args->run.shrink_budget = "20s";
  cmd->add_option("--balance", args->balance, "racy (read, wait, write: the classic race) or safe")
      ->check(CLI::IsMember({"racy", "safe"}))->capture_default_str();
  cmd->add_option("--idempotency", args->idempotency, "none, racy-cache (duplicates double-execute) or correct")
      ->check(CLI::IsMember({"none", "racy-cache", "correct"}))->capture_default_str();
  cmd->add_option("--race-window-us", args->race_window_us, "gap between the read and the write in racy mode")
      ->check(CLI::Range(0, 1000000))->capture_default_str();
  cmd->add_option("--work-us", args->work_us, "simulated processing time per request")
      ->check(CLI::Range(0, 1000000))->capture_default_str();
  add_run_options(cmd, args->run, true);
  cmd->callback([args, &exit_code, command_line] {
    exit_code = run_guarded([&] {
      if (!args->run.targets.empty()) {
        throw CLI::ValidationError("--target", "demo always tests its own embedded bank; to test a running service, use "
                                               "`racecheck run SPEC --target URL`");
      }
      if (args->run.transport.http2 || args->run.release == "single-packet") {
        throw CLI::ValidationError(args->run.transport.http2 ? "--http2" : "--release", "the embedded demo bank speaks HTTP/1.1 only; to test it over HTTP/2, put "
                                              "scripts/nginx.sh in front of racecheck-demo-target and run `racecheck run "
                                              "targets/demo/spec.json --target URL --http2`");
      }
      check_output_paths(output_flags(args->run));  // before the first request
      demo::DemoBankConfig config;
      config.balance = demo::parse_balance_mode(args->balance);
      config.idempotency = demo::parse_idempotency_mode(args->idempotency);
      config.race_window_us = args->race_window_us;
      config.work_us = args->work_us;
      demo::DemoBank bank(config);
      try {
        bank.start("127.0.0.1", 0);
      } catch (const std::runtime_error& e) {
        throw LocalError(e.what());  // no loopback port or thread for the bank on this machine
      }
      std::cerr << "demo bank (balance " << args->balance << ", idempotency " << args->idempotency
                << ") listening on " << bank.base_url() << "\n";
      Spec spec = parse_spec_text(kDemoSpecJson, "<embedded targets/demo/spec.json>");
      override_base_urls(spec, {bank.base_url()});
      apply_transport_flags(spec, args->run.transport);
      apply_release_flag(spec, args->run.release);
      const RunOptions options = make_run_options(args->run, spec, "targets/demo/spec.json", command_line);
      const RunOutcome outcome = run_spec(spec, options);
      bank.stop();
      return write_outputs(args->run, outcome);
    });
  });
}

}  // namespace racecheck
