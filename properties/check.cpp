#include <algorithm>
#include <set>

#include "properties/exact_money.h"
#include "properties/idempotency.h"
#include "properties/input_validation.h"
#include "properties/op_fields.h"
#include "properties/properties.h"
#include "util/text.h"

namespace racecheck {
namespace {

// Violations found on collapsed (logical) ops refer to history ops instead, and say
// which logical op merged which attempts when that matters to read the explanation.
void map_to_history_ops(Violation& v, const CollapsedHistory& collapsed) {
  std::set<int> ids;
  std::string merged;
  for (int logical : v.ops) {
    const auto& members = collapsed.members.at(logical);
    ids.insert(members.begin(), members.end());
    if (members.size() != 1 || members.front() != logical) {
      merged += merged.empty() ? "" : "; ";
      merged += "op " + std::to_string(logical) + " = history op";
      merged += members.size() > 1 ? "s " : " ";
      for (size_t i = 0; i < members.size(); ++i) merged += (i ? ", " : "") + std::to_string(members[i]);
    }
  }
  if (!merged.empty()) v.explanation += " [logical ops after merging a key's attempts: " + merged + "]";
  v.ops.assign(ids.begin(), ids.end());
  auto representative = [&](int logical) { return collapsed.members.at(logical).front(); };
  for (int& id : v.linearized_prefix) id = representative(id);
  if (v.unplaceable_op >= 0) v.unplaceable_op = representative(v.unplaceable_op);
}

// Violations found on the ops without invalid arguments name those ops by their
// position among them: back to the history's op ids.
void map_to_all_ops(Violation& v, const std::vector<int>& history_id) {
  for (int& id : v.ops) id = history_id.at(static_cast<std::size_t>(id));
  for (int& id : v.linearized_prefix) id = history_id.at(static_cast<std::size_t>(id));
  if (v.unplaceable_op >= 0) v.unplaceable_op = history_id.at(static_cast<std::size_t>(v.unplaceable_op));
}

}  // namespace

CheckReport check_operations(const std::vector<Operation>& ops, const CheckOptions& options) {
  const Model* model = find_model(options.model);
  if (model == nullptr)
    throw CheckUsageError("unknown model '" + options.model + "' (known: " + join(model_names(), ", ") + ")");
  for (const auto& name : options.invariants)
    if (find_invariant(name) == nullptr)
      throw CheckUsageError("unknown invariant '" + name + "' (known: " + join(invariant_names(), ", ") + ")");
  for (const auto& ptr : options.volatile_fields) {
    try {
      (void)json::json_pointer(ptr);
    } catch (const json::exception&) {
      throw CheckUsageError("volatile field '" + ptr + "' is not a JSON pointer (it must start with '/')");
    }
  }
  std::vector<std::string> wanted = options.invariants.empty() ? model->invariants() : options.invariants;

  // Ops with arguments outside their domain are the input-validation oracle's
  // alone: a refused one changed nothing, an accepted one is its violation, and a
  // model could not read "50abc" as an amount anyway. An op whose hostile value
  // a service may read as an integer ("50") is judged by every invariant as the
  // op with that integer: if it was accepted, that is what it must have done.
  std::vector<Operation> valid_ops;
  std::vector<int> history_id;  // valid_ops[i] is history op history_id[i]
  bool hostile = false;
  for (const Operation& op : ops) {
    hostile = hostile || has_invalid_arguments(op) || has_read_as_arguments(op);
    if (has_invalid_arguments(op)) continue;
    history_id.push_back(op.id);
    valid_ops.push_back(op);
    valid_ops.back().id = static_cast<int>(valid_ops.size()) - 1;
    if (has_read_as_arguments(op) && op.input.is_object()) valid_ops.back().input.update(op.read_as);
  }
  if (hostile && std::find(wanted.begin(), wanted.end(), "input-validation") == wanted.end())
    wanted.emplace_back("input-validation");

  // The integer models judge what remains once inexact money is taken out
  // (exact-money reports it): a drifted balance is one violation, not a
  // history the models cannot read.
  const std::vector<Operation> exact = without_inexact_money(valid_ops, *model);
  const CollapsedHistory collapsed = collapse_idempotent(exact, options.volatile_fields, options.not_executed_errors);
  const InvariantInput input{valid_ops, collapsed.ops, *model, options};
  const InvariantInput all_input{ops, ops, *model, options};
  auto history_op = [&](int logical) {
    return history_id.at(static_cast<std::size_t>(collapsed.members.at(static_cast<std::size_t>(logical)).front()));
  };
  // An accepted invalid input can leave a state no model reads (a balance of
  // 1e21): then a model's complaint leaves its invariant undecided instead of
  // hiding the input-validation violation.
  bool invalid_accepted = false;
  for (const Operation& op : ops) invalid_accepted = invalid_accepted || (has_invalid_arguments(op) && op.outcome == Outcome::Ok);
  CheckReport report;
  // In the registry's order, whatever order they were asked for in.
  for (const Invariant& invariant : all_invariants()) {
    if (std::find(wanted.begin(), wanted.end(), invariant.name) == wanted.end()) continue;
    if (invariant.sees_invalid_ops) {
      report.verdicts.push_back(invariant.check(all_input));
      continue;
    }
    if (!invariant.on_logical_ops) {
      InvariantVerdict v = invariant.check(input);
      for (auto& x : v.violations) map_to_all_ops(x, history_id);
      report.verdicts.push_back(std::move(v));
      continue;
    }
    // A model's complaint about a logical op names the history op it came from.
    // A 64-bit overflow leaves that invariant undecided, never wrapped into a verdict.
    try {
      InvariantVerdict v = invariant.check(input);
      for (auto& x : v.violations) {
        map_to_history_ops(x, collapsed);
        map_to_all_ops(x, history_id);
      }
      report.verdicts.push_back(std::move(v));
    } catch (const fields::ArithmeticOverflow& e) {
      InvariantVerdict v;
      v.invariant = invariant.name;
      v.status = Status::Unknown;
      const bool known = e.op_id >= 0 && static_cast<std::size_t>(e.op_id) < collapsed.members.size();
      v.summary = "undecided: op " + std::to_string(known ? history_op(e.op_id) : e.op_id) + ": " + e.reason;
      report.verdicts.push_back(std::move(v));
    } catch (const ModelInputError& e) {
      const ModelInputError in_history(history_op(e.op_id), e.field, e.reason);
      if (!invalid_accepted) throw in_history;
      InvariantVerdict v;
      v.invariant = invariant.name;
      v.status = Status::Unknown;
      v.summary = std::string("undecided after an invalid input was accepted: ") + in_history.what();
      report.verdicts.push_back(std::move(v));
    }
  }
  return report;
}

CheckReport check_history(const std::vector<Event>& events, const CheckOptions& options) {
  const PairingResult paired = pair_operations(events);
  CheckReport report = check_operations(paired.ops, options);
  if (!paired.problems.empty()) {
    InvariantVerdict h;
    h.invariant = "history";
    h.status = Status::Warn;
    h.summary = std::to_string(paired.problems.size()) + " pairing problem(s) in the history";
    for (const auto& p : paired.problems) {
      Violation x;
      x.invariant = "history";
      x.kind = "pairing";
      x.severity = Severity::Should;
      x.explanation = p;
      h.violations.push_back(std::move(x));
    }
    report.verdicts.insert(report.verdicts.begin(), std::move(h));
  }
  return report;
}

}  // namespace racecheck
