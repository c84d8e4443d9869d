#include "properties/invariants.h"

#include "properties/exact_money.h"
#include "properties/idempotency.h"
#include "properties/input_validation.h"
#include "properties/linearizability.h"
#include "properties/money.h"
#include "properties/properties.h"

namespace racecheck {
namespace {

InvariantVerdict no_overdraft(const InvariantInput& in) {
  return check_no_overdraft(in.ops, in.model.money_fields().empty() ? 0 : in.options.money_scale);
}

InvariantVerdict exact_money(const InvariantInput& in) {
  return check_exact_money(in.ops, in.model, in.options.money_scale);
}

InvariantVerdict conservation(const InvariantInput& in) {
  ConservationOptions co;
  co.scale = in.model.money_fields().empty() ? 0 : in.options.money_scale;
  return check_conservation(in.logical, in.model, co);
}

InvariantVerdict idempotency(const InvariantInput& in) {
  IdempotencyOptions io;
  io.volatile_fields = in.options.volatile_fields;
  io.not_executed_errors = in.options.not_executed_errors;
  io.replay_refusals = in.options.replay_refusals;
  return check_idempotency(in.ops, io);
}

InvariantVerdict linearizability(const InvariantInput& in) {
  LinearizabilityOptions lo;
  lo.budget_ms = in.options.budget_ms;
  return check_linearizability(in.model, in.logical, lo);
}

InvariantVerdict input_validation(const InvariantInput& in) {
  return check_input_validation(in.ops, in.model, in.options.invalid_input_errors);
}

}  // namespace

const std::vector<Invariant>& all_invariants() {
  static const std::vector<Invariant> registry = {
      {"no-overdraft", "no balance, stock or available amount in any response is negative",
       "no balance or stock went negative", true, false, false, no_overdraft},
      {"conservation",
       "each account's (item's) final read equals its initial value plus the effects that took place",
       "every final value explained", true, true, false, conservation},
      {"idempotency", "every completed response to one idempotency key is the same response",
       "every key answered consistently", false, false, false, idempotency},
      {"linearizability", "some order of the operations consistent with real time explains every result",
       "all linearizable", false, true, false, linearizability},
      {"exact-money", "every amount and balance is a whole number of minor units at the money scale",
       "every amount and balance exact", true, false, false, exact_money},
      {"input-validation",
       "every request with an argument invalid under its domain was refused (and changed nothing)",
       "every invalid input refused", false, false, true, input_validation},
  };
  return registry;
}

const Invariant* find_invariant(std::string_view name) {
  for (const Invariant& i : all_invariants())
    if (name == i.name) return &i;
  return nullptr;
}

const std::vector<std::string>& invariant_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const Invariant& i : all_invariants()) out.emplace_back(i.name);
    return out;
  }();
  return names;
}

}  // namespace racecheck
