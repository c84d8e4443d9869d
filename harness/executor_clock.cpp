#include "harness/executor_clock.h"

#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "harness/executor.h"

namespace racecheck {

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

int stamp_request_start(void* sent_ns, char*, char*, int, int) {
  *static_cast<std::int64_t*>(sent_ns) = monotonic_ns();
  return CURL_PREREQFUNC_OK;
}

void wait_for_activity(CURLM* multi, int wake_timer, std::int64_t wakeup_ns, std::int64_t now,
                       const std::vector<int>& readable_fds) {
  std::vector<curl_waitfd> fds(1 + readable_fds.size());
  for (std::size_t i = 0; i < readable_fds.size(); ++i) {
    fds[i + 1].fd = readable_fds[i];
    fds[i + 1].events = CURL_WAIT_POLLIN;
  }
  const auto count = static_cast<unsigned>(fds.size());
  const std::int64_t wait_ns = wakeup_ns - now;
  if (wait_ns <= 0) {
    curl_multi_poll(multi, fds.data() + 1, count - 1, 0, nullptr);
    return;
  }
  itimerspec due{};
  due.it_value.tv_sec = static_cast<time_t>(wakeup_ns / 1'000'000'000);
  due.it_value.tv_nsec = static_cast<long>(wakeup_ns % 1'000'000'000);
  // Re-arming also clears an expiry left over from an earlier wait.
  if (timerfd_settime(wake_timer, TFD_TIMER_ABSTIME, &due, nullptr) != 0) {
    throw std::runtime_error(std::string("timerfd_settime failed: ") + std::strerror(errno));
  }
  fds[0].fd = wake_timer;
  fds[0].events = CURL_WAIT_POLLIN;
  const int backstop_ms = static_cast<int>(std::min<std::int64_t>(wait_ns / 1'000'000 + 1, 100));
  curl_multi_poll(multi, fds.data(), count, backstop_ms, nullptr);
  if ((fds[0].revents & CURL_WAIT_POLLIN) != 0) {
    std::uint64_t expirations = 0;
    [[maybe_unused]] const ssize_t n = read(wake_timer, &expirations, sizeof expirations);
  }
}

}  // namespace racecheck
