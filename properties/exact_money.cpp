#include "properties/exact_money.h"

#include <chrono>

#include "properties/decimal_money.h"

namespace racecheck {
namespace {

// "balance 0.30000000000000004 is not a whole number of cents: 0.00000000000000004 off 0.30".
// A recorded string is the decimal text as received (major units); a number
// that is not an integer comes from a history not recorded at a scale, so it
// counts in minor units.
std::string inexact_explanation(const std::string& field, const json& value, int scale) {
  const bool text = value.is_string();
  const std::string shown = text ? value.get<std::string>() : value.dump();
  const int at = text ? scale : 0;
  std::string s = field + " " + shown + (text ? "" : " (minor units)") + " is not a whole number of " +
                  money::minor_unit_name(scale);
  if (const auto inexact = money::inexact_at_scale(shown, at)) return s + ": " + inexact->off + " off " + inexact->nearest;
  if (money::parse_decimal(shown)) return s + ": it does not fit in a 64-bit count of " + money::minor_unit_name(scale);
  return field + " " + shown + " is not an amount (expected a number of " + money::minor_unit_name(scale) + ")";
}

// The op described with its inexact output values left out (the model reads
// whole amounts only), the rest at the scale: "deposit 0.01 → ok".
std::string describe_whole_part(const Operation& op, const Model& model, int scale) {
  Operation whole = op;
  if (whole.output.is_object())
    for (const std::string& field : model.money_fields()) {
      const auto it = whole.output.find(field);
      if (it != whole.output.end() && !it->is_null() && !it->is_number_integer()) whole.output.erase(it);
    }
  return model.describe_op_at_scale(whole, scale);
}

}  // namespace

bool is_whole_money(const json& value) {
  return value.is_null() || value.is_number_integer();
}

InvariantVerdict check_exact_money(const std::vector<Operation>& ops, const Model& model, int scale) {
  const auto started = std::chrono::steady_clock::now();
  InvariantVerdict v;
  v.invariant = "exact-money";
  const std::vector<std::string> fields = model.money_fields();
  int observed = 0;
  for (const Operation& op : ops) {
    for (const json* obj : {&op.input, &op.output}) {
      if (!obj->is_object()) continue;
      for (const std::string& field : fields) {
        const auto it = obj->find(field);
        if (it == obj->end() || it->is_null()) continue;
        // The output repeats the arguments: an amount sent is counted once.
        if (obj == &op.output && op.input.is_object() && op.input.contains(field) && op.input[field] == *it) continue;
        ++observed;
        if (is_whole_money(*it)) continue;
        Violation x;
        x.invariant = v.invariant;
        x.kind = "inexact-money";
        x.explanation = "op " + std::to_string(op.id) + " (" + describe_whole_part(op, model, scale) + "): " +
                        inexact_explanation(field, *it, scale) +
                        (obj == &op.output ? " (the service's arithmetic is not exact: floating point?)"
                                           : " (the request carried it)");
        x.ops = {op.id};
        v.violations.push_back(std::move(x));
      }
    }
  }
  if (fields.empty() || observed == 0) {
    v.status = Status::Skipped;
    v.summary = fields.empty() ? "model '" + model.name() + "' has no money fields" : "no op carried an amount or balance";
  } else {
    v.status = v.violations.empty() ? Status::Pass : Status::Fail;
    v.summary = std::to_string(observed) + " amounts and balances, " +
                (v.violations.empty() ? "all whole " + money::minor_unit_name(scale)
                                      : std::to_string(v.violations.size()) + " not whole " +
                                            money::minor_unit_name(scale));
  }
  v.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return v;
}

std::vector<Operation> without_inexact_money(const std::vector<Operation>& ops, const Model& model) {
  const std::vector<std::string> fields = model.money_fields();
  std::vector<Operation> out = ops;
  for (Operation& op : out) {
    if (!op.output.is_object()) continue;
    bool removed = false;
    for (const std::string& field : fields) {
      const auto it = op.output.find(field);
      if (it == op.output.end() || is_whole_money(*it)) continue;
      // An input field keeps its value: the output repeats the arguments, and
      // an amount the request carried is what the service was asked to do.
      if (op.input.is_object() && op.input.contains(field) && op.input[field] == *it) continue;
      op.output.erase(it);
      removed = true;
    }
    const std::optional<OpKind> kind = model.operation(op.f);
    if (removed && op.outcome == Outcome::Ok && kind && !kind->writes) {
      op.outcome = Outcome::Info;
      op.output = nullptr;
      op.ret = kNever;
    }
  }
  return out;
}

}  // namespace racecheck
