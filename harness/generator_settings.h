// From the spec's generator section (as the user wrote it) to the settings the
// RapidCheck generator takes.
#pragma once

#include "harness/generator.h"
#include "harness/spec.h"

namespace racecheck {

// Weights become integers (per mille of the total). Integer placeholders other
// than "account" (amount, qty, ...) take the spec's amount range; "name" takes a
// small pool so that creations collide. Operations marked "idempotency": "none"
// (by default GET, HEAD, OPTIONS) get no keys; "required" ones always get one.
// A ledger model with one account puts account 0 into ops that name no account.
GeneratorSettings generator_settings_from_spec(const Spec& spec);

}  // namespace racecheck
