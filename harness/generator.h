// Scenario generation with RapidCheck. A scenario is generated as a *plan* (what
// each client does, which key policy each op follows) and then built into a
// Scenario value; RapidCheck shrinks the plan, so shrinking yields fewer clients,
// fewer ops, smaller arguments, fewer retries and faults, and fresh keys instead
// of duplicates — without knowing anything about HTTP.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <rapidcheck.h>

#include "harness/hostile_values.h"
#include "harness/scenario.h"

namespace racecheck {

struct IntRange {
  int lo = 0;
  int hi = 0;  // inclusive
};

struct ValueRange {
  std::int64_t lo = 0;
  std::int64_t hi = 0;  // inclusive
};

// What kind of value an argument draws (docs/spec.md, "Arguments").
enum class ArgKind { Integer, String, Uuid, Bytes, Decimal };

// The domain of one placeholder argument: integers in a range, or one of a few
// values (e.g. user names, chosen from a small pool so that creations collide),
// or text of a kind. Every kind shrinks toward the low end / first choice:
// shorter strings of 'a's, the nil UUID, zero bytes, the smallest decimal.
struct ArgDomain {
  ValueRange range;           // Integer: the values; Decimal: in units of 10^-scale
  std::vector<json> choices;  // non-empty: pick one of these instead of the range
  ArgKind kind = ArgKind::Integer;
  IntRange length{1, 8};      // String and Bytes
  int scale = 0;              // Decimal places
};

// One value of the domain; exposed for tests.
rc::Gen<json> gen_argument(const ArgDomain& domain);

// How an op's idempotency key is chosen. Order matters: RapidCheck shrinks an
// element choice toward the first entry, so a failing duplicate-key scenario
// shrinks toward fresh keys when the duplicate is not what breaks the service.
enum class KeyPolicy { Fresh, None, ConcurrentDuplicate, SequentialReplay, DifferentPayload };

struct GeneratorSettings {
  IntRange clients{2, 6};
  IntRange ops_per_client{1, 3};
  std::vector<std::pair<std::string, int>> op_mix;               // operation → weight (> 0)
  std::map<std::string, std::vector<std::string>> op_arguments;  // operation → its placeholder names
  std::map<std::string, ArgDomain> arguments;                    // placeholder → domain
  int accounts = 1;                                              // "account" placeholder: 0 .. accounts-1
  std::vector<std::string> keyless_operations;                   // never sent with an idempotency key
  std::vector<std::string> keyed_operations;                     // always sent with one (policy "none" not drawn)
  // Every op without an "account" argument acts on account 0: a ledger service
  // with one account whose requests do not name it.
  bool implicit_account = false;
  std::map<KeyPolicy, int> key_policy_weights{{KeyPolicy::Fresh, 1}};
  int max_attempts = 1;                // retries of an info outcome
  int lost_response_percent = 0;       // chance that an op's first attempt loses its response
  int staggered_percent = 0;           // chance that a scenario is staggered instead of a burst
  int max_stagger_us = 2000;
  // Hostile values (docs/spec.md, "Hostile values"): operation -> argument ->
  // its valid domain, for the arguments that may carry one; empty: none.
  std::map<std::string, std::map<std::string, IntegerDomain>> hostile_arguments;
  int hostile_percent = 0;           // chance that one such argument is hostile
  std::vector<json> hostile_extra;   // the spec's own values, after the built-in ones
};

// An op's arguments and, for hostile values (docs/spec.md, "Hostile values"),
// their judgement.
struct OpArguments {
  json args = json::object();
  json invalid;     // name -> why it is outside its domain (null: none)
  json read_as;     // name -> the integer a service may read it as (null: none)
  json other_args;  // what a different-payload replay sends instead of args
};

// A plan is what RapidCheck generates and shrinks.
struct OpPlan {
  std::string f;
  OpArguments arguments;
  KeyPolicy key_policy = KeyPolicy::Fresh;
  int attempts = 1;
  bool lose_response = false;
};

struct ScenarioPlan {
  std::vector<std::vector<OpPlan>> clients;
  bool staggered = false;
  int stagger_us = 0;
};

void showValue(const ScenarioPlan& plan, std::ostream& os);  // for RapidCheck's counterexample

rc::Gen<ScenarioPlan> gen_scenario_plan(const GeneratorSettings& settings);

// The hostile probes (docs/spec.md, "Hostile values"): one single-request
// scenario per hostile value per argument that may carry one, the other
// arguments drawn from `seed`. A service that accepts an invalid value alone
// is caught by these before any concurrent search, whatever the chance of
// drawing that value at random. Empty when hostile values are off.
std::vector<ScenarioPlan> hostile_probe_plans(const GeneratorSettings& settings, std::uint64_t seed);

// Turns a plan into the concrete scenario: assigns key groups and materializes
// duplicates (a concurrent duplicate becomes the first op of the next client, so
// both are in the synchronized burst; a replay is re-sent later by the same
// client; a different-payload reuse is re-sent with the first argument changed).
// A key group ("c<client>-op<index>") only says which ops are one logical
// request; the key sent is made from it when a trial runs (harness/idempotency_keys.h).
Scenario build_scenario(const ScenarioPlan& plan);

}  // namespace racecheck
