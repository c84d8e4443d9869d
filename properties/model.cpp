#include "properties/model.h"

#include <numeric>

#include "properties/invariants.h"
#include "properties/model_kit.h"

namespace racecheck {

ModelInputError::ModelInputError(int id, std::string field_name, std::string why)
    : std::runtime_error("op " + std::to_string(id) + ": field '" + field_name + "': " + why),
      op_id(id),
      field(std::move(field_name)),
      reason(std::move(why)) {}

std::vector<std::vector<int>> Model::partition(const std::vector<Operation>& ops) const {
  std::vector<int> all(ops.size());
  std::iota(all.begin(), all.end(), 0);
  return {all};
}

std::string Model::describe_op(const Operation& op) const { return describe_op_generically(op); }

std::optional<OpKind> Model::operation(const std::string& f) const {
  for (OpKind& k : operations())
    if (k.name == f) return std::move(k);
  return std::nullopt;
}

std::optional<std::string> Model::key_field() const {
  if (auto initial = initial_state()) return initial->key_field;
  return std::nullopt;
}

std::vector<std::string> Model::invariants() const {
  const bool keeps_ledger = ledger().has_value();
  std::vector<std::string> out;
  // input-validation joins a check when the history holds hostile inputs.
  for (const Invariant& i : all_invariants())
    if ((keeps_ledger || !i.needs_ledger) && !i.sees_invalid_ops) out.emplace_back(i.name);
  return out;
}

std::string describe_op_generically(const Operation& op) {
  std::string s = op.f + " " + op.input.dump();
  s += " -> ";
  s += to_string(op.outcome);
  if (op.outcome == Outcome::Ok && !op.output.is_null()) s += " " + op.output.dump();
  if (!op.error.empty()) s += " (" + op.error + ")";
  return s;
}

std::string outcome_text(const Operation& op, const std::string& observed) {
  std::string s = " → ";
  s += to_string(op.outcome);
  if (!observed.empty()) s += ", " + observed;
  if (!op.error.empty()) s += " (" + op.error + ")";
  return s;
}

}  // namespace racecheck
