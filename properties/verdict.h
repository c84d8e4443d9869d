// Verdicts: what the checkers conclude, with explanations a user can act on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace racecheck {

// Pass: checked, nothing wrong. Fail: a violation was proven.
// Unknown: the check ran out of its time or memory budget (never a pass).
// Skipped: the history holds nothing this invariant can judge (e.g. no final read).
enum class Status { Pass, Fail, Unknown, Skipped };
std::string_view to_string(Status s);

// MUST-level: the service is wrong (double effect, lost update).
// SHOULD-level: a deviation from recommended behaviour (refusal not replayed, 417 for 422).
enum class Severity { Must, Should };
std::string_view to_string(Severity s);

struct Violation {
  std::string invariant;     // "no-overdraft", "conservation", "idempotency", "linearizability", ...
  Severity severity = Severity::Must;
  std::string explanation;   // one sentence in the user's terms
  std::vector<int> ops;      // Operation ids involved
  // Linearizability only: the longest linearizable prefix found (op ids in
  // linearization order), the state before each of them plus the final state,
  // and the op that could not be placed after it (-1 when not applicable).
  std::vector<int> linearized_prefix;
  std::vector<std::string> prefix_states;
  int unplaceable_op = -1;
};

struct InvariantVerdict {
  std::string invariant;
  Status status = Status::Skipped;
  std::string summary;             // one line: what was checked and the result
  std::vector<Violation> violations;
  double elapsed_ms = 0;
};

struct CheckReport {
  std::vector<InvariantVerdict> verdicts;
  // Fail if any MUST violation; else Unknown if any Unknown; else Pass.
  Status overall() const;
};

}  // namespace racecheck
