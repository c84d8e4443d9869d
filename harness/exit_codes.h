// Process exit codes. Every command returns one of these; README.md and
// docs/ci.md document them for users.
#pragma once

namespace racecheck::exit_code {
inline constexpr int kOk = 0;             // no violation, and the run judged enough evidence
inline constexpr int kViolation = 1;      // an invariant was violated (kept whatever fails later)
inline constexpr int kUsage = 2;          // bad usage, bad spec, bad history file, unwritable output path
inline constexpr int kTarget = 3;         // target unreachable or setup failed
inline constexpr int kInconclusive = 4;   // a checker ran out of its budget, or nothing could be judged
inline constexpr int kInterrupted = 5;    // stopped by SIGINT/SIGTERM; the reports cover the trials that ran
inline constexpr int kLocal = 6;          // this machine failed (descriptors, memory, ports, a file write)
inline constexpr int kInternal = 7;       // a racecheck bug (an unexpected exception): never the target's fault
}  // namespace racecheck::exit_code
