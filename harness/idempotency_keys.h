// Idempotency keys are assigned when a trial runs, not when a scenario is made.
// A scenario's "key" fields only group operations: ops sharing one are the same
// logical request (retries, deliberate duplicates). Each trial turns every group
// into a key that no other trial, shrink step, reproduction or run has sent: real
// services keep their idempotency store across any reset (a cache with a TTL of
// hours), so a key from an earlier trial would be answered with that trial's
// stored response, and racecheck would blame the service for its own reuse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/scenario.h"
#include "harness/spec.h"

namespace racecheck {

// What a key template is rendered from.
struct KeyContext {
  std::string run;          // the run id (new_run_id())
  std::int64_t trial = 0;   // 1, 2, ... within the run
  int client = 0;           // where the group's first op sits in the scenario
  int op = 0;
};

// 16 lowercase hex digits from the operating system's random device, never from
// --seed: two runs with the same seed must not send the same keys to one store.
std::string new_run_id();

// Renders an "idempotency_key" template (docs/spec.md): {run}, {trial},
// {client}, {op}, and {uuid} (a version-4-layout UUID derived from the other
// four, so the same inputs give the same UUID and different inputs practically
// never collide). "{{" and "}}" are literal braces.
std::string render_idempotency_key(const std::string& key_template, const KeyContext& context);

// Why a key template cannot give every logical operation its own key, or
// nothing: an unknown placeholder; neither {uuid} nor all of {run}, {trial},
// {client} and {op}; two numbers run together ("{trial}{client}": trial 1
// client 12 and trial 11 client 2 would read the same); an unclosed brace.
std::optional<std::string> idempotency_key_template_problem(const std::string& key_template);

// The longest key the template can render (a trial number up to 10 digits, a
// client up to 4, an op index up to 6); the spec loader compares it to max_length.
std::size_t idempotency_key_max_rendered_length(const std::string& key_template);

// The scenario as sent in one trial: every non-empty key group replaced by its
// key for (run, trial) from spec.idempotency_key; ops of one group get the same
// key, different groups different keys. Ops without a group stay without a key,
// and so do ops of an operation marked "idempotency": "none" (a scenario saved
// before the spec said so), which are then sent once, like the generator's.
Scenario with_idempotency_keys(const Scenario& scenario, const Spec& spec, const std::string& run,
                               std::int64_t trial);

}  // namespace racecheck
