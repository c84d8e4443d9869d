// racecheck-arrival-recorder: the jitter benchmark's arrival recorder as a
// process of its own (bench/jitter/arrival_recorder.h), for looking at a target
// setup by hand: every request gets 200, GET /arrivals returns the arrival
// instants and clears them.
//
// Usage: racecheck-arrival-recorder [--port P] [--max-seconds S]
// Prints "listening on http://127.0.0.1:PORT"; exits 0 on SIGTERM or SIGINT or
// after --max-seconds (default 600), 2 on a bad flag, 1 when it cannot listen.
#include <signal.h>
#include <time.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "bench/jitter/arrival_recorder.h"

namespace {

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "racecheck-arrival-recorder: %s\nusage: racecheck-arrival-recorder [--port P] [--max-seconds S]\n",
               message.c_str());
  std::exit(2);
}

long integer_flag(const std::string& flag, const char* text, long lo, long hi) {
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < lo || value > hi) {
    usage_error(flag + ": expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got \"" +
                text + "\"");
  }
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  long port = 0, max_seconds = 600;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage_error(flag + ": unknown flag or missing value");
    if (flag == "--port") port = integer_flag(flag, argv[++i], 0, 65535);
    else if (flag == "--max-seconds") max_seconds = integer_flag(flag, argv[++i], 1, 86'400);
    else usage_error("unknown flag \"" + flag + "\"");
  }
  // Blocked before the server thread starts, so only sigtimedwait below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  try {
    racecheck::bench::ArrivalRecorder recorder(static_cast<int>(port));
    std::printf("listening on http://127.0.0.1:%d\n", recorder.port());
    std::fflush(stdout);
    const timespec limit{static_cast<time_t>(max_seconds), 0};
    while (sigtimedwait(&signals, nullptr, &limit) < 0 && errno == EINTR) {
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "racecheck-arrival-recorder: %s\n", e.what());
    return 1;
  }
  return 0;
}
