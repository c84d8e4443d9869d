// Idempotency keys, two ways.
//
// (a) The LAYER: attempts that share a non-empty key are one logical operation that
//     takes effect at most once. The linearizability and conservation checks run on
//     the collapsed operations, so a service that executes a key twice shows up there
//     as a violation (a second effect nobody asked for).
// (b) The ORACLE (IETF draft "The Idempotency-Key HTTP Header Field"; Stripe): per
//     key, every completed response is the same response, a key reused with a
//     different payload is refused (422), a key in flight is refused (409) or
//     waited on, never executed twice.
#pragma once

#include <string>
#include <vector>

#include "properties/history.h"
#include "properties/verdict.h"

namespace racecheck {

struct CollapsedHistory {
  std::vector<Operation> ops;             // logical ops; ops[i].id == i; ordered by first invoke
  std::vector<std::vector<int>> members;  // logical id -> original op ids (its attempts)
  std::vector<int> logical_of;            // original op id -> logical id
};

// Collapses the attempts of each key. A logical op spans from its first invoke to
// its first ok completion (kNever if none was ok). Outcome: ok if any attempt was ok
// (output, status and body from the first ok); else info if any attempt was info or
// left open; else fail (error from the first refusal that is not a did-not-run
// refusal, see did_not_run). `attempt` holds the number of attempts merged.
// An attempt with a different payload than the key's first attempt stays its own
// logical op, unless it is ok with the very response of an ok attempt of the
// original payload (a replay: no new effect). Volatile fields (JSON pointers into
// the body) are ignored when comparing responses; they must be valid JSON pointers.
CollapsedHistory collapse_idempotent(const std::vector<Operation>& ops,
                                     const std::vector<std::string>& volatile_fields = {});

// Refusals that say the request never ran: "busy", "key-in-flight", "key-reused",
// "rate-limited" or HTTP 409 / 422 / 429. They are not responses to be replayed.
bool did_not_run(const Operation& op);

// The response a client saw, normalized for comparison: status and body minus the
// volatile fields (or, in histories without HTTP data, outcome, output and error).
std::string normalized_response(const Operation& op, const std::vector<std::string>& volatile_fields);

struct IdempotencyOptions {
  std::vector<std::string> volatile_fields;  // JSON pointers, e.g. "/created_at"
};

// The oracle, over the original (uncollapsed) operations. MUST violations are
// evidence of a double effect (two different successful responses, a different
// payload executed, a success followed by a re-executed refusal); SHOULD deviations
// are protocol lapses (a refusal not replayed, a reused key refused with a status
// other than 422, an in-flight refusal other than 409, a replay to a reused key).
InvariantVerdict check_idempotency(const std::vector<Operation>& ops, const IdempotencyOptions& options);

}  // namespace racecheck
