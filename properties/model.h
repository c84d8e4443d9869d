// The model interface, in the spirit of Porcupine's model.go: a sequential
// specification the linearizability checker searches against.
//
// Why states are integers: the search memoizes (set of linearized ops, state)
// pairs, so a state must be cheap to copy, hash and compare. Models whose state
// is naturally small (a balance, a register value) encode it directly; models with
// rich state (a string for kv append) intern it in their SequentialSpec and hand
// out ids, so equal states get equal ids.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "properties/history.h"

namespace racecheck {

using State = std::uint64_t;

// A model's rejection of an op it cannot interpret (missing amount, unknown f).
struct ModelInputError : std::runtime_error {
  ModelInputError(int op_id, std::string field, std::string reason);
  int op_id;
  std::string field;
  std::string reason;
};

// One partition's sequential specification. Prepared once per check from the
// operations it will see (so it can decode JSON arguments into compact form once,
// not on every step of the search).
class SequentialSpec {
 public:
  virtual ~SequentialSpec() = default;
  virtual State init() = 0;
  // Applies op `op_id` (an Operation::id) to `s`. Returns false when the op's
  // observed outcome is impossible in `s`. Info ops have no observed outcome: they
  // apply with the model's semantics. Not const: may intern new states.
  virtual bool step(State s, int op_id, State* next) = 0;
  virtual std::string describe_state(State s) const = 0;
  // The states before and after each op of a run from init(), described, for
  // explanations. Override when states merge values a reader would tell apart.
  virtual std::vector<std::string> describe_run(const std::vector<int>& op_ids) {
    std::vector<std::string> out;
    State s = init();
    out.push_back(describe_state(s));
    for (int id : op_ids) {
      State next = s;
      step(s, id, &next);
      s = next;
      out.push_back(describe_state(s));
    }
    return out;
  }
  // True when op `op_id` never changes any state it is legal in (a read, a failed
  // cas, a refused write). The checker may then place it as early as it is legal,
  // without trying alternatives. Default false: always safe.
  virtual bool read_only(int op_id) const { return false; }
};

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;
  // P-compositionality: independent sub-histories (lists of op ids) that are
  // linearizable together iff each is. Default: one partition with every op.
  virtual std::vector<std::vector<int>> partition(const std::vector<Operation>& ops) const;
  // Throws ModelInputError for ops it cannot interpret.
  virtual std::unique_ptr<SequentialSpec> prepare(const std::vector<Operation>& ops,
                                                  const std::vector<int>& subset) const = 0;
  // "withdraw 50 from A → ok, balance 50": used in explanations and reports.
  virtual std::string describe_op(const Operation& op) const;
};

}  // namespace racecheck
