#include "properties/money.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <unordered_set>

#include "properties/decimal_money.h"
#include "properties/model.h"
#include "properties/models.h"
#include "properties/op_fields.h"

namespace racecheck {
namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

std::string id_list(const std::vector<int>& ids, size_t max_shown = 12) {
  std::string s;
  for (size_t i = 0; i < ids.size() && i < max_shown; ++i) s += (i ? ", " : "") + std::to_string(ids[i]);
  if (ids.size() > max_shown) s += ", … (" + std::to_string(ids.size()) + " in all)";
  return s;
}

struct Account {
  std::optional<std::int64_t> initial;
  std::vector<int> opens;
  std::int64_t exact_delta = 0;              // sum of ok effects
  std::vector<std::pair<int, std::int64_t>> ok_effects;     // (op, signed amount)
  std::vector<std::pair<int, std::int64_t>> maybe_effects;  // info ops
  std::int64_t last_completion = std::numeric_limits<std::int64_t>::min();
  std::vector<std::pair<int, std::int64_t>> reads;  // (op, value)
};


// Distinct sums of subsets of `amounts`, or nullopt beyond `limit` sums.
// `ids` names the op of each amount, for an overflow message.
std::optional<std::vector<std::int64_t>> subset_sums(const std::vector<std::int64_t>& amounts,
                                                     const std::vector<int>& ids, size_t limit) {
  std::unordered_set<std::int64_t> sums{0};
  for (size_t i = 0; i < amounts.size(); ++i) {
    const std::int64_t a = amounts[i];
    std::vector<std::int64_t> added;
    for (std::int64_t s : sums) added.push_back(fields::checked_add(s, a, ids[i], "sum of indeterminate effects"));
    sums.insert(added.begin(), added.end());
    if (sums.size() > limit) return std::nullopt;
  }
  std::vector<std::int64_t> out(sums.begin(), sums.end());
  std::sort(out.begin(), out.end());
  return out;
}

// "2 withdrawals of 50" / "3 withdrawals totalling 120" / "1 deposit of 10".
std::string describe_effects(const std::vector<std::pair<int, std::int64_t>>& effects,
                             const std::vector<Operation>& ops, const Model& model, bool debits, int scale) {
  std::map<std::string, std::vector<std::int64_t>> by_f;
  std::map<std::string, int> first_op;
  for (auto [id, amount] : effects)
    if ((amount < 0) == debits && amount != 0) {
      by_f[ops[id].f].push_back(fields::checked_abs(amount, id, "amount"));
      first_op.emplace(ops[id].f, id);
    }
  std::string s;
  for (const auto& [f, amounts] : by_f) {
    if (!s.empty()) s += " and ";
    const std::optional<OpKind> kind = model.operation(f);
    s += std::to_string(amounts.size()) + " " + (kind ? kind->noun : f) + (amounts.size() > 1 ? "s" : "");
    // Compared with a copy: clang before 16 cannot capture a structured binding.
    const std::int64_t first = amounts[0];
    const bool same = std::all_of(amounts.begin(), amounts.end(), [first](auto a) { return a == first; });
    if (same) s += " of " + money::format_minor_units(amounts[0], scale);
    else {
      std::int64_t total = 0;
      for (auto a : amounts) total = fields::checked_add(total, a, first_op[f], "total of " + f);
      s += " totalling " + money::format_minor_units(total, scale);
    }
  }
  return s;
}

// Every resource's ledger, from the ops' ledger effects.
std::map<std::string, Account> tally(const std::vector<Operation>& ops, const Model& model) {
  std::map<std::string, Account> accounts;
  for (const auto& op : ops) {
    for (const LedgerEntry& e : model.ledger_effect(op)) {
      Account& a = accounts[e.resource];
      if (e.kind == LedgerEntry::Kind::Observe) {
        a.reads.emplace_back(op.id, e.amount);
        continue;
      }
      if (op.outcome != Outcome::Info) a.last_completion = std::max(a.last_completion, op.ret);
      if (op.outcome == Outcome::Fail) continue;
      if (e.kind == LedgerEntry::Kind::Set) {
        a.opens.push_back(op.id);
        a.initial = e.amount;
      } else if (op.outcome == Outcome::Ok) {
        a.exact_delta = fields::checked_add(a.exact_delta, e.amount, op.id, "sum of effects that succeeded");
        a.ok_effects.emplace_back(op.id, e.amount);
      } else {
        a.maybe_effects.emplace_back(op.id, e.amount);
      }
    }
  }
  return accounts;
}

// One resource settled: whether its final read is explained, and if not, the
// nearest value that would have been.
struct Settlement {
  enum class Result { Explained, NotChecked, Undecided, NotConserved };
  Result result = Result::NotChecked;
  std::string reason;  // NotChecked, Undecided: why
  int read_id = -1;    // the final read
  std::int64_t initial = 0;
  std::int64_t final_value = 0;
  std::int64_t expected = 0;  // the nearest explainable final value
  std::int64_t diff = 0;      // final_value - expected
};

// The final read: an ok read invoked after every determinate op on the resource completed.
std::optional<std::pair<int, std::int64_t>> final_read_of(const Account& a, const std::vector<Operation>& ops) {
  std::optional<std::pair<int, std::int64_t>> found;
  for (const auto& r : a.reads) {
    const std::int64_t call = ops[static_cast<std::size_t>(r.first)].call;
    if (call > a.last_completion && (!found || call >= ops[static_cast<std::size_t>(found->first)].call)) found = r;
  }
  return found;
}

// The arithmetic: does some subset of the indeterminate effects explain the final read?
Settlement settle(const Account& a, const std::vector<Operation>& ops, const ConservationOptions& options) {
  Settlement out;
  const auto final_read = final_read_of(a, ops);
  if (!final_read) {
    out.reason = "no read after the last op completed";
    return out;
  }
  if (a.opens.size() > 1) {
    out.reason = "opened more than once";
    return out;
  }
  out.read_id = final_read->first;
  out.initial = a.initial.value_or(0);
  out.final_value = final_read->second;
  const int read_id = out.read_id;
  // What the info ops must explain.
  const std::int64_t needed =
      fields::checked_sub(fields::checked_sub(out.final_value, out.initial, read_id, "final - initial"),
                          a.exact_delta, read_id, "final - initial - effects");
  std::vector<std::int64_t> maybe;
  std::vector<int> maybe_ids;
  for (auto [id, amount] : a.maybe_effects) {
    maybe.push_back(amount);
    maybe_ids.push_back(id);
  }
  const auto sums = subset_sums(maybe, maybe_ids, options.max_subset_sums);
  if (!sums) {
    out.result = Settlement::Result::Undecided;
    out.reason = "too many indeterminate ops to decide (" + std::to_string(maybe.size()) + ")";
    return out;
  }
  if (std::binary_search(sums->begin(), sums->end(), needed)) {
    out.result = Settlement::Result::Explained;
    return out;
  }
  // Not explainable: the nearest explainable final value says which way it broke.
  // Distances as unsigned: |s - needed| of two int64 values always fits in 64 bits.
  auto distance = [needed](std::int64_t v) {
    return v >= needed ? static_cast<std::uint64_t>(v) - static_cast<std::uint64_t>(needed)
                       : static_cast<std::uint64_t>(needed) - static_cast<std::uint64_t>(v);
  };
  std::int64_t nearest = sums->front();
  for (auto v : *sums)
    if (distance(v) < distance(nearest)) nearest = v;
  out.expected = fields::checked_add(fields::checked_add(out.initial, a.exact_delta, read_id, "expected"), nearest,
                                     read_id, "expected");
  out.diff = fields::checked_sub(out.final_value, out.expected, read_id, "final - expected");
  out.result = Settlement::Result::NotConserved;
  return out;
}

// The explanation of a resource that is not conserved, in the model's words.
Violation explain(const std::string& label, const Account& a, const Settlement& st, const std::vector<Operation>& ops,
                  const Model& model, const LedgerNouns& nouns, int scale) {
  auto amount_text = [scale](std::int64_t units) { return money::format_minor_units(units, scale); };
  Violation x;
  x.invariant = "conservation";
  for (int id : a.opens) x.ops.push_back(id);
  for (auto [id, amount] : a.ok_effects) x.ops.push_back(id);
  for (auto [id, amount] : a.maybe_effects) x.ops.push_back(id);
  x.ops.push_back(st.read_id);
  std::sort(x.ops.begin(), x.ops.end());
  x.ops.erase(std::unique(x.ops.begin(), x.ops.end()), x.ops.end());

  const int read_id = st.read_id;
  const std::string debits = describe_effects(a.ok_effects, ops, model, true, scale);
  const std::string credits = describe_effects(a.ok_effects, ops, model, false, scale);
  const std::int64_t change = fields::checked_sub(st.final_value, st.initial, read_id, "final - initial");
  const bool any_maybe = !a.maybe_effects.empty();
  std::string s = label + ": ";
  if (!debits.empty() && credits.empty() && !any_maybe) {
    s += debits + " succeeded from " + amount_text(st.initial) + " but the " + nouns.quantity + " " +
         (change <= 0 ? "fell by " + amount_text(fields::checked_neg(change, read_id, "change"))
                      : "rose by " + amount_text(change));
  } else {
    std::string what = debits.empty() ? credits : credits.empty() ? debits : credits + " and " + debits;
    if (what.empty()) what = "no op";
    s += "from " + amount_text(st.initial) + ", " + what + " succeeded";
    if (any_maybe)
      s += " and " + std::to_string(a.maybe_effects.size()) + " indeterminate op(s) may have taken effect";
    s += ", so the final " + nouns.quantity + " should be " +
         (any_maybe ? "at best " + amount_text(st.expected) : amount_text(st.expected)) +
         ", but the final read (op " + std::to_string(read_id) + ") shows " + amount_text(st.final_value);
  }
  // Say how many updates, when the debits are uniform.
  std::vector<std::int64_t> debit_amounts;
  for (auto [id, amount] : a.ok_effects)
    if (amount < 0) debit_amounts.push_back(fields::checked_neg(amount, id, "amount"));
  const bool uniform = !debit_amounts.empty() &&
                       std::all_of(debit_amounts.begin(), debit_amounts.end(),
                                   [&debit_amounts](auto d) { return d == debit_amounts[0]; });
  const std::int64_t magnitude = fields::checked_abs(st.diff, read_id, "final - expected");
  std::string count_text;
  if (uniform && magnitude % debit_amounts[0] == 0) {
    const std::int64_t n = magnitude / debit_amounts[0];
    count_text = n == 1 ? "one update" : std::to_string(n) + " updates";
  }
  // Which way it broke, in terms of the ops that succeeded: with only debits,
  // money appearing is a lost update and money vanishing a double charge; with
  // only credits it is the other way round; with both, either can explain it.
  const bool has_debits = !debits.empty(), has_credits = !credits.empty();
  auto updates = [&count_text](const char* singular_verb, const char* plural_verb) {
    return count_text + (count_text == "one update" ? singular_verb : plural_verb);
  };
  std::string cause;
  if (st.diff > 0) {
    if (has_debits && !has_credits)
      cause = count_text.empty() ? "a withdrawal's update was lost (lost update)" : updates(" was", " were") + " lost (lost update)";
    else if (has_credits && !has_debits)
      cause = "a deposit took effect more than once";
    else
      cause = "an update was lost (lost update)";
    s += ": " + amount_text(magnitude) + " appeared; " + cause;
  } else {
    if (has_debits && !has_credits)
      cause = count_text.empty() ? "a withdrawal took effect more than once (a double charge)"
                                 : updates(" was", " were") + " applied more than once (a double charge)";
    else if (has_credits && !has_debits)
      cause = "a deposit was lost (lost update)";
    else if (has_credits && has_debits)
      cause = "a deposit was lost (lost update) or a withdrawal took effect twice (double charge)";
    else
      cause = "no op that succeeded explains it";
    s += ": " + amount_text(magnitude) + " vanished; " + cause;
  }
  s += " (ops " + id_list(x.ops) + ")";
  x.explanation = std::move(s);
  // One kind for both directions: which way a lost update shows depends on which
  // ops remain (two deposits lose value, a deposit and a withdrawal may make it
  // appear), so the direction is no part of the bug's identity.
  x.kind = "not-conserved";
  return x;
}

}  // namespace

InvariantVerdict check_no_overdraft(const std::vector<Operation>& ops, int scale) {
  const auto started = std::chrono::steady_clock::now();
  InvariantVerdict v;
  v.invariant = "no-overdraft";
  int observations = 0;
  for (const auto& op : ops) {
    if (!op.output.is_object()) continue;
    for (const char* field : {"balance", "stock", "available"}) {
      auto it = op.output.find(field);
      if (it == op.output.end()) continue;
      // The sign of the decimal the value denotes, exactly: a drifted balance
      // recorded as text ("-0.00000000000000001") is negative too.
      const std::optional<std::string> text = money::decimal_text(*it);
      const std::optional<money::Decimal> amount = text ? money::parse_decimal(*text) : std::nullopt;
      if (!amount) continue;
      ++observations;
      if (!amount->negative || amount->digits.empty()) continue;
      Violation x;
      x.invariant = v.invariant;
      x.kind = "overdraft";
      x.explanation = "op " + std::to_string(op.id) + " (" + op.f + " " + op.input.dump() + " → " +
                      std::string(to_string(op.outcome)) + ") observed a negative " + field + " of " +
                      money::format_recorded(*it, scale) +
                      ": the service let it go below zero";
      x.ops = {op.id};
      v.violations.push_back(std::move(x));
    }
  }
  if (observations == 0) {
    v.status = Status::Skipped;
    v.summary = "no response or read carried a balance or stock";
  } else {
    v.status = v.violations.empty() ? Status::Pass : Status::Fail;
    v.summary = std::to_string(observations) + " observed balances/stocks, " +
                (v.violations.empty() ? std::string("none negative")
                                      : std::to_string(v.violations.size()) + " negative");
  }
  v.elapsed_ms = ms_since(started);
  return v;
}

InvariantVerdict check_conservation(const std::vector<Operation>& ops, const Model& model,
                                    const ConservationOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  InvariantVerdict v;
  v.invariant = "conservation";
  const std::optional<LedgerNouns> nouns = model.ledger();
  if (!nouns) {
    v.status = Status::Skipped;
    v.summary = "model '" + model.name() + "' has no ledger to conserve";
    return v;
  }
  int checked = 0;
  int unknown = 0;
  std::string unknown_reason;
  std::vector<std::string> skipped;
  for (const auto& [name, account] : tally(ops, model)) {
    const std::string label = name.empty() ? "the " + nouns->resource : nouns->resource + " '" + name + "'";
    const Settlement st = settle(account, ops, options);
    switch (st.result) {
      case Settlement::Result::NotChecked:
        skipped.push_back(label + ": " + st.reason);
        continue;
      case Settlement::Result::Undecided:
        ++checked;
        ++unknown;
        unknown_reason = label + ": " + st.reason;
        continue;
      case Settlement::Result::Explained:
        ++checked;
        continue;
      case Settlement::Result::NotConserved:
        ++checked;
        v.violations.push_back(explain(label, account, st, ops, model, *nouns, options.scale));
        continue;
    }
  }

  const std::string& resource = nouns->resource;
  if (checked == 0) {
    v.status = Status::Skipped;
    v.summary = "no " + resource + " has a final read" + (skipped.empty() ? std::string() : " (" + skipped.front() + ")");
  } else if (!v.violations.empty()) {
    v.status = Status::Fail;
    v.summary = std::to_string(v.violations.size()) + " of " + std::to_string(checked) + " " + resource +
                "(s) not conserved";
  } else if (unknown > 0) {
    v.status = Status::Unknown;
    v.summary = std::to_string(unknown) + " " + resource + "(s) undecided: " + unknown_reason;
  } else {
    v.status = Status::Pass;
    v.summary = std::to_string(checked) + " " + resource + "(s) conserved";
    if (!skipped.empty()) v.summary += "; not checked: " + skipped.front();
  }
  v.elapsed_ms = ms_since(started);
  return v;
}

InvariantVerdict check_conservation(const std::vector<Operation>& ops, std::string_view model,
                                    const ConservationOptions& options) {
  if (const Model* m = find_model(model)) return check_conservation(ops, *m, options);
  InvariantVerdict v;
  v.invariant = "conservation";
  v.status = Status::Skipped;
  v.summary = "model '" + std::string(model) + "' has no ledger to conserve";
  return v;
}

}  // namespace racecheck
