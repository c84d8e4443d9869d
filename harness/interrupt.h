// Ctrl-C (SIGINT) or SIGTERM during `racecheck run`, `demo` or `replay` stops the
// run instead of killing it, so that the reports of the trials that ran are
// still written (exit code 5, harness/exit_codes.h).
//
// The handler only stores the signal number in a lock-free atomic (async-signal-
// safe); the trial loop polls interrupt_signal() between trials, and the
// executor once per pass of its event loop (ExecutorOptions::stop_requested),
// ending the requests in flight as info "interrupted". It is installed with
// SA_RESETHAND, so a second Ctrl-C terminates the process at once, as usual.
#pragma once

namespace racecheck {

// Installs the handler for SIGINT and SIGTERM for its lifetime and restores the
// previous dispositions when destroyed. Not nestable.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

// The signal that asked the run to stop (SIGINT or SIGTERM), 0 when none did.
int interrupt_signal();

}  // namespace racecheck
