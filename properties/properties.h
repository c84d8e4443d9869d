// The properties library's public header: parse a history, pick a model, check it.
//
//   auto parsed = parse_history_jsonl(text);
//   CheckOptions o; o.model = "account";
//   CheckReport r = check_history(parsed.events, o);
//   r.overall();  // Pass / Fail / Unknown
#pragma once

#include <string>
#include <vector>

#include "properties/history.h"
#include "properties/idempotency.h"
#include "properties/input_validation.h"
#include "properties/invariants.h"
#include "properties/model.h"
#include "properties/models.h"
#include "properties/verdict.h"

namespace racecheck {

struct CheckOptions {
  std::string model;                          // a name from model_names()
  std::vector<std::string> invariants;        // names from invariant_names(); empty = Model::invariants()
  std::vector<std::string> volatile_fields;   // JSON pointers ignored when comparing replayed responses
  double budget_ms = 10000;                   // linearizability time budget
  // Idempotency: the error labels that mean "refused without running" (any other
  // refusal is a completed response to replay), and whether refusals must be
  // replayed (MUST) or only should be (warn). See properties/idempotency.h.
  std::vector<std::string> not_executed_errors = default_not_executed_errors();
  bool replay_refusals = true;
  // Decimal places of money (the spec's "money": {"scale": N}): the model's
  // money fields are whole numbers of 10^-scale (properties/decimal_money.h).
  // Used to check and to show them; 0 = plain integers.
  int money_scale = 0;
  // input-validation: the error labels that mean "refused as invalid input"; a
  // valid request refused with one of them is reported (SHOULD).
  std::vector<std::string> invalid_input_errors = default_invalid_input_errors();
};

// Thrown for options that make no sense (unknown model or invariant, a volatile
// field that is not a JSON pointer). The message says which and lists what is known.
struct CheckUsageError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Pairs the events (pair_operations), then checks. Pairing problems (a completion
// without an invoke, a process invoking twice) appear as a "history" verdict with
// SHOULD-level violations: reported, but they do not fail the check by themselves.
// Throws CheckUsageError, and ModelInputError when an op does not fit the model.
CheckReport check_history(const std::vector<Event>& events, const CheckOptions& options);

// The same on already paired operations (ops[i].id == i), e.g. from pair_operations.
// Keyed attempts are collapsed (idempotency layer) for linearizability and
// conservation; every violation's ops are ids into `ops`.
CheckReport check_operations(const std::vector<Operation>& ops, const CheckOptions& options);

}  // namespace racecheck
