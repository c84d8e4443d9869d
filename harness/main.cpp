// racecheck: concurrency-testing harness for HTTP APIs. See README.md.
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "harness/commands.h"
#include "harness/exit_codes.h"
#include "harness/run_cli.h"

int main(int argc, char** argv) {
  // A reader that goes away (`racecheck run ... | head -1`) must not kill the
  // run before it writes its reports: a write to it fails instead.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"racecheck: proves whether an HTTP API breaks under concurrent requests"};
  app.require_subcommand(1);
  int exit_code = racecheck::exit_code::kOk;
  // Subcommands register here as they exist (harness/commands.h).
  const std::string command_line = racecheck::shell_command(argc, argv);
  racecheck::add_run_command(app, exit_code, command_line);
  racecheck::add_demo_command(app, exit_code, command_line);
  racecheck::add_replay_command(app, exit_code, command_line);
  racecheck::add_check_command(app, exit_code);
  racecheck::add_exec_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // A mistyped command: CLI11 says only "A subcommand is required".
    const std::vector<std::string> rest = app.remaining();
    if (app.get_subcommands().empty() && !rest.empty() && rest.front().rfind('-', 0) != 0) {
      std::string commands;
      for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
        commands += (commands.empty() ? "" : ", ") + sub->get_name();
      std::cerr << "racecheck: unknown command '" << rest.front() << "' (commands: " << commands << ")\n";
      return racecheck::exit_code::kUsage;
    }
    app.exit(e);  // prints the message
    return racecheck::exit_code::kUsage;
  }
  return exit_code;
}
