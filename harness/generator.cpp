#include "harness/generator.h"

#include <algorithm>
#include <climits>
#include <stdexcept>

#include "harness/conversions.h"

namespace racecheck {
namespace {

// An integer in [lo, hi) drawn uniformly whatever RapidCheck's current size
// (rc::gen::inRange narrows the range at small sizes, which would make early
// cases all pick the first policy and the smallest amounts); still shrinks toward lo.
rc::Gen<int> uniform_int(int lo, int hi) { return rc::gen::resize(rc::kNominalSize, rc::gen::inRange(lo, hi)); }

// A weighted choice that shrinks toward the first entry (an index into the
// cumulative weights; RapidCheck shrinks integers toward the lower bound).
template <typename T>
rc::Gen<T> weighted_choice(std::vector<std::pair<int, T>> entries) {
  int total = 0;
  for (const auto& e : entries) total += std::max(0, e.first);
  if (total == 0) return rc::gen::just(entries.front().second);
  return rc::gen::map(uniform_int(0, total), [entries](int x) {
    for (const auto& [w, v] : entries) {
      if (x < std::max(0, w)) return v;
      x -= std::max(0, w);
    }
    return entries.back().second;
  });
}

// An int64 in [lo, hi] (inclusive, the full range allowed), uniform, shrinking
// toward lo: drawn as an unsigned offset from lo so that hi - lo cannot overflow.
rc::Gen<std::int64_t> uniform_int64(ValueRange r) {
  const std::uint64_t span = static_cast<std::uint64_t>(r.hi) - static_cast<std::uint64_t>(r.lo);
  const std::int64_t lo = r.lo;
  auto offset = span == UINT64_MAX ? rc::gen::resize(rc::kNominalSize, rc::gen::arbitrary<std::uint64_t>())
                                   : rc::gen::resize(rc::kNominalSize, rc::gen::inRange<std::uint64_t>(0, span + 1));
  return rc::gen::map(offset, [lo](std::uint64_t k) { return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + k); });
}

// n characters of the alphabet, shrinking toward its first character.
rc::Gen<std::string> text_of_length(IntRange length, std::string alphabet) {
  const int letters = static_cast<int>(alphabet.size());
  return rc::gen::mapcat(uniform_int(length.lo, length.hi + 1), [alphabet, letters](int n) {
    return rc::gen::map(rc::gen::container<std::vector<int>>(static_cast<std::size_t>(n), uniform_int(0, letters)),
                        [alphabet](const std::vector<int>& picks) {
                          std::string text;
                          for (int k : picks) text += alphabet[static_cast<std::size_t>(k)];
                          return text;
                        });
  });
}

std::string uuid_text(const std::vector<std::uint8_t>& b) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < 16; ++i) {
    std::uint8_t v = b[i];
    if (i == 6) v = static_cast<std::uint8_t>((v & 0x0F) | 0x40);  // version 4
    if (i == 8) v = static_cast<std::uint8_t>((v & 0x3F) | 0x80);  // RFC 4122 variant
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[v >> 4];
    out += hex[v & 15];
  }
  return out;
}

// units * 10^-scale as exact text: 1234 at scale 2 is "12.34".
std::string decimal_text(std::int64_t units, int scale) {
  const bool negative = units < 0;
  std::string digits = std::to_string(units);
  if (negative) digits.erase(0, 1);
  const auto places = static_cast<std::size_t>(scale);
  if (digits.size() <= places) digits = std::string(places + 1 - digits.size(), '0') + digits;
  const std::size_t point = digits.size() - places;
  std::string out = negative ? "-" : "";
  out.append(digits, 0, point);
  if (places > 0) out.append(1, '.').append(digits, point, places);
  return out;
}

}  // namespace

rc::Gen<json> gen_argument(const ArgDomain& d) {
  if (!d.choices.empty()) return rc::gen::elementOf(d.choices);
  switch (d.kind) {
    case ArgKind::Integer:
      // Ranges that fit an int draw as they always have (same scenarios per seed).
      if (d.range.lo >= INT_MIN && d.range.hi < INT_MAX) {
        return rc::gen::map(uniform_int(static_cast<int>(d.range.lo), static_cast<int>(d.range.hi) + 1),
                            [](int v) { return json(v); });
      }
      return rc::gen::map(uniform_int64(d.range), [](std::int64_t v) { return json(v); });
    case ArgKind::String:
      return rc::gen::map(text_of_length(d.length, "abcdefghijklmnopqrstuvwxyz0123456789"),
                          [](std::string v) { return json(std::move(v)); });
    case ArgKind::Uuid:
      return rc::gen::map(rc::gen::container<std::vector<std::uint8_t>>(16, rc::gen::arbitrary<std::uint8_t>()),
                          [](const std::vector<std::uint8_t>& b) { return json(uuid_text(b)); });
    case ArgKind::Bytes:
      return rc::gen::mapcat(uniform_int(d.length.lo, d.length.hi + 1), [](int n) {
        return rc::gen::map(rc::gen::container<std::string>(static_cast<std::size_t>(n), rc::gen::arbitrary<char>()),
                            [](std::string raw) { return bytes_value(std::move(raw)); });
      });
    case ArgKind::Decimal: {
      const int scale = d.scale;
      return rc::gen::map(uniform_int64(d.range), [scale](std::int64_t units) { return json(decimal_text(units, scale)); });
    }
  }
  return rc::gen::just(json(nullptr));
}

namespace {

// The payload a different-payload replay sends: the first integer argument
// other than the account and the hostile ones moved by one, staying inside
// its range so that the replay's arguments are as valid as the original's.
json other_payload(const OpArguments& drawn, const std::map<std::string, ValueRange>& ranges) {
  json other = drawn.args;
  auto marked = [&drawn](const std::string& name) {
    return (drawn.invalid.is_object() && drawn.invalid.contains(name)) ||
           (drawn.read_as.is_object() && drawn.read_as.contains(name));
  };
  for (auto it = other.begin(); it != other.end(); ++it) {
    if (it.key() == "account" || marked(it.key()) || !it->is_number_integer()) continue;
    const std::int64_t v = it->get<std::int64_t>();
    const auto range = ranges.find(it.key());
    const bool at_top = range != ranges.end() ? v >= range->second.hi : v == std::numeric_limits<std::int64_t>::max();
    *it = at_top ? v - 1 : v + 1;
    break;
  }
  return other;
}

// An op's arguments, each from its domain ("account" from the account count),
// judged where hostile values may go (docs/spec.md, "Hostile values"). A
// `probe` (argument, hostile value index) fixes that argument to that hostile value.
struct HostileProbe {
  std::string argument;
  int value_index = -1;
};

rc::Gen<OpArguments> gen_op_arguments(const GeneratorSettings& s, const std::string& f, const HostileProbe& probe) {
  std::vector<std::string> names;
  if (auto it = s.op_arguments.find(f); it != s.op_arguments.end()) names = it->second;
  std::map<std::string, IntegerDomain> hostile;
  if (auto it = s.hostile_arguments.find(f); it != s.hostile_arguments.end() && s.hostile_percent > 0) hostile = it->second;
  std::vector<rc::Gen<json>> arg_gens;
  for (const auto& n : names) {
    if (hostile.count(n) != 0 && s.arguments.count(n) != 0) {
      const rc::Gen<json> valid = gen_argument(s.arguments.at(n));
      // A probe sends one hostile value: the op's other arguments stay valid.
      arg_gens.push_back(n == probe.argument       ? gen_hostile(valid, probe.value_index, s.hostile_extra)
                         : probe.value_index >= 0 ? valid
                                                  : gen_maybe_hostile(valid, s.hostile_percent, s.hostile_extra));
    } else if (n == "account") {
      arg_gens.push_back(rc::gen::map(uniform_int(0, std::max(1, s.accounts)), [](int v) { return json(v); }));
    } else if (auto d = s.arguments.find(n); d != s.arguments.end()) {
      arg_gens.push_back(gen_argument(d->second));
    } else {
      arg_gens.push_back(rc::gen::just(json(1)));
    }
  }
  const bool implicit_account = s.implicit_account && std::find(names.begin(), names.end(), "account") == names.end();
  std::map<std::string, ValueRange> ranges;
  for (const auto& n : names)
    if (auto d = s.arguments.find(n); d != s.arguments.end() && d->second.kind == ArgKind::Integer) ranges[n] = d->second.range;
  return rc::gen::exec([names, arg_gens, implicit_account, hostile, ranges] {
    OpArguments drawn;
    for (std::size_t i = 0; i < names.size(); ++i) {
      drawn.args[names[i]] = *arg_gens[i];
      auto domain = hostile.find(names[i]);
      if (domain == hostile.end()) continue;
      const ArgumentJudgement j = judge_integer_argument(domain->second, drawn.args[names[i]]);
      if (j.kind == ArgumentJudgement::Kind::Invalid) drawn.invalid[names[i]] = j.problem;
      if (j.kind == ArgumentJudgement::Kind::ReadAs) drawn.read_as[names[i]] = j.reading;
    }
    if (implicit_account) drawn.args["account"] = 0;
    drawn.other_args = other_payload(drawn, ranges);
    return drawn;
  });
}

bool listed(const std::vector<std::string>& operations, const std::string& f) {
  return std::find(operations.begin(), operations.end(), f) != operations.end();
}

rc::Gen<OpPlan> gen_op(const GeneratorSettings& s) {
  std::vector<std::pair<int, std::string>> mix;
  for (const auto& [f, w] : s.op_mix) mix.emplace_back(w, f);
  std::vector<std::pair<int, KeyPolicy>> policies;
  for (const auto& [p, w] : s.key_policy_weights)
    if (w > 0) policies.emplace_back(w, p);
  if (policies.empty()) policies.emplace_back(1, KeyPolicy::None);
  // An op that requires a key draws from the same policies without "none".
  std::vector<std::pair<int, KeyPolicy>> keyed_policies;
  for (const auto& entry : policies)
    if (entry.second != KeyPolicy::None) keyed_policies.push_back(entry);
  if (keyed_policies.empty()) keyed_policies.emplace_back(1, KeyPolicy::Fresh);

  return rc::gen::mapcat(weighted_choice(mix), [s, policies, keyed_policies](const std::string& f) {
    const rc::Gen<KeyPolicy> key_policy = listed(s.keyless_operations, f) ? rc::gen::just(KeyPolicy::None)
                                          : listed(s.keyed_operations, f) ? weighted_choice(keyed_policies)
                                                                          : weighted_choice(policies);
    // false first: RapidCheck shrinks a weighted choice toward the first element.
    const int lost = std::clamp(s.lost_response_percent, 0, 100);
    auto lose = weighted_choice<bool>({{100 - lost, false}, {lost, true}});
    const int max_attempts = s.max_attempts;
    return rc::gen::build<OpPlan>(rc::gen::set(&OpPlan::f, rc::gen::just(f)),
                                  rc::gen::set(&OpPlan::arguments, gen_op_arguments(s, f, HostileProbe{})),
                                  rc::gen::set(&OpPlan::key_policy, key_policy),
                                  rc::gen::set(&OpPlan::attempts, uniform_int(1, std::max(1, max_attempts) + 1)),
                                  rc::gen::set(&OpPlan::lose_response, lose));
  });
}

// A vector with between r.lo and r.hi elements that shrinks by *removing*
// elements: the first r.lo are fixed in number, the rest come from a variable
// length container (which RapidCheck shrinks element by element) of at most
// r.hi - r.lo elements (its size is set to that bound).
template <typename T>
rc::Gen<std::vector<T>> vector_in_range(IntRange r, rc::Gen<T> element) {
  const int lo = std::max(1, r.lo);
  const int extra_max = std::max(0, r.hi - lo);
  return rc::gen::map(
      rc::gen::pair(rc::gen::container<std::vector<T>>(lo, element),
                    rc::gen::resize(extra_max, rc::gen::container<std::vector<T>>(element))),
      [extra_max](std::pair<std::vector<T>, std::vector<T>> p) {
        std::vector<T> v = std::move(p.first);
        if (static_cast<int>(p.second.size()) > extra_max) p.second.resize(extra_max);
        v.insert(v.end(), std::make_move_iterator(p.second.begin()), std::make_move_iterator(p.second.end()));
        return v;
      });
}

}  // namespace

void showValue(const ScenarioPlan& plan, std::ostream& os) {
  os << scenario_to_json(build_scenario(plan)).dump();
}

rc::Gen<ScenarioPlan> gen_scenario_plan(const GeneratorSettings& s) {
  if (s.op_mix.empty()) throw std::invalid_argument("generator: the operation mix is empty");
  const auto client = vector_in_range(s.ops_per_client, gen_op(s));
  const auto clients = vector_in_range(s.clients, client);
  const int stag = std::clamp(s.staggered_percent, 0, 100);
  return rc::gen::build<ScenarioPlan>(
      rc::gen::set(&ScenarioPlan::clients, clients),
      rc::gen::set(&ScenarioPlan::staggered, weighted_choice<bool>({{100 - stag, false}, {stag, true}})),
      rc::gen::set(&ScenarioPlan::stagger_us, uniform_int(0, std::max(0, s.max_stagger_us) + 1)));
}

std::vector<ScenarioPlan> hostile_probe_plans(const GeneratorSettings& s, std::uint64_t seed) {
  std::vector<std::pair<std::string, std::string>> slots;  // (operation, argument)
  if (s.hostile_percent > 0) {
    for (const auto& [f, weight] : s.op_mix) {
      const auto args = s.hostile_arguments.find(f);
      if (weight <= 0 || args == s.hostile_arguments.end()) continue;
      for (const auto& [name, domain] : args->second)
        if (s.arguments.count(name) != 0) slots.emplace_back(f, name);
    }
  }
  bool keyless_allowed = false;
  for (const auto& [policy, weight] : s.key_policy_weights)
    if (policy == KeyPolicy::None && weight > 0) keyless_allowed = true;
  std::vector<ScenarioPlan> plans;
  const int values = static_cast<int>(hostile_values(0, s.hostile_extra).size());
  // Value by value across the slots, so that a budget that ends early has
  // still sent the simplest values to every argument.
  for (int index = 0; index < values; ++index) {
    for (const auto& [f, argument] : slots) {
      const rc::Random random(seed + plans.size());
      OpPlan op;
      op.f = f;
      op.arguments = gen_op_arguments(s, f, HostileProbe{argument, index})(random, rc::kNominalSize).value();
      op.key_policy = listed(s.keyless_operations, f) || (keyless_allowed && !listed(s.keyed_operations, f))
                          ? KeyPolicy::None
                          : KeyPolicy::Fresh;
      ScenarioPlan plan;
      plan.clients.push_back({op});
      plans.push_back(std::move(plan));
    }
  }
  return plans;
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
      op.args = p.arguments.args;
      op.max_attempts = p.attempts;
      op.lose_response = p.lose_response;
      op.invalid = p.arguments.invalid;
      op.read_as = p.arguments.read_as;
      if (p.key_policy != KeyPolicy::None) {
        op.key = "c" + std::to_string(c) + "-op" + std::to_string(i);  // the group; keys are made per trial
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
          if (p.arguments.other_args.is_object()) copy.args = p.arguments.other_args;
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
