// Each CLI subcommand lives in its own cmd_*.cpp and registers itself here.
// The callback stores the command's exit code (harness/exit_codes.h) in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace racecheck {

void add_exec_command(CLI::App& app, int& exit_code);
void add_check_command(CLI::App& app, int& exit_code);

}  // namespace racecheck
