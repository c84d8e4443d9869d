// An operation written as "steps" (docs/spec.md, "Multi-request operations").
// Part of the spec loader; not for use outside harness/spec*.cpp.
#pragma once

#include <set>
#include <string>

#include "harness/spec_reader.h"

namespace racecheck::spec_reading {

// Parses /operations/NAME when it has "steps": each step a request template
// (with "capture" and "expect_status") or a guard ("refuse_if" + "error"), the
// "conflict" rule, and the operation's classify/extract/volatile/idempotency,
// which judge the last step's response.
OperationSpec steps_operation(const SpecReader& reader, const std::string& name, const json& j,
                              const std::string& pointer, const Spec& spec, const std::set<std::string>& variables);

}  // namespace racecheck::spec_reading
