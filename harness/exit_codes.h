// Process exit codes (DESIGN.md). Every command returns one of these.
#pragma once

namespace racecheck::exit_code {
inline constexpr int kOk = 0;             // no violation
inline constexpr int kViolation = 1;      // an invariant was violated
inline constexpr int kUsage = 2;          // bad usage, bad spec, bad history file
inline constexpr int kTarget = 3;         // target unreachable or setup failed
inline constexpr int kInconclusive = 4;   // a checker ran out of its budget, or nothing could be judged
inline constexpr int kInterrupted = 5;    // stopped by SIGINT/SIGTERM; the reports cover the trials that ran
}  // namespace racecheck::exit_code
