// The executor's clock: when a request was sent, and the sleep between passes
// of its event loop until a libcurl transfer's socket or another descriptor (a
// single-packet burst's connection) is readable, or a monotonic instant.
#pragma once

#include <cstdint>
#include <vector>

#include <curl/curl.h>

namespace racecheck {

// A CURLOPT_PREREQFUNCTION for requests not held by a byte; CURLOPT_PREREQDATA
// is the std::int64_t that receives monotonic_ns(). libcurl calls it on the
// reused or new connection right before it writes the request; a request under
// 64 KiB (header and body from memory) goes out in that one write, so this is
// when it was sent. (A debug callback would see the bytes leave, but it needs
// CURLOPT_VERBOSE, and libcurl then formats every info line it has.)
int stamp_request_start(void* sent_ns, char*, char*, int, int);

// curl_multi_poll counts whole milliseconds: rounding down would spin through
// every sub-millisecond wait (a 1 ms retry backoff, a stagger), burning the CPU
// the target and the other clients need; rounding up would oversleep. The
// timer fd (CLOCK_MONOTONIC timerfd) among the polled descriptors ends the wait
// on time; the timeout is only a backstop. Throws std::runtime_error when the
// timer cannot be armed.
void wait_for_activity(CURLM* multi, int wake_timer, std::int64_t wakeup_ns, std::int64_t now,
                       const std::vector<int>& readable_fds);

}  // namespace racecheck
