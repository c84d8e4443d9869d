#include "harness/generator_settings.h"

#include <algorithm>
#include <cmath>

#include "properties/models.h"

namespace racecheck {
namespace {

int per_mille(double weight, double total) {
  return total > 0 ? static_cast<int>(std::lround(1000.0 * weight / total)) : 0;
}

IntRange to_int_range(const Range& r) { return {static_cast<int>(r.lo), static_cast<int>(r.hi)}; }

KeyPolicy key_policy_from_name(const std::string& n) {
  if (n == "none") return KeyPolicy::None;
  if (n == "concurrent-duplicate") return KeyPolicy::ConcurrentDuplicate;
  if (n == "sequential-replay") return KeyPolicy::SequentialReplay;
  if (n == "different-payload") return KeyPolicy::DifferentPayload;
  return KeyPolicy::Fresh;  // the spec loader admits only key_policy_names()
}

// A declared argument's domain (spec "arguments"); an undeclared one is an
// integer from generator.amount, or a name from a small pool.
ArgDomain argument_domain(const Spec& spec, const std::string& name) {
  ArgDomain d;
  for (const auto& [declared, a] : spec.arguments) {
    if (declared != name) continue;
    d.range = {a.min, a.max};
    d.length = {static_cast<int>(a.length.lo), static_cast<int>(a.length.hi)};
    d.scale = a.scale;
    switch (a.type) {
      case ArgumentType::Integer: d.kind = ArgKind::Integer; break;
      case ArgumentType::String: d.kind = ArgKind::String; break;
      case ArgumentType::Uuid: d.kind = ArgKind::Uuid; break;
      case ArgumentType::Bytes: d.kind = ArgKind::Bytes; break;
      case ArgumentType::Decimal: d.kind = ArgKind::Decimal; break;
    }
    for (const auto& choice : a.choices) d.choices.push_back(choice);
    return d;
  }
  if (is_name_argument(name)) {
    d.choices = {"alice", "bob", "carol"};
  } else {
    d.range = {spec.generator.amount.lo, spec.generator.amount.hi};
  }
  return d;
}

// The arguments that may carry hostile values (docs/spec.md, "Hostile values"):
// integer arguments sent as a whole JSON value in the body of a one-request
// operation the spec lists, or by default one the model writes with when it
// keeps a ledger (a money operation).
void set_hostile_arguments(const Spec& spec, GeneratorSettings& s) {
  const HostileSpec& h = spec.generator.hostile;
  const Model* model = find_model(spec.model);
  const bool money_model = model != nullptr && model->ledger().has_value();
  if (!h.enabled.value_or(money_model)) return;
  s.hostile_percent = static_cast<int>(std::lround(100.0 * h.probability));
  s.hostile_extra = h.values;
  for (const auto& op : spec.operations) {
    if (!op.steps.empty() || !op.request.body) continue;
    bool eligible = false;
    if (!h.operations.empty()) {
      eligible = std::find(h.operations.begin(), h.operations.end(), op.name) != h.operations.end();
    } else if (model != nullptr && money_model) {
      const std::optional<OpKind> kind = model->operation(op.model_op);
      eligible = kind.has_value() && kind->writes;
    }
    if (!eligible) continue;
    for (const auto& a : op.args) {
      if (a == "account" || a == "key" || !holds_whole_placeholder(*op.request.body, a)) continue;
      auto d = s.arguments.find(a);
      if (d == s.arguments.end() || d->second.kind != ArgKind::Integer || !d->second.choices.empty()) continue;
      const bool declared = std::any_of(spec.arguments.begin(), spec.arguments.end(),
                                        [&a](const auto& entry) { return entry.first == a; });
      // An undeclared argument's valid domain is generator.amount's range, a
      // guess: outside it only what is wrong under any reading is invalid.
      s.hostile_arguments[op.name][a] = IntegerDomain{d->second.range.lo, d->second.range.hi, declared};
    }
  }
}

}  // namespace

GeneratorSettings generator_settings_from_spec(const Spec& spec) {
  const GeneratorSpec& g = spec.generator;
  GeneratorSettings s;
  s.clients = to_int_range(g.clients);
  s.ops_per_client = to_int_range(g.ops_per_client);
  s.accounts = static_cast<int>(std::max<std::int64_t>(1, g.accounts.hi));
  s.implicit_account = has_ledger(spec.model) && s.accounts == 1 && spec.accounts.count == 1;

  double total = 0;
  for (const auto& [f, w] : g.op_mix) total += w;
  for (const auto& [f, w] : g.op_mix)
    if (int pm = per_mille(w, total); pm > 0) s.op_mix.emplace_back(f, pm);
  if (s.op_mix.empty()) {
    // No mix given: every operation, equally; for a ledger model not the final
    // read, since conservation judges the balances it reads at the end.
    const bool ledger = has_ledger(spec.model);
    for (const auto& op : spec.operations)
      if (!ledger || op.name != spec.final_read || spec.operations.size() == 1) s.op_mix.emplace_back(op.name, 1);
  }

  for (const auto& op : spec.operations) {
    s.op_arguments[op.name] = op.args;
    // The spec says which operations take keys (by default: not GET, HEAD or
    // OPTIONS, which are idempotent by HTTP semantics).
    if (op.idempotency == Idempotency::None) s.keyless_operations.push_back(op.name);
    if (op.idempotency == Idempotency::Required) s.keyed_operations.push_back(op.name);
    for (const auto& a : op.args) {
      if (a == "account" || a == "key" || s.arguments.count(a)) continue;
      s.arguments[a] = argument_domain(spec, a);
    }
  }

  double ktotal = 0;
  for (const auto& [p, w] : g.key_policy) ktotal += w;
  s.key_policy_weights.clear();
  for (const auto& [p, w] : g.key_policy) s.key_policy_weights[key_policy_from_name(p)] += per_mille(w, ktotal);
  if (s.key_policy_weights.empty()) s.key_policy_weights[KeyPolicy::Fresh] = 1;

  s.max_attempts = std::max(1, g.retry_max_attempts);
  s.lost_response_percent = static_cast<int>(std::lround(100.0 * g.lost_response_probability));
  const double rel = g.burst_weight + g.staggered_weight;
  s.staggered_percent = rel > 0 ? static_cast<int>(std::lround(100.0 * g.staggered_weight / rel)) : 0;
  s.max_stagger_us = static_cast<int>(g.stagger_us.hi);
  set_hostile_arguments(spec, s);
  return s;
}

}  // namespace racecheck
