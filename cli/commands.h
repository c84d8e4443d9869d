// Each CLI subcommand lives in its own cmd_*.cpp and registers itself here.
// The callback stores the command's exit code (harness/exit_codes.h) in `exit_code`.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace racecheck {

void add_exec_command(CLI::App& app, int& exit_code);
void add_check_command(CLI::App& app, int& exit_code);
void add_init_command(CLI::App& app, int& exit_code);
void add_merge_command(CLI::App& app, int& exit_code);
// These record `command_line` in their reports as the command that reproduces the run.
void add_run_command(CLI::App& app, int& exit_code, const std::string& command_line);
void add_demo_command(CLI::App& app, int& exit_code, const std::string& command_line);
void add_replay_command(CLI::App& app, int& exit_code, const std::string& command_line);

}  // namespace racecheck
