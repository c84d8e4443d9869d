#include <algorithm>
#include <set>

#include "properties/idempotency.h"
#include "properties/linearizability.h"
#include "properties/money.h"
#include "properties/op_fields.h"
#include "properties/properties.h"

namespace racecheck {
namespace {

bool is_known_invariant(const std::string& name) {
  return std::any_of(std::begin(kInvariantNames), std::end(kInvariantNames),
                     [&](const char* n) { return name == n; });
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

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

std::vector<std::string> applicable_invariants(const std::string& model) {
  if (has_ledger(model)) return {kInvariantNames, kInvariantNames + std::size(kInvariantNames)};
  return {"idempotency", "linearizability"};
}

}  // namespace

CheckReport check_operations(const std::vector<Operation>& ops, const CheckOptions& options) {
  const std::unique_ptr<Model> model = make_model(options.model);
  if (!model)
    throw CheckUsageError("unknown model '" + options.model + "' (known: " + joined(model_names()) + ")");
  for (const auto& name : options.invariants)
    if (!is_known_invariant(name))
      throw CheckUsageError("unknown invariant '" + name + "' (known: " +
                            joined({std::begin(kInvariantNames), std::end(kInvariantNames)}) + ")");
  for (const auto& ptr : options.volatile_fields) {
    try {
      (void)json::json_pointer(ptr);
    } catch (const json::exception&) {
      throw CheckUsageError("volatile field '" + ptr + "' is not a JSON pointer (it must start with '/')");
    }
  }
  const std::vector<std::string> wanted =
      options.invariants.empty() ? applicable_invariants(options.model) : options.invariants;
  auto enabled = [&](const char* name) { return std::find(wanted.begin(), wanted.end(), name) != wanted.end(); };

  const CollapsedHistory collapsed = collapse_idempotent(ops, options.volatile_fields, options.not_executed_errors);
  CheckReport report;
  auto add_collapsed = [&](InvariantVerdict v) {
    for (auto& x : v.violations) map_to_history_ops(x, collapsed);
    report.verdicts.push_back(std::move(v));
  };
  // A model's complaint about a logical op names the history op it came from.
  // A 64-bit overflow leaves that invariant undecided, never wrapped into a verdict.
  auto on_collapsed = [&](const char* invariant, auto&& check) {
    try {
      add_collapsed(check());
    } catch (const fields::ArithmeticOverflow& e) {
      InvariantVerdict v;
      v.invariant = invariant;
      v.status = Status::Unknown;
      const bool known = e.op_id >= 0 && static_cast<std::size_t>(e.op_id) < collapsed.members.size();
      v.summary = "undecided: op " + std::to_string(known ? collapsed.members[e.op_id].front() : e.op_id) + ": " + e.reason;
      report.verdicts.push_back(std::move(v));
    } catch (const ModelInputError& e) {
      throw ModelInputError(collapsed.members.at(e.op_id).front(), e.field, e.reason);
    }
  };
  // In a fixed order, whatever order they were asked for in.
  if (enabled("no-overdraft")) report.verdicts.push_back(check_no_overdraft(ops));
  if (enabled("conservation")) on_collapsed("conservation", [&] { return check_conservation(collapsed.ops, options.model); });
  if (enabled("idempotency")) {
    IdempotencyOptions io;
    io.volatile_fields = options.volatile_fields;
    io.not_executed_errors = options.not_executed_errors;
    io.replay_refusals = options.replay_refusals;
    report.verdicts.push_back(check_idempotency(ops, io));
  }
  if (enabled("linearizability")) {
    LinearizabilityOptions lo;
    lo.budget_ms = options.budget_ms;
    on_collapsed("linearizability", [&] { return check_linearizability(*model, collapsed.ops, lo); });
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
