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
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "properties/history.h"

namespace racecheck {

using State = std::uint64_t;

// A model's rejection of an op it cannot interpret (missing amount, unknown f).
struct ModelInputError : std::runtime_error {
  ModelInputError(int id, std::string field_name, std::string why);
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

// One change an op makes to a model's ledger (what the conservation invariant
// adds up): per resource, an initial value, a signed change or a value read.
struct LedgerEntry {
  enum class Kind { Set, Delta, Observe };
  Kind kind = Kind::Delta;
  std::string resource;     // the account or item; "" is the default one
  std::int64_t amount = 0;  // Set: the value; Delta: the signed change; Observe: the value read
};

// What a model's ledger counts, in the words explanations use.
struct LedgerNouns {
  std::string resource;  // "account", "item"
  std::string quantity;  // "balance", "stock"
};

// An operation a model interprets (an Operation::f).
struct OpKind {
  std::string name;
  bool writes = false;  // may change the state (false: a read)
  std::string noun;     // its effect as a noun ("withdrawal"), for counting in explanations
};

// How a model's state starts out: one op per key, written by the harness from
// the spec's setup (e.g. "open" {"account": i, "balance": n}). A model without
// one starts every key at its initial state.
struct InitialState {
  std::string op;           // Operation::f, e.g. "open"
  std::string key_field;    // input field naming the key, e.g. "account"
  std::string value_field;  // input field with the initial value, e.g. "balance"
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
  // The same with money fields (money_fields()) shown at the money scale
  // ("withdraw 10.50", not 1050). Default: describe_op.
  virtual std::string describe_op_at_scale(const Operation& op, int money_scale) const { return describe_op(op); }

  // The operations this model interprets, in a stable order.
  virtual std::vector<OpKind> operations() const = 0;
  // The operation named `f`, or nullopt.
  std::optional<OpKind> operation(const std::string& f) const;
  // How the harness writes the initial state; nullopt: nothing to write.
  virtual std::optional<InitialState> initial_state() const { return std::nullopt; }
  // The input field naming the resource (account, item, key) an op acts on:
  // the harness writes it into every op it records. nullopt: the model has one
  // value per history (register, counter). Default: the initial state's key field.
  virtual std::optional<std::string> key_field() const;

  // The model's ledger, when its state is quantities that ops add to and take
  // from (balances, stock): the conservation invariant then applies. nullopt: none.
  virtual std::optional<LedgerNouns> ledger() const { return std::nullopt; }
  // What `op` does to the ledger; empty for ops that do not touch it (and for
  // every op of a model without one). Throws ModelInputError like prepare.
  virtual std::vector<LedgerEntry> ledger_effect(const Operation& op) const { return {}; }
  // The input and output fields that hold money (amounts, balances): with a
  // money scale the harness records them in minor units and the exact-money
  // invariant checks them (properties/decimal_money.h). Empty: none.
  virtual std::vector<std::string> money_fields() const { return {}; }

  // The invariants (names from invariant_names()) checked when none are asked
  // for. Default: every registered invariant whose needs this model meets.
  virtual std::vector<std::string> invariants() const;
};

// The default one-line description of an op (what Model::describe_op returns).
std::string describe_op_generically(const Operation& op);

}  // namespace racecheck
