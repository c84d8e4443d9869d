// exact-money: every money field (Model::money_fields()) of every operation's
// input and output is a whole number of minor units at the money scale. A
// balance kept in binary floating point (0.1 + 0.2 = 0.30000000000000004)
// fails it, with the exact distance to the nearest whole amount.
#pragma once

#include <vector>

#include "properties/history.h"
#include "properties/model.h"
#include "properties/verdict.h"

namespace racecheck {

// Skipped when the model has no money fields or no op carries one.
InvariantVerdict check_exact_money(const std::vector<Operation>& ops, const Model& model, int scale);

// The ops with every inexact money value taken out of the outputs, so the
// other checkers (integer models) judge what remains: the field is removed,
// and an ok read-only op that loses one observed nothing usable, so it ends
// info. `ops` unchanged when nothing is inexact.
std::vector<Operation> without_inexact_money(const std::vector<Operation>& ops, const Model& model);

// True when a recorded money value is a whole number of minor units (a JSON
// integer); null and absent fields count as whole (nothing to check).
bool is_whole_money(const json& value);

}  // namespace racecheck
