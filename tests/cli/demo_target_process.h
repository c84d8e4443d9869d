// For the sharding tests: a command's exit code and output, and the standalone
// demo bank (racecheck-demo-target) started by pid and stopped by it.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace racecheck::test {

struct ShellExit {
  int code = -1;
  std::string output;  // stdout and stderr
};

// Runs `cmd` with sh, stderr joined to stdout.
inline ShellExit shell_exit(const std::string& cmd) {
  ShellExit e;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return e;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) e.output.append(buf, n);
  const int status = pclose(p);
  e.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return e;
}

// The demo bank with `--balance balance --idempotency correct` on a free port;
// url() is empty when it did not start within 30 s.
class DemoTargetProcess {
 public:
  DemoTargetProcess(const std::string& balance, const std::filesystem::path& dir) {
    const std::filesystem::path log = dir / ("bank-" + balance + ".txt");
    const std::string start = RACECHECK_BINARY_DIR "/targets/demo/racecheck-demo-target --balance " + balance +
                              " --idempotency correct --port 0 > " + log.string() + " 2>&1 & echo $!";
    if (FILE* p = popen(start.c_str(), "r")) {
      if (fscanf(p, "%d", &pid_) != 1) pid_ = 0;
      pclose(p);
    }
    for (int i = 0; i < 600 && url_.empty() && pid_ > 0; ++i) {
      std::ifstream in(log);
      std::string line;
      if (std::getline(in, line) && line.rfind("listening on ", 0) == 0) url_ = line.substr(13);
      else usleep(50000);
    }
  }
  ~DemoTargetProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  DemoTargetProcess(const DemoTargetProcess&) = delete;
  DemoTargetProcess& operator=(const DemoTargetProcess&) = delete;
  const std::string& url() const { return url_; }

 private:
  int pid_ = 0;
  std::string url_;
};

}  // namespace racecheck::test
