#include "properties/input_validation.h"

#include <algorithm>

namespace racecheck {
namespace {

constexpr std::size_t kShownBodyChars = 160;

std::string shown_value(const json& input, const std::string& argument) {
  if (!input.is_object() || !input.contains(argument)) return "(missing)";
  std::string text = input[argument].dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

// "balance rose by 50" from the model's ledger when it can read the op, else
// what the response says the quantity became ("balance now 150"): a model
// reads neither "50abc" nor a negative withdrawal.
std::string ledger_effect_text(const Operation& op, const Model& model) {
  const auto nouns = model.ledger();
  if (!nouns) return "";
  std::string out;
  try {
    for (const LedgerEntry& entry : model.ledger_effect(op)) {
      if (entry.kind != LedgerEntry::Kind::Delta || entry.amount == 0) continue;
      if (!out.empty()) out += ", ";
      const std::uint64_t magnitude = entry.amount < 0 ? 0 - static_cast<std::uint64_t>(entry.amount)
                                                       : static_cast<std::uint64_t>(entry.amount);
      out += nouns->quantity + (entry.amount > 0 ? " rose by " : " fell by ") + std::to_string(magnitude);
    }
  } catch (const std::exception&) {
    out.clear();
  }
  if (out.empty() && op.output.is_object() && op.output.contains(nouns->quantity))
    out = nouns->quantity + " now " + op.output[nouns->quantity].dump();
  return out;
}

std::string accepted_explanation(const Operation& op, const Model& model) {
  std::string what;
  for (const auto& item : op.invalid.items()) {
    what += what.empty() ? "" : " and ";
    what += item.key() + " " + shown_value(op.input, item.key()) + " (" + item.value().get<std::string>() + ")";
  }
  std::string text = op.f + " with " + what + " was accepted";
  if (op.status != 0) text += " (" + std::to_string(op.status) + ")";
  const std::string effect = ledger_effect_text(op, model);
  if (!effect.empty()) text += ": " + effect;
  if (!op.body.empty()) {
    std::string body = op.body.size() > kShownBodyChars ? op.body.substr(0, kShownBodyChars) + "..." : op.body;
    text += "; response " + escape_invalid_utf8(body);
  }
  return text;
}

}  // namespace

const std::vector<std::string>& default_invalid_input_errors() {
  static const std::vector<std::string> labels = {"bad-request", "invalid-input"};
  return labels;
}

InvariantVerdict check_input_validation(const std::vector<Operation>& ops, const Model& model,
                                        const std::vector<std::string>& invalid_input_errors) {
  InvariantVerdict v;
  v.invariant = "input-validation";
  int invalid = 0, refused = 0, accepted = 0, wrongly_refused = 0, readable = 0, read_accepted = 0;
  for (const Operation& op : ops) {
    if (!has_invalid_arguments(op) && has_read_as_arguments(op)) {
      // May be refused, or accepted and executed as its reading (the models judge that).
      ++readable;
      if (op.outcome == Outcome::Ok) ++read_accepted;
    } else if (has_invalid_arguments(op)) {
      ++invalid;
      if (op.outcome == Outcome::Fail) ++refused;
      if (op.outcome != Outcome::Ok) continue;
      ++accepted;
      Violation x;
      x.invariant = v.invariant;
      x.kind = "invalid-input-accepted";
      x.severity = Severity::Must;
      x.explanation = accepted_explanation(op, model);
      x.ops = {op.id};
      v.violations.push_back(std::move(x));
    } else if (op.outcome == Outcome::Fail &&
               std::find(invalid_input_errors.begin(), invalid_input_errors.end(), op.error) != invalid_input_errors.end()) {
      ++wrongly_refused;
      Violation x;
      x.invariant = v.invariant;
      x.kind = "valid-input-refused";
      x.severity = Severity::Should;
      x.explanation = op.f + " " + op.input.dump() + " is inside every argument's declared domain but was refused as " +
                      op.error + (op.status != 0 ? " (" + std::to_string(op.status) + ")" : "");
      x.ops = {op.id};
      v.violations.push_back(std::move(x));
    }
  }
  const std::string read_note =
      readable == 0 ? ""
                    : "; " + std::to_string(readable) + " hostile value(s) with an integer reading (\"50\", 0), " +
                          std::to_string(read_accepted) + " accepted and judged as that integer by the other invariants";
  if (invalid == 0 && wrongly_refused == 0) {
    v.status = Status::Pass;
    v.summary = readable == 0 ? "no hostile inputs sent" : "no invalid inputs sent" + read_note;
    return v;
  }
  if (accepted > 0) {
    v.status = Status::Fail;
    v.summary = std::to_string(accepted) + " of " + std::to_string(invalid) + " invalid request(s) accepted";
  } else {
    v.status = wrongly_refused > 0 ? Status::Warn : Status::Pass;
    v.summary = std::to_string(refused) + " of " + std::to_string(invalid) + " invalid request(s) refused, none accepted";
    if (wrongly_refused > 0) v.summary += "; " + std::to_string(wrongly_refused) + " valid request(s) refused as invalid";
  }
  v.summary += read_note;
  return v;
}

}  // namespace racecheck
