// input-validation: the oracle for hostile argument values (docs/invariants.md).
// The harness marks each op whose arguments lie outside their declared domain
// (Operation::invalid, argument -> why); this checker judges what the service did
// with them:
//   - an invalid op that completed ok was accepted: a MUST violation
//     ("invalid-input-accepted") naming the argument, the value, the status and
//     the effect the model's ledger gives it;
//   - a valid op refused with one of the invalid-input error labels is a SHOULD
//     violation ("valid-input-refused"): the service's domain is narrower than
//     the spec says, which changes nothing but refuses business it should do.
// Invalid ops that were refused or whose outcome is unknown are fine here; the
// other invariants never see invalid ops (check_operations leaves them out).
// An op whose hostile values all have an integer reading (Operation::read_as:
// "50", or 0 outside an undeclared domain) may be refused; accepted, the other
// invariants judge it as the op with those integers.
#pragma once

#include <string>
#include <vector>

#include "properties/history.h"
#include "properties/model.h"
#include "properties/verdict.h"

namespace racecheck {

// Error labels (ClassifyRule::error) that mean "refused as invalid input".
const std::vector<std::string>& default_invalid_input_errors();

InvariantVerdict check_input_validation(const std::vector<Operation>& ops, const Model& model,
                                        const std::vector<std::string>& invalid_input_errors);

// true when op carries at least one argument marked outside its domain.
inline bool has_invalid_arguments(const Operation& op) { return op.invalid.is_object() && !op.invalid.empty(); }
// true when op carries a hostile value a service may read as an integer.
inline bool has_read_as_arguments(const Operation& op) { return op.read_as.is_object() && !op.read_as.empty(); }

}  // namespace racecheck
