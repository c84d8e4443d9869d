// racecheck: concurrency-testing harness for HTTP APIs. See README.md.
#include <sys/resource.h>

#include <exception>
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "harness/exit_codes.h"
#include "cli/run_cli.h"
#include "racecheck_version.h"

namespace {

// Every client holds a connection, so the default soft limit of 1024 open
// files caps a run near a thousand clients; the hard limit is what this
// machine allows. Raised once, before anything opens a descriptor. A client
// count that still does not fit is refused before the run (make_run_options).
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == limit.rlim_max) return;
  rlimit raised = limit;
  raised.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return;
  // An unlimited hard limit is still capped by the kernel (fs.nr_open).
  raised.rlim_cur = 1 << 20;
  if (raised.rlim_cur > limit.rlim_cur) setrlimit(RLIMIT_NOFILE, &raised);
}

}  // namespace

int main(int argc, char** argv) {
  raise_open_file_limit();
  // A reader that goes away (`racecheck run ... | head -1`) must not kill the
  // run before it writes its reports: a write to it fails instead.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"racecheck: proves whether an HTTP API breaks under concurrent requests"};
  app.set_version_flag("--version", std::string("racecheck ") + racecheck::kRacecheckVersion + " (commit " +
                                         racecheck::kRacecheckCommit + ")");
  app.require_subcommand(1);
  int exit_code = racecheck::exit_code::kOk;
  // Subcommands register here as they exist (cli/commands.h).
  const std::string command_line = racecheck::shell_command(argc, argv);
  racecheck::add_run_command(app, exit_code, command_line);
  racecheck::add_demo_command(app, exit_code, command_line);
  racecheck::add_replay_command(app, exit_code, command_line);
  racecheck::add_check_command(app, exit_code);
  racecheck::add_merge_command(app, exit_code);
  racecheck::add_exec_command(app, exit_code);
  racecheck::add_init_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
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
  } catch (...) {
    // Commands without run_guarded (check, exec) get its mapping here: an
    // exception that escapes a command is a local fault (6) or a bug (7).
    const std::exception_ptr error = std::current_exception();
    return racecheck::run_guarded([&]() -> int { std::rethrow_exception(error); });
  }
  return exit_code;
}
