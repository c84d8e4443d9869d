// Child processes of the jitter benchmark and its self-check: a server that
// announces "listening on URL" (the jitter proxy), and one-shot commands
// (`racecheck exec`) run to their end under a time bound. Every child is
// stopped by its own pid, never by name.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace racecheck::bench {

// posix_spawn of argv[0] with stdout to `stdout_fd` and stderr to `stderr_fd`
// (-1: inherited). Throws naming the program when it cannot start.
inline pid_t spawn_program(const std::vector<std::string>& argv, int stdout_fd, int stderr_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
  if (stderr_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stderr_fd, STDERR_FILENO);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

// A server child: started by the constructor, which returns once the child has
// printed "listening on URL"; SIGTERM and reaped by the destructor.
class ServerProcess {
 public:
  explicit ServerProcess(const std::vector<std::string>& argv) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2: " + std::string(std::strerror(errno)));
    try {
      pid_ = spawn_program(argv, pipe_fds[1], -1);
    } catch (...) {
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
      throw;
    }
    ::close(pipe_fds[1]);
    read_fd_ = pipe_fds[0];
    std::string seen;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    const std::string marker = "listening on ";
    while (url_.empty() && std::chrono::steady_clock::now() < give_up) {
      pollfd ready{read_fd_, POLLIN, 0};
      if (::poll(&ready, 1, 50) <= 0) continue;
      char chunk[512];
      const ssize_t got = ::read(read_fd_, chunk, sizeof(chunk));
      if (got <= 0) break;  // the child exited before announcing itself
      seen.append(chunk, static_cast<std::size_t>(got));
      const auto start = seen.find(marker);
      const auto line_end = start == std::string::npos ? start : seen.find('\n', start);
      if (line_end != std::string::npos) url_ = seen.substr(start + marker.size(), line_end - start - marker.size());
    }
    if (url_.empty()) {
      stop();
      throw std::runtime_error(argv[0] + ": no \"listening on URL\" line within 10 s (stdout: \"" + seen + "\")");
    }
  }
  ~ServerProcess() { stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  const std::string& url() const { return url_; }
  int port() const { return std::stoi(url_.substr(url_.rfind(':') + 1)); }

 private:
  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
    if (read_fd_ >= 0) ::close(read_fd_);
    read_fd_ = -1;
  }

  pid_t pid_ = -1;
  int read_fd_ = -1;
  std::string url_;
};

struct CommandResult {
  int exit_code = -1;  // -1: killed (it outlived its time bound) or ended by a signal
  std::string err;     // its stderr
};

// Runs argv to its end with stdout discarded and stderr kept in `stderr_path`;
// SIGKILLs it (by its pid) when it outlives `limit`.
inline CommandResult run_command(const std::vector<std::string>& argv, const std::string& stderr_path,
                                 std::chrono::milliseconds limit) {
  const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  const int err_fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  CommandResult result;
  pid_t pid = -1;
  try {
    pid = spawn_program(argv, null_fd, err_fd);
  } catch (const std::exception& e) {
    result.err = e.what();
  }
  if (null_fd >= 0) ::close(null_fd);
  if (err_fd >= 0) ::close(err_fd);
  if (pid < 0) return result;
  const auto give_up = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > give_up) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      status = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  std::ifstream in(stderr_path);
  std::stringstream text;
  text << in.rdbuf();
  result.err = text.str();
  return result;
}

}  // namespace racecheck::bench
