#include "harness/interrupt.h"

#include <signal.h>

#include <atomic>

namespace racecheck {
namespace {

std::atomic<int> g_interrupt_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler may only touch lock-free atomics");

struct sigaction g_previous_int, g_previous_term;

extern "C" void on_interrupt(int signal_number) { g_interrupt_signal.store(signal_number); }

}  // namespace

InterruptGuard::InterruptGuard() {
  g_interrupt_signal.store(0);
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // a second signal: the default action (terminate)
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
}

int interrupt_signal() { return g_interrupt_signal.load(); }

}  // namespace racecheck
