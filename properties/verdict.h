// Verdicts: what the checkers conclude, with explanations a user can act on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace racecheck {

// Pass: checked, nothing wrong. Fail: a MUST-level violation was proven.
// Warn: only SHOULD-level deviations (reported; the gate still passes, exit 0).
// Unknown: the check ran out of its time or memory budget (never a pass).
// Skipped: the history holds nothing this invariant can judge (e.g. no final read).
enum class Status { Pass, Fail, Unknown, Skipped, Warn };
std::string_view to_string(Status s);

// MUST-level: the service is wrong (double effect, lost update).
// SHOULD-level: a deviation from recommended behaviour (refusal not replayed, 417 for 422).
enum class Severity { Must, Should };
std::string_view to_string(Severity s);

struct Violation {
  std::string invariant;     // "no-overdraft", "conservation", "idempotency", "linearizability", ...
  // What kind of wrong it is, within the invariant ("double-execution",
  // "refusal-not-replayed", "lost-update", "overdraft", "non-linearizable", ...).
  // With the invariant it is the violation's signature: shrinking keeps it.
  std::string kind;
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

// The status to show and to gate on: a verdict marked Fail that carries only
// SHOULD-level violations (a result written before Warn existed) is a Warn.
Status effective_status(const InvariantVerdict& v);

// "idempotency/double-execution": invariant and kind, the identity of a violation.
std::string signature(const Violation& v);

// Fail when a MUST violation was found, else Warn when any (SHOULD-level) was,
// else Pass. Checkers set their verdict's status with it.
Status status_for(const std::vector<Violation>& violations);

struct CheckReport {
  std::vector<InvariantVerdict> verdicts;
  // Fail if any MUST violation; else Unknown if any Unknown; else Pass. Warn-only
  // verdicts (SHOULD-level deviations) do not fail the gate: overall is Pass.
  Status overall() const;
  // Verdicts whose status is Warn (or Fail with SHOULD-level violations only).
  int warnings() const;
  // The distinct signatures of the MUST violations of failing verdicts, the most
  // specific first: idempotency, no-overdraft, conservation, linearizability, then
  // the rest in report order (a failing verdict without violations contributes
  // its invariant name). The first is the primary signature shrinking keeps.
  std::vector<std::string> failure_signatures() const;
};

}  // namespace racecheck
