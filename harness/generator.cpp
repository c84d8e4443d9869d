#include "harness/generator.h"

#include <algorithm>
#include <stdexcept>

namespace racecheck {
namespace {

// A weighted choice that shrinks toward the first entry (an index into the
// cumulative weights; RapidCheck shrinks integers toward the lower bound).
template <typename T>
rc::Gen<T> weighted_choice(std::vector<std::pair<int, T>> entries) {
  int total = 0;
  for (const auto& e : entries) total += std::max(0, e.first);
  if (total == 0) return rc::gen::just(entries.front().second);
  return rc::gen::map(rc::gen::inRange(0, total), [entries](int x) {
    for (const auto& [w, v] : entries) {
      if (x < std::max(0, w)) return v;
      x -= std::max(0, w);
    }
    return entries.back().second;
  });
}

rc::Gen<json> gen_argument(const ArgDomain& d) {
  if (!d.choices.empty()) return rc::gen::elementOf(d.choices);
  return rc::gen::map(rc::gen::inRange(d.range.lo, d.range.hi + 1), [](int v) { return json(v); });
}

rc::Gen<OpPlan> gen_op(const GeneratorSettings& s) {
  std::vector<std::pair<int, std::string>> mix;
  for (const auto& [f, w] : s.op_mix) mix.emplace_back(w, f);
  std::vector<std::pair<int, KeyPolicy>> policies;
  for (const auto& [p, w] : s.key_policy_weights)
    if (w > 0) policies.emplace_back(w, p);
  if (policies.empty()) policies.emplace_back(1, KeyPolicy::None);

  return rc::gen::mapcat(weighted_choice(mix), [s, policies](const std::string& f) {
    // Arguments of this op, each from its domain; "account" from the account count.
    std::vector<std::string> names;
    if (auto it = s.op_arguments.find(f); it != s.op_arguments.end()) names = it->second;
    std::vector<rc::Gen<json>> arg_gens;
    for (const auto& n : names) {
      if (n == "account") {
        arg_gens.push_back(rc::gen::map(rc::gen::inRange(0, std::max(1, s.accounts)),
                                        [](int v) { return json(v); }));
      } else if (auto d = s.arguments.find(n); d != s.arguments.end()) {
        arg_gens.push_back(gen_argument(d->second));
      } else {
        arg_gens.push_back(rc::gen::just(json(1)));
      }
    }
    auto args = rc::gen::exec([names, arg_gens] {
      json a = json::object();
      for (std::size_t i = 0; i < names.size(); ++i) a[names[i]] = *arg_gens[i];
      return a;
    });
    const bool keyless = std::find(s.keyless_operations.begin(), s.keyless_operations.end(), f) !=
                         s.keyless_operations.end();
    // false first: RapidCheck shrinks a weighted choice toward the first element.
    const int lost = std::clamp(s.lost_response_percent, 0, 100);
    auto lose = weighted_choice<bool>({{100 - lost, false}, {lost, true}});
    return rc::gen::build<OpPlan>(rc::gen::set(&OpPlan::f, rc::gen::just(f)),
                                  rc::gen::set(&OpPlan::args, args),
                                  rc::gen::set(&OpPlan::key_policy, keyless ? rc::gen::just(KeyPolicy::None) : weighted_choice(policies)),
                                  rc::gen::set(&OpPlan::attempts, rc::gen::inRange(1, std::max(1, s.max_attempts) + 1)),
                                  rc::gen::set(&OpPlan::lose_response, lose));
  });
}

}  // namespace

void showValue(const ScenarioPlan& plan, std::ostream& os) {
  os << scenario_to_json(build_scenario(plan)).dump();
}

rc::Gen<ScenarioPlan> gen_scenario_plan(const GeneratorSettings& s) {
  if (s.op_mix.empty()) throw std::invalid_argument("generator: the operation mix is empty");
  const auto op = gen_op(s);
  const auto client = rc::gen::mapcat(
      rc::gen::inRange(std::max(1, s.ops_per_client.lo), std::max(1, s.ops_per_client.hi) + 1),
      [op](int n) { return rc::gen::container<std::vector<OpPlan>>(n, op); });
  const auto clients = rc::gen::mapcat(
      rc::gen::inRange(std::max(1, s.clients.lo), std::max(1, s.clients.hi) + 1),
      [client](int n) { return rc::gen::container<std::vector<std::vector<OpPlan>>>(n, client); });
  const int stag = std::clamp(s.staggered_percent, 0, 100);
  return rc::gen::build<ScenarioPlan>(
      rc::gen::set(&ScenarioPlan::clients, clients),
      rc::gen::set(&ScenarioPlan::staggered, weighted_choice<bool>({{100 - stag, false}, {stag, true}})),
      rc::gen::set(&ScenarioPlan::stagger_us, rc::gen::inRange(0, std::max(0, s.max_stagger_us) + 1)));
}

Scenario build_scenario(const ScenarioPlan& plan) {
  Scenario sc;
  sc.release = plan.staggered ? Release::Staggered : Release::Burst;
  sc.stagger_us = plan.staggered ? plan.stagger_us : 0;
  const int n = static_cast<int>(plan.clients.size());
  sc.clients.resize(n);
  // Copies placed into other clients are collected first and prepended afterwards,
  // so indices into the plan stay valid while we walk it.
  std::vector<std::vector<ScenarioOp>> prepend(n), append(n);
  for (int c = 0; c < n; ++c) {
    for (std::size_t i = 0; i < plan.clients[c].size(); ++i) {
      const OpPlan& p = plan.clients[c][i];
      ScenarioOp op;
      op.f = p.f;
      op.args = p.args;
      op.max_attempts = p.attempts;
      op.lose_response = p.lose_response;
      if (p.key_policy != KeyPolicy::None) {
        op.key = "c" + std::to_string(c) + "-op" + std::to_string(i);
      } else {
        // Without a key a retry is a new request: a service that executes it again
        // is right to. Only keyed ops are retried.
        op.max_attempts = 1;
      }
      sc.clients[c].ops.push_back(op);

      ScenarioOp copy = op;
      copy.lose_response = false;
      switch (p.key_policy) {
        case KeyPolicy::Fresh:
        case KeyPolicy::None:
          break;
        case KeyPolicy::ConcurrentDuplicate:
          if (n > 1) {
            prepend[(c + 1) % n].push_back(copy);
          } else {
            append[c].push_back(copy);
          }
          break;
        case KeyPolicy::SequentialReplay:
          append[c].push_back(copy);
          break;
        case KeyPolicy::DifferentPayload: {
          // Change the first integer argument other than the account.
          for (auto it = copy.args.begin(); it != copy.args.end(); ++it) {
            if (it.key() != "account" && it->is_number_integer()) {
              *it = it->get<long long>() + 1;
              break;
            }
          }
          append[c].push_back(copy);
          break;
        }
      }
    }
  }
  for (int c = 0; c < n; ++c) {
    auto& ops = sc.clients[c].ops;
    ops.insert(ops.begin(), prepend[c].begin(), prepend[c].end());
    ops.insert(ops.end(), append[c].begin(), append[c].end());
  }
  return sc;
}

}  // namespace racecheck
