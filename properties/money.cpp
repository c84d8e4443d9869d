#include "properties/money.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <unordered_set>

#include "properties/model.h"
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

// What an op does to the ledger of one account (or item).
struct LedgerEntry {
  enum class Kind { Set, Delta, Observe } kind;
  std::string resource;
  std::int64_t amount = 0;  // Set: the value; Delta: signed change; Observe: the value read
};

struct LedgerNouns {
  const char* resource;  // "account" / "item"
  const char* quantity;  // "balance" / "stock"
};

LedgerNouns nouns_of(std::string_view model) {
  if (model == "inventory") return {"item", "stock"};
  return {"account", "balance"};
}

std::string noun_of_op(const std::string& f) {
  if (f == "withdraw") return "withdrawal";
  if (f == "reserve") return "reservation";
  if (f == "stock") return "restock";
  return f;
}

std::vector<LedgerEntry> ledger_of(const Operation& op, std::string_view model) {
  using K = LedgerEntry::Kind;
  std::vector<LedgerEntry> out;
  if (model == "account") {
    if (op.f == "open") out.push_back({K::Set, fields::name_arg(op, "account"), fields::required_int(op, op.input, "balance")});
    else if (op.f == "deposit") out.push_back({K::Delta, fields::name_arg(op, "account"), fields::required_amount(op, "amount")});
    else if (op.f == "withdraw") out.push_back({K::Delta, fields::name_arg(op, "account"), -fields::required_amount(op, "amount")});
    else if (op.f == "transfer") {
      const std::int64_t a = fields::required_amount(op, "amount");
      out.push_back({K::Delta, fields::name_arg(op, "from"), -a});
      out.push_back({K::Delta, fields::name_arg(op, "to"), a});
    } else if (op.f == "read" && op.outcome == Outcome::Ok)
      out.push_back({K::Observe, fields::name_arg(op, "account"), fields::required_int(op, op.output, "balance")});
  } else if (model == "inventory") {
    const std::string item = fields::resource_arg(op, "item");
    if (op.f == "open")
      out.push_back({K::Set, item, fields::required_int(op, op.input, "balance")});
    else if (op.f == "stock" || op.f == "release")
      out.push_back({K::Delta, item, fields::required_amount(op, "quantity")});
    else if (op.f == "reserve")
      out.push_back({K::Delta, item, -fields::required_amount(op, "quantity")});
    else if (op.f == "read" && op.outcome == Outcome::Ok)
      out.push_back({K::Observe, item, fields::required_int(op, op.output, "stock")});
  }
  return out;
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
                             const std::vector<Operation>& ops, bool debits) {
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
    s += std::to_string(amounts.size()) + " " + noun_of_op(f) + (amounts.size() > 1 ? "s" : "");
    // Compared with a copy: clang before 16 cannot capture a structured binding.
    const std::int64_t first = amounts[0];
    const bool same = std::all_of(amounts.begin(), amounts.end(), [first](auto a) { return a == first; });
    if (same) s += " of " + std::to_string(amounts[0]);
    else {
      std::int64_t total = 0;
      for (auto a : amounts) total = fields::checked_add(total, a, first_op[f], "total of " + f);
      s += " totalling " + std::to_string(total);
    }
  }
  return s;
}

}  // namespace

InvariantVerdict check_no_overdraft(const std::vector<Operation>& ops) {
  const auto started = std::chrono::steady_clock::now();
  InvariantVerdict v;
  v.invariant = "no-overdraft";
  int observations = 0;
  for (const auto& op : ops) {
    if (!op.output.is_object()) continue;
    for (const char* field : {"balance", "stock", "available"}) {
      auto it = op.output.find(field);
      if (it == op.output.end() || !it->is_number()) continue;
      ++observations;
      if (it->get<double>() >= 0) continue;
      Violation x;
      x.invariant = v.invariant;
      x.kind = "overdraft";
      x.explanation = "op " + std::to_string(op.id) + " (" + op.f + " " + op.input.dump() + " → " +
                      std::string(to_string(op.outcome)) + ") observed a negative " + field + " of " +
                      it->dump() + ": the service let it go below zero";
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

bool has_ledger(std::string_view model) { return model == "account" || model == "inventory"; }

InvariantVerdict check_conservation(const std::vector<Operation>& ops, std::string_view model,
                                    const ConservationOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  InvariantVerdict v;
  v.invariant = "conservation";
  if (!has_ledger(model)) {
    v.status = Status::Skipped;
    v.summary = "model '" + std::string(model) + "' has no ledger to conserve";
    return v;
  }
  const LedgerNouns nouns = nouns_of(model);

  std::map<std::string, Account> accounts;
  for (const auto& op : ops) {
    for (const LedgerEntry& e : ledger_of(op, model)) {
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

  int checked = 0;
  int unknown = 0;
  std::string unknown_reason;
  std::vector<std::string> skipped;
  for (const auto& [name, a] : accounts) {
    const std::string label = name.empty() ? std::string("the ") + nouns.resource
                                           : std::string(nouns.resource) + " '" + name + "'";
    // The final read: after every determinate op on the account completed.
    std::optional<std::pair<int, std::int64_t>> final_read;
    for (const auto& r : a.reads)
      if (ops[r.first].call > a.last_completion && (!final_read || ops[r.first].call >= ops[final_read->first].call))
        final_read = r;
    if (!final_read) {
      skipped.push_back(label + ": no read after the last op completed");
      continue;
    }
    if (a.opens.size() > 1) {
      skipped.push_back(label + ": opened more than once");
      continue;
    }
    ++checked;
    const std::int64_t initial = a.initial.value_or(0);
    const std::int64_t final_value = final_read->second;
    const int read_id = final_read->first;
    // What the info ops must explain.
    const std::int64_t needed =
        fields::checked_sub(fields::checked_sub(final_value, initial, read_id, "final - initial"), a.exact_delta,
                            read_id, "final - initial - effects");
    std::vector<std::int64_t> maybe;
    std::vector<int> maybe_ids;
    for (auto [id, amount] : a.maybe_effects) {
      maybe.push_back(amount);
      maybe_ids.push_back(id);
    }
    const auto sums = subset_sums(maybe, maybe_ids, options.max_subset_sums);
    if (!sums) {
      ++unknown;
      unknown_reason = (label + ": too many indeterminate ops to decide (" + std::to_string(maybe.size()) + ")");
      continue;
    }
    if (std::binary_search(sums->begin(), sums->end(), needed)) continue;

    // Not explainable: which way did it break? The nearest explainable final value.
    // Distances as unsigned: |s - needed| of two int64 values always fits in 64 bits.
    auto distance = [needed](std::int64_t s) {
      return s >= needed ? static_cast<std::uint64_t>(s) - static_cast<std::uint64_t>(needed)
                         : static_cast<std::uint64_t>(needed) - static_cast<std::uint64_t>(s);
    };
    std::int64_t nearest = sums->front();
    for (auto s : *sums)
      if (distance(s) < distance(nearest)) nearest = s;
    const std::int64_t expected = fields::checked_add(fields::checked_add(initial, a.exact_delta, read_id, "expected"),
                                                      nearest, read_id, "expected");
    const std::int64_t diff = fields::checked_sub(final_value, expected, read_id, "final - expected");

    Violation x;
    x.invariant = v.invariant;
    for (int id : a.opens) x.ops.push_back(id);
    for (auto [id, _] : a.ok_effects) x.ops.push_back(id);
    for (auto [id, _] : a.maybe_effects) x.ops.push_back(id);
    x.ops.push_back(final_read->first);
    std::sort(x.ops.begin(), x.ops.end());
    x.ops.erase(std::unique(x.ops.begin(), x.ops.end()), x.ops.end());

    const std::string debits = describe_effects(a.ok_effects, ops, true);
    const std::string credits = describe_effects(a.ok_effects, ops, false);
    const std::int64_t change = fields::checked_sub(final_value, initial, read_id, "final - initial");
    std::string s = label + ": ";
    if (!debits.empty() && credits.empty() && maybe.empty()) {
      s += debits + " succeeded from " + std::to_string(initial) + " but the " + nouns.quantity + " " +
           (change <= 0 ? "fell by " + std::to_string(fields::checked_neg(change, read_id, "change"))
                        : "rose by " + std::to_string(change));
    } else {
      std::string what = debits.empty() ? credits : credits.empty() ? debits : credits + " and " + debits;
      if (what.empty()) what = "no op";
      s += "from " + std::to_string(initial) + ", " + what + " succeeded";
      if (!maybe.empty())
        s += " and " + std::to_string(maybe.size()) + " indeterminate op(s) may have taken effect";
      s += ", so the final " + std::string(nouns.quantity) + " should be " +
           (maybe.empty() ? std::to_string(expected) : "at best " + std::to_string(expected)) +
           ", but the final read (op " + std::to_string(final_read->first) + ") shows " + std::to_string(final_value);
    }
    // Say how many updates, when the debits are uniform.
    std::vector<std::int64_t> debit_amounts;
    for (auto [id, amount] : a.ok_effects)
      if (amount < 0) debit_amounts.push_back(fields::checked_neg(amount, id, "amount"));
    const bool uniform = !debit_amounts.empty() &&
                         std::all_of(debit_amounts.begin(), debit_amounts.end(),
                                     [&](auto d) { return d == debit_amounts[0]; });
    const std::int64_t magnitude = fields::checked_abs(diff, read_id, "final - expected");
    std::string count_text;
    if (uniform && magnitude % debit_amounts[0] == 0) {
      const std::int64_t n = magnitude / debit_amounts[0];
      count_text = n == 1 ? "one update" : std::to_string(n) + " updates";
    }
    // Which way it broke, in terms of the ops that succeeded: with only debits,
    // money appearing is a lost update and money vanishing a double charge; with
    // only credits it is the other way round; with both, either can explain it.
    const bool has_debits = !debits.empty(), has_credits = !credits.empty();
    auto updates = [&](const char* singular_verb, const char* plural_verb) {
      return count_text + (count_text == "one update" ? singular_verb : plural_verb);
    };
    std::string cause;
    if (diff > 0) {
      if (has_debits && !has_credits)
        cause = count_text.empty() ? "a withdrawal's update was lost (lost update)" : updates(" was", " were") + " lost (lost update)";
      else if (has_credits && !has_debits)
        cause = "a deposit took effect more than once";
      else
        cause = "an update was lost (lost update)";
      s += ": " + std::to_string(magnitude) + " appeared; " + cause;
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
      s += ": " + std::to_string(magnitude) + " vanished; " + cause;
    }
    s += " (ops " + id_list(x.ops) + ")";
    x.explanation = std::move(s);
    // One kind for both directions: which way a lost update shows depends on which
    // ops remain (two deposits lose value, a deposit and a withdrawal may make it
    // appear), so the direction is no part of the bug's identity.
    x.kind = "not-conserved";
    v.violations.push_back(std::move(x));
  }

  if (checked == 0) {
    v.status = Status::Skipped;
    v.summary = "no " + std::string(nouns.resource) + " has a final read" +
                (skipped.empty() ? std::string() : " (" + skipped.front() + ")");
  } else if (!v.violations.empty()) {
    v.status = Status::Fail;
    v.summary = std::to_string(v.violations.size()) + " of " + std::to_string(checked) + " " + nouns.resource +
                "(s) not conserved";
  } else if (unknown > 0) {
    v.status = Status::Unknown;
    v.summary = std::to_string(unknown) + " " + nouns.resource + "(s) undecided: " + unknown_reason;
  } else {
    v.status = Status::Pass;
    v.summary = std::to_string(checked) + " " + nouns.resource + "(s) conserved";
    if (!skipped.empty()) v.summary += "; not checked: " + skipped.front();
  }
  v.elapsed_ms = ms_since(started);
  return v;
}

}  // namespace racecheck
