// Running an external tool from a test: bounded in time, stopped by its pid.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace racecheck::test {

struct ProcessResult {
  int exit_code = -1;      // -1: killed after the timeout (or by a signal: term_signal)
  bool timed_out = false;
  int term_signal = 0;     // the signal that ended it, if one did
  long max_rss_kb = -1;    // peak resident set size of the process (wait4 rusage)
  double wall_s = 0;       // from spawn to exit
  std::string out, err;
};

// A process started by spawn_process, not yet waited for.
struct SpawnedProcess {
  pid_t pid = -1;          // -1: posix_spawn failed (error in `spawn_error`)
  std::string spawn_error;
  std::filesystem::path dir;
  std::chrono::steady_clock::time_point started;
};

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

inline void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
}

// A fresh directory under the system temp dir, removed by the destructor.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "racecheck-reports-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// Starts argv with stdout/stderr captured to files in `dir`, in its own process
// group (so that wait_process can stop it and any helper it forks).
inline SpawnedProcess spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& dir) {
  SpawnedProcess p;
  p.dir = dir;
  const auto out_path = dir / "stdout.txt", err_path = dir / "stderr.txt";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  p.started = std::chrono::steady_clock::now();
  const int rc = posix_spawn(&p.pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    p.pid = -1;
    p.spawn_error = "posix_spawn failed: " + std::to_string(rc);
  }
  return p;
}

// Waits for a spawned process; kills it (by its pid, whole process group) when
// it outlives `timeout` from now.
inline ProcessResult wait_process(const SpawnedProcess& p, std::chrono::milliseconds timeout) {
  ProcessResult result;
  if (p.pid < 0) {
    result.err = p.spawn_error;
    return result;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  rusage usage{};
  for (;;) {
    const pid_t done = wait4(p.pid, &status, WNOHANG, &usage);
    if (done == p.pid) {
      kill(-p.pid, SIGKILL);  // helpers it forked into its process group and left behind, if any
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      result.timed_out = true;
      kill(-p.pid, SIGKILL);  // the process group we created for it: chromium forks helpers
      wait4(p.pid, &status, 0, &usage);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - p.started).count();
  result.max_rss_kb = usage.ru_maxrss;
  if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  result.out = read_file(p.dir / "stdout.txt");
  result.err = read_file(p.dir / "stderr.txt");
  return result;
}

// Runs argv with stdout/stderr captured to files in `dir`; kills the process (by
// its pid, whole process group) when it outlives `timeout`.
inline ProcessResult run_process(const std::vector<std::string>& argv, const std::filesystem::path& dir,
                                 std::chrono::milliseconds timeout) {
  return wait_process(spawn_process(argv, dir), timeout);
}

}  // namespace racecheck::test
