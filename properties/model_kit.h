// Building blocks for models: partitioning by key, describing ops, and an
// adapter that turns a model written on plain values (Porcupine style: init,
// step, describe) into a Model whose states the checker can memoize.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "properties/history.h"
#include "properties/model.h"

namespace racecheck {

// One partition per distinct key that `key_of` names for an op, ordered by key.
template <class KeyOf>
std::vector<std::vector<int>> partition_by_key(const std::vector<Operation>& ops, KeyOf&& key_of) {
  std::map<std::string, std::vector<int>> by_key;
  for (const Operation& op : ops) by_key[key_of(op)].push_back(op.id);
  std::vector<std::vector<int>> out;
  out.reserve(by_key.size());
  for (auto& entry : by_key) out.push_back(std::move(entry.second));
  return out;
}

// " → ok, balance 50 (busy)": an op's outcome, what it observed (may be empty)
// and its error label, as the end of a described op.
std::string outcome_text(const Operation& op, const std::string& observed = "");

// describe() for ops the model decodes; ops it cannot decode (ModelInputError)
// get the generic description, so a report never fails on a bad op.
template <class Describe>
std::string describe_or_generic(const Operation& op, Describe&& describe) {
  try {
    return describe();
  } catch (const ModelInputError&) {
    return describe_op_generically(op);
  }
}

// A model whose name and operations are data and whose sequential
// specification is a `Spec` built from (ops, subset).
template <class Spec>
class SpecModel : public Model {
 public:
  SpecModel(std::string name, std::vector<OpKind> operations)
      : name_(std::move(name)), operations_(std::move(operations)) {}
  std::string name() const override { return name_; }
  std::vector<OpKind> operations() const override { return operations_; }
  std::unique_ptr<SequentialSpec> prepare(const std::vector<Operation>& ops,
                                          const std::vector<int>& subset) const override {
    return std::make_unique<Spec>(ops, subset);
  }

 private:
  std::string name_;
  std::vector<OpKind> operations_;
};

// Base of the models whose state is a ledger (balances, stock), with its nouns.
// Their initial state is what the harness writes from the spec's setup: one
// "open" op per resource, {"account": i, "balance": n} (the harness calls every
// resource an account, whatever the model).
template <class Spec>
class LedgerModel : public SpecModel<Spec> {
 public:
  LedgerModel(std::string name, std::vector<OpKind> operations, LedgerNouns nouns)
      : SpecModel<Spec>(std::move(name), std::move(operations)), nouns_(std::move(nouns)) {}
  std::optional<InitialState> initial_state() const override { return InitialState{"open", "account", "balance"}; }
  std::optional<LedgerNouns> ledger() const override { return nouns_; }
  // Ops the model does not know do not touch the ledger: conservation counts
  // what it can, and linearizability reports the unknown op.
  std::vector<LedgerEntry> ledger_effect(const Operation& op) const final {
    if (!this->operation(op.f)) return {};
    return effect_of_known_op(op);
  }

 protected:
  virtual std::vector<LedgerEntry> effect_of_known_op(const Operation& op) const = 0;

 private:
  LedgerNouns nouns_;
};

// A model written on plain values. `Value` is the state (ordered: operator<),
// `Input` one decoded op. decode, step and describe_value are required.
template <class Value, class Input>
struct ValueModel {
  std::string name;
  std::vector<OpKind> operations;
  Value init{};
  // The op's arguments and observed outcome; throws ModelInputError for an op
  // the model cannot interpret.
  std::function<Input(const Operation&)> decode;
  // Applies `input` to `value`: false when its observed outcome is impossible there.
  std::function<bool(const Value& value, const Input& input, Value* next)> step;
  std::function<std::string(const Value&)> describe_value;
  // The key an op acts on: one partition per key. Unset: one partition.
  std::function<std::string(const Operation&)> key;
  // "create 'alice' → ok" (outcome_text helps). Unset: the generic description.
  std::function<std::string(const Input&, const Operation&)> describe_op;
  // Whether `input` never changes any state it is legal in (see SequentialSpec::read_only).
  std::function<bool(const Input&)> read_only;
};

namespace model_kit_detail {

// Interns the values a search reaches: equal values get equal State ids.
template <class Value, class Input>
class InternedSpec final : public SequentialSpec {
 public:
  InternedSpec(const ValueModel<Value, Input>& model, const std::vector<Operation>& ops,
               const std::vector<int>& subset)
      : model_(model), ids_(subset) {
    std::sort(ids_.begin(), ids_.end());
    inputs_.reserve(ids_.size());
    for (int id : ids_) inputs_.push_back(model_.decode(ops.at(static_cast<std::size_t>(id))));
    intern(model_.init);
  }

  State init() override { return 0; }

  bool step(State s, int op_id, State* next) override {
    Value after = values_.at(static_cast<std::size_t>(s));
    if (!model_.step(values_.at(static_cast<std::size_t>(s)), input(op_id), &after)) return false;
    *next = intern(std::move(after));
    return true;
  }

  std::string describe_state(State s) const override {
    return model_.describe_value(values_.at(static_cast<std::size_t>(s)));
  }

  bool read_only(int op_id) const override { return model_.read_only && model_.read_only(input(op_id)); }

 private:
  const Input& input(int op_id) const {
    const auto it = std::lower_bound(ids_.begin(), ids_.end(), op_id);
    return inputs_.at(static_cast<std::size_t>(it - ids_.begin()));
  }

  State intern(Value v) {
    const auto [it, inserted] = index_.try_emplace(v, values_.size());
    if (inserted) values_.push_back(std::move(v));
    return it->second;
  }

  const ValueModel<Value, Input>& model_;
  std::vector<int> ids_;  // the subset's op ids, sorted; inputs_ in the same order
  std::vector<Input> inputs_;
  std::vector<Value> values_;  // State -> value
  std::map<Value, State> index_;
};

template <class Value, class Input>
class InternedModel final : public Model {
 public:
  explicit InternedModel(ValueModel<Value, Input> model) : model_(std::move(model)) {}
  std::string name() const override { return model_.name; }
  std::vector<OpKind> operations() const override { return model_.operations; }
  std::vector<std::vector<int>> partition(const std::vector<Operation>& ops) const override {
    if (!model_.key) return Model::partition(ops);
    return partition_by_key(ops, model_.key);
  }
  std::unique_ptr<SequentialSpec> prepare(const std::vector<Operation>& ops,
                                          const std::vector<int>& subset) const override {
    return std::make_unique<InternedSpec<Value, Input>>(model_, ops, subset);
  }
  std::string describe_op(const Operation& op) const override {
    if (!model_.describe_op) return Model::describe_op(op);
    return describe_or_generic(op, [&] { return model_.describe_op(model_.decode(op), op); });
  }

 private:
  ValueModel<Value, Input> model_;
};

}  // namespace model_kit_detail

// The Model of a value model: states are interned values, so the checker's
// memo cache compares small integers.
template <class Value, class Input>
std::unique_ptr<Model> make_value_model(ValueModel<Value, Input> model) {
  return std::make_unique<model_kit_detail::InternedModel<Value, Input>>(std::move(model));
}

}  // namespace racecheck
