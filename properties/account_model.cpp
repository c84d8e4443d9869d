#include "properties/account_model.h"

#include <bit>
#include <map>
#include <numeric>
#include <unordered_map>

#include "properties/decimal_money.h"
#include "properties/model_kit.h"
#include "properties/op_fields.h"

namespace racecheck {
namespace {

enum class Kind : std::uint8_t { Open, Deposit, Withdraw, Transfer, Read };

// How the observed completion constrains the model.
enum class Observed : std::uint8_t {
  Applied,          // ok: the op took effect; its outputs must match
  Refused,          // business refusal: must be justified, no effect
  NoEffect,         // fail for another reason (busy, key-in-flight): no effect, any state
  Unknown,          // info: applies with the model's semantics (taking effect "never" = placed last)
};

struct AccountOp {
  int id = -1;               // Operation::id, for overflow messages
  Kind kind = Kind::Read;
  Observed observed = Observed::Unknown;
  std::string account;       // open/deposit/withdraw/read; transfer: from
  std::string to;            // transfer only
  std::int64_t amount = 0;   // open: the balance it sets
  std::optional<std::int64_t> balance;  // observed balance after the op (read: the read value)
};

Kind kind_of(const Operation& op) {
  if (op.f == "open") return Kind::Open;
  if (op.f == "deposit") return Kind::Deposit;
  if (op.f == "withdraw") return Kind::Withdraw;
  if (op.f == "transfer") return Kind::Transfer;
  if (op.f == "read") return Kind::Read;
  throw ModelInputError(op.id, "f", "unknown account operation '" + op.f +
                                        "' (expected open, deposit, withdraw, transfer or read)");
}

AccountOp decode(const Operation& op) {
  AccountOp a;
  a.id = op.id;
  a.kind = kind_of(op);
  switch (a.kind) {
    case Kind::Open:
      a.account = fields::name_arg(op, "account");
      a.amount = fields::required_int(op, op.input, "balance");
      break;
    case Kind::Deposit:
    case Kind::Withdraw:
      a.account = fields::name_arg(op, "account");
      a.amount = fields::required_amount(op, "amount");
      break;
    case Kind::Transfer:
      a.account = fields::name_arg(op, "from");
      a.to = fields::name_arg(op, "to");
      a.amount = fields::required_amount(op, "amount");
      break;
    case Kind::Read:
      a.account = fields::name_arg(op, "account");
      break;
  }
  switch (op.outcome) {
    case Outcome::Ok:
      a.observed = Observed::Applied;
      if (a.kind != Kind::Open && a.kind != Kind::Transfer)
        a.balance = fields::optional_int(op, op.output, "balance");
      if (a.kind == Kind::Read && !a.balance)
        throw ModelInputError(op.id, "balance", "an ok read must return the balance in its output");
      break;
    case Outcome::Fail:
      a.observed = (a.kind == Kind::Withdraw || a.kind == Kind::Transfer) &&
                           fields::is_business_refusal(op.error, {"insufficient-funds"})
                       ? Observed::Refused
                       : Observed::NoEffect;
      break;
    case Outcome::Info:
      a.observed = Observed::Unknown;
      break;
  }
  return a;
}

std::vector<std::string> accounts_of(const AccountOp& a) {
  if (a.kind == Kind::Transfer) return {a.account, a.to};
  return {a.account};
}

class AccountSpec final : public SequentialSpec {
 public:
  AccountSpec(const std::vector<Operation>& ops, const std::vector<int>& subset) : decoded_(ops.size()) {
    for (int id : subset) {
      AccountOp a = decode(ops.at(id));
      for (const auto& name : accounts_of(a))
        if (!slot_.count(name)) {
          slot_[name] = static_cast<int>(names_.size());
          names_.push_back(name);
        }
      decoded_[id] = std::move(a);
    }
    if (names_.empty()) names_.push_back("");
    interned_.push_back(std::vector<std::int64_t>(names_.size(), 0));
    ids_[interned_.back()] = 0;
  }

  // One account: the balance is the state. Several: an interned balance vector.
  State init() override { return single() ? encode(0) : 0; }

  bool step(State s, int op_id, State* next) override {
    const AccountOp& a = decoded_[op_id];
    std::vector<std::int64_t> bal = balances(s);
    const int i = slot_.at(a.account);
    bool allowed = true;
    switch (a.kind) {
      case Kind::Open:
        if (a.observed == Observed::Applied || a.observed == Observed::Unknown) bal[i] = a.amount;
        break;
      case Kind::Deposit:
        if (a.observed == Observed::Applied || a.observed == Observed::Unknown)
          bal[i] = fields::checked_add(bal[i], a.amount, a.id, "deposit: balance + amount");
        if (a.observed == Observed::Applied && a.balance && *a.balance != bal[i]) allowed = false;
        break;
      case Kind::Withdraw:
        allowed = apply_debit(a, bal, i, -1);
        break;
      case Kind::Transfer:
        allowed = apply_debit(a, bal, i, slot_.at(a.to));
        break;
      case Kind::Read:
        if (a.observed == Observed::Applied && *a.balance != bal[i]) allowed = false;
        break;
    }
    if (!allowed) return false;
    *next = single() ? encode(bal[0]) : intern(std::move(bal));
    return true;
  }

  std::string describe_state(State s) const override {
    const auto bal = balances(s);
    if (single()) return "balance " + std::to_string(bal[0]);
    std::string out;
    for (size_t i = 0; i < bal.size(); ++i) {
      if (i) out += ", ";
      out += (names_[i].empty() ? std::string("(default)") : names_[i]) + ": " + std::to_string(bal[i]);
    }
    return out;
  }

 private:
  bool single() const { return names_.size() == 1; }
  static State encode(std::int64_t b) { return std::bit_cast<State>(b); }

  std::vector<std::int64_t> balances(State s) const {
    if (single()) return {std::bit_cast<std::int64_t>(s)};
    return interned_.at(s);
  }

  State intern(std::vector<std::int64_t> bal) {
    auto [it, inserted] = ids_.try_emplace(bal, interned_.size());
    if (inserted) interned_.push_back(std::move(bal));
    return it->second;
  }

  // Withdraw (credit_slot < 0) or transfer: the debit needs funds.
  static bool apply_debit(const AccountOp& a, std::vector<std::int64_t>& bal, int i, int credit_slot) {
    const bool funded = bal[i] >= a.amount;
    switch (a.observed) {
      case Observed::Applied:
        if (!funded) return false;
        break;
      case Observed::Refused:
        return !funded;  // an unjustified refusal is a violation
      case Observed::NoEffect:
        return true;
      case Observed::Unknown:
        if (!funded) return true;  // the service would refuse it: no effect
        break;
    }
    bal[i] = fields::checked_sub(bal[i], a.amount, a.id, "withdrawal: balance - amount");
    if (credit_slot >= 0)
      bal[credit_slot] = fields::checked_add(bal[credit_slot], a.amount, a.id, "transfer: balance + amount");
    if (a.observed == Observed::Applied && a.balance && *a.balance != bal[i]) return false;
    return true;
  }

  std::vector<AccountOp> decoded_;
  std::unordered_map<std::string, int> slot_;
  std::vector<std::string> names_;
  std::vector<std::vector<std::int64_t>> interned_;
  std::map<std::vector<std::int64_t>, State> ids_;
};

class AccountModel final : public LedgerModel<AccountSpec> {
 public:
  AccountModel()
      : LedgerModel<AccountSpec>("account", {{"open", true, "opening"}, {"deposit", true, "deposit"},
                    {"withdraw", true, "withdrawal"}, {"transfer", true, "transfer"}, {"read", false, "read"}},
                    {"account", "balance"}) {}

  std::vector<std::vector<int>> partition(const std::vector<Operation>& ops) const override {
    // Union-find over account names: a transfer joins its two accounts.
    std::unordered_map<std::string, std::string> parent;
    auto find = [&](std::string x) {
      if (!parent.count(x)) parent[x] = x;
      while (parent[x] != x) x = parent[x] = parent[parent[x]];
      return x;
    };
    std::vector<std::vector<std::string>> touched(ops.size());
    for (const auto& op : ops) {
      touched[op.id] = accounts_of(decode(op));
      const std::string root = find(touched[op.id][0]);
      for (const auto& name : touched[op.id]) parent[find(name)] = root;
    }
    std::map<std::string, std::vector<int>> groups;
    for (const auto& op : ops) groups[find(touched[op.id][0])].push_back(op.id);
    std::vector<std::vector<int>> out;
    for (auto& [_, ids] : groups) out.push_back(std::move(ids));
    return out;
  }

  std::string describe_op(const Operation& op) const override { return describe_op_at_scale(op, 0); }

  std::string describe_op_at_scale(const Operation& op, int scale) const override {
    return describe_or_generic(op, [&] {
      const AccountOp a = decode(op);
      auto amount_text = [scale](std::int64_t units) { return money::format_minor_units(units, scale); };
      auto acct = [](const std::string& n) { return n.empty() ? std::string() : " " + n; };
      std::string s;
      switch (a.kind) {
        case Kind::Open: s = "open" + acct(a.account) + " with " + amount_text(a.amount); break;
        case Kind::Deposit: s = "deposit " + amount_text(a.amount) + (a.account.empty() ? "" : " to " + a.account); break;
        case Kind::Withdraw: s = "withdraw " + amount_text(a.amount) + (a.account.empty() ? "" : " from " + a.account); break;
        case Kind::Transfer: s = "transfer " + amount_text(a.amount) + " from " + a.account + " to " + a.to; break;
        case Kind::Read: s = "read" + acct(a.account); break;
      }
      const bool shows_balance = op.outcome == Outcome::Ok && a.balance;
      return s + outcome_text(op, shows_balance ? "balance " + amount_text(*a.balance) : "");
    });
  }

  std::vector<std::string> money_fields() const override { return {"amount", "balance"}; }

  std::vector<LedgerEntry> effect_of_known_op(const Operation& op) const override {
    using K = LedgerEntry::Kind;
    const AccountOp a = decode(op);
    switch (a.kind) {
      case Kind::Open: return {{K::Set, a.account, a.amount}};
      case Kind::Deposit: return {{K::Delta, a.account, a.amount}};
      case Kind::Withdraw: return {{K::Delta, a.account, -a.amount}};
      case Kind::Transfer: return {{K::Delta, a.account, -a.amount}, {K::Delta, a.to, a.amount}};
      case Kind::Read:
        if (op.outcome == Outcome::Ok) return {{K::Observe, a.account, *a.balance}};
        return {};
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<Model> make_account_model() { return std::make_unique<AccountModel>(); }

}  // namespace racecheck
