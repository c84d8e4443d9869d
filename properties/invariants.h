// The invariant registry: every invariant check_operations can run, by name, in
// the order it runs them. Help texts, spec validation and the docs' list come
// from here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "properties/history.h"
#include "properties/model.h"
#include "properties/verdict.h"

namespace racecheck {

struct CheckOptions;

// What an invariant's checker sees.
struct InvariantInput {
  const std::vector<Operation>& ops;      // the history's operations (ops[i].id == i)
  const std::vector<Operation>& logical;  // the same after collapsing each key's attempts
  const Model& model;
  const CheckOptions& options;
};

struct Invariant {
  const char* name;
  const char* description;  // one line: what a pass means
  const char* all_passed;   // a run's summary when every trial passed ("all linearizable")
  bool needs_ledger;        // applies only to models with a ledger (Model::ledger())
  // Checked on the collapsed (logical) ops: its violations name logical ops,
  // which check_operations maps back to history ops.
  bool on_logical_ops;
  // Sees every op, those with arguments outside their domain included (the
  // input-validation oracle); every other invariant sees only the valid ones.
  bool sees_invalid_ops;
  InvariantVerdict (*check)(const InvariantInput& input);
};

// Every invariant, in the order they run.
const std::vector<Invariant>& all_invariants();
// The invariant called `name`, or nullptr.
const Invariant* find_invariant(std::string_view name);
// Their names, in the same order.
const std::vector<std::string>& invariant_names();

}  // namespace racecheck
