// The standalone demo bank binary as tests and benchmarks use it: started with
// fork/exec, port read from its "listening on" line, stopped by pid with a
// signal. Every wait is bounded; a child that does not exit is SIGKILLed.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/targets/demo_http.h"

namespace racecheck::demo {
namespace {

using namespace std::chrono_literals;
const std::string kBinary = RACECHECK_BINARY_DIR "/targets/demo/racecheck-demo-target";

class TargetProcess {
 public:
  // `args` are the target's options; a small pool keeps sanitizer builds quick.
  explicit TargetProcess(std::vector<std::string> args) {
    args.insert(args.begin(), {"--threads", "16"});
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> argv_storage = {kBinary};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_storage) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC on the copy
      execv(kBinary.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    stdout_fd_ = out[0];
  }

  ~TargetProcess() {
    if (pid_ > 0 && !exit_status_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_fd_ >= 0) close(stdout_fd_);
  }

  // The first line on stdout, or nullopt if none came within `timeout`.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string line;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd readable{stdout_fd_, POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (poll(&readable, 1, static_cast<int>(std::max<long>(left.count(), 1))) <= 0) continue;
      char c;
      if (read(stdout_fd_, &c, 1) != 1) return std::nullopt;  // closed: the child exited
      if (c == '\n') return line;
      line += c;
    }
    return std::nullopt;
  }

  // Sends `signal` and waits for the exit; the wait status, or nullopt on timeout.
  std::optional<int> stop(int signal, std::chrono::milliseconds timeout) {
    kill(pid_, signal);
    return wait_for_exit(timeout);
  }

  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_status_ = status;
        return status;
      }
      std::this_thread::sleep_for(5ms);
    }
    return std::nullopt;
  }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::optional<int> exit_status_;
};

int port_from(const std::string& line) {
  std::smatch match;
  static const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+))");
  if (!std::regex_match(line, match, listening)) return -1;
  return std::stoi(match[1]);
}

void expect_clean_stop(TargetProcess& target, int signal) {
  const auto begin = std::chrono::steady_clock::now();
  std::optional<int> status = target.stop(signal, 5000ms);
  ASSERT_TRUE(status) << "target did not exit within 5 s of signal " << signal;
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  // Well under httplib's 5 s keep-alive timeout, which an idle connection
  // would otherwise hold the stop for (~20 ms unloaded, seconds under TSan).
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 4000ms);
}

TEST(DemoTargetBinary, PrintsItsPortServesAndStopsOnSigterm) {
  TargetProcess target({"--balance", "safe", "--idempotency", "correct", "--work-us", "0"});
  std::optional<std::string> line = target.read_line(30'000ms);
  ASSERT_TRUE(line) << "no 'listening on' line within 30 s";
  const int port = port_from(*line);
  ASSERT_GT(port, 0) << *line;

  testing::BankClient client(port);
  EXPECT_EQ(client.get("/health").status, 200);
  const std::string id = client.create_account(100);
  testing::Reply first = client.withdraw(id, 40, "k1");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(client.withdraw(id, 40, "k1").body, first.body);  // correct idempotency is on
  EXPECT_EQ(client.balance(id), 60);
  // The client's keep-alive connection is still open while the target stops.
  expect_clean_stop(target, SIGTERM);
}

TEST(DemoTargetBinary, StopsOnSigint) {
  TargetProcess target({});
  std::optional<std::string> line = target.read_line(30'000ms);
  ASSERT_TRUE(line);
  ASSERT_GT(port_from(*line), 0) << *line;
  expect_clean_stop(target, SIGINT);
}

TEST(DemoTargetBinary, RefusesANonLoopbackHost) {
  TargetProcess target({"--host", "0.0.0.0"});
  EXPECT_FALSE(target.read_line(5000ms));
  std::optional<int> status = target.wait_for_exit(5000ms);
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 2);
}

TEST(DemoTargetBinary, RefusesAnUnknownMode) {
  TargetProcess target({"--balance", "fast"});
  std::optional<int> status = target.wait_for_exit(5000ms);
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 2);
}

TEST(DemoTargetBinary, ExitsWith3WhenThePortIsTaken) {
  TargetProcess first({});
  std::optional<std::string> line = first.read_line(30'000ms);
  ASSERT_TRUE(line);
  const int port = port_from(*line);
  TargetProcess second({"--port", std::to_string(port)});
  std::optional<int> status = second.wait_for_exit(5000ms);
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 3);
  expect_clean_stop(first, SIGTERM);
}

}  // namespace
}  // namespace racecheck::demo
