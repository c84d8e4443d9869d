// Idempotency keys, two ways.
//
// (a) The LAYER: attempts that share a non-empty key are one logical operation that
//     takes effect at most once. The linearizability and conservation checks run on
//     the collapsed operations, so a service that executes a key twice shows up there
//     as a violation (a second effect nobody asked for).
// (b) The ORACLE (IETF draft "The Idempotency-Key HTTP Header Field"; Stripe): per
//     key, every completed response -- a business refusal included -- is the same
//     response, a key reused with a
//     different payload is refused (422), a key in flight is refused (409) or
//     waited on, never executed twice.
#pragma once

#include <string>
#include <vector>

#include "properties/history.h"
#include "properties/verdict.h"

namespace racecheck {

// The error labels that say a request was refused without running (key in
// flight, key reused, busy, rate limited): "busy", "key-in-flight", "key-reused",
// "rate-limited". A spec can name others (its "idempotency.not_executed").
const std::vector<std::string>& default_not_executed_errors();

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
                                     const std::vector<std::string>& volatile_fields = {},
                                     const std::vector<std::string>& not_executed_errors = default_not_executed_errors());

// A refusal whose error label is one of `not_executed_errors`: the request never
// ran, so it is not a response to be replayed. Any other refusal (insufficient
// funds, out of stock, a validation error) is a completed response. The label
// decides, never the status code: a 409 can be either.
bool did_not_run(const Operation& op,
                 const std::vector<std::string>& not_executed_errors = default_not_executed_errors());

// The response a client saw, normalized for comparison: status and body minus the
// volatile fields (or, in histories without HTTP data, outcome, output and error).
std::string normalized_response(const Operation& op, const std::vector<std::string>& volatile_fields);

struct IdempotencyOptions {
  std::vector<std::string> volatile_fields;  // JSON pointers, e.g. "/created_at"
  std::vector<std::string> not_executed_errors = default_not_executed_errors();
  // true: a completed refusal must be replayed like a success (MUST). false, for
  // services that only promise to replay successes: a refusal not replayed is a
  // SHOULD-level deviation (warn).
  bool replay_refusals = true;
};

// The oracle, over the original (uncollapsed) operations. Violation kinds:
//   MUST  double-execution            two different successful responses
//   MUST  success-not-replayed        a success, then a completed refusal: the retry ran again
//   MUST  refusal-not-replayed        a completed refusal, then a different completed
//                                     response (SHOULD when !replay_refusals)
//   MUST  different-payload-evaluated a reused key with a different payload got a
//                                     business answer (ok or a business refusal)
//   SHOULD reused-key-replayed        ... got the original's response replayed (draft: 422)
//   SHOULD reused-key-status          ... was refused with a status other than 422
//   SHOULD in-flight-status           an in-flight refusal with a status other than 409
// Status: Fail with any MUST violation, Warn with SHOULD-level ones only.
InvariantVerdict check_idempotency(const std::vector<Operation>& ops, const IdempotencyOptions& options);

}  // namespace racecheck
