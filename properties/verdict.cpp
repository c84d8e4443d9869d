#include "properties/verdict.h"

#include <algorithm>

namespace racecheck {

std::string_view to_string(Status s) {
  switch (s) {
    case Status::Pass: return "pass";
    case Status::Fail: return "fail";
    case Status::Unknown: return "unknown";
    case Status::Skipped: return "skipped";
  }
  return "?";
}

std::string_view to_string(Severity s) { return s == Severity::Must ? "MUST" : "SHOULD"; }

Status CheckReport::overall() const {
  bool unknown = false;
  for (const auto& v : verdicts) {
    const bool must = std::any_of(v.violations.begin(), v.violations.end(),
                                  [](const Violation& x) { return x.severity == Severity::Must; });
    if (v.status == Status::Fail && (must || v.violations.empty())) return Status::Fail;
    if (v.status == Status::Unknown) unknown = true;
  }
  return unknown ? Status::Unknown : Status::Pass;
}

}  // namespace racecheck
