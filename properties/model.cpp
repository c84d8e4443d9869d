#include "properties/model.h"

#include <numeric>

namespace racecheck {

ModelInputError::ModelInputError(int op_id, std::string field, std::string reason)
    : std::runtime_error("op " + std::to_string(op_id) + ": field '" + field + "': " + reason),
      op_id(op_id),
      field(std::move(field)),
      reason(std::move(reason)) {}

std::vector<std::vector<int>> Model::partition(const std::vector<Operation>& ops) const {
  std::vector<int> all(ops.size());
  std::iota(all.begin(), all.end(), 0);
  return {all};
}

std::string Model::describe_op(const Operation& op) const {
  std::string s = op.f + " " + op.input.dump();
  s += " -> ";
  s += to_string(op.outcome);
  if (op.outcome == Outcome::Ok && !op.output.is_null()) s += " " + op.output.dump();
  if (!op.error.empty()) s += " (" + op.error + ")";
  return s;
}

}  // namespace racecheck
