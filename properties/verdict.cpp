#include "properties/verdict.h"

#include <algorithm>

namespace racecheck {

namespace {

bool has_must(const std::vector<Violation>& violations) {
  return std::any_of(violations.begin(), violations.end(),
                     [](const Violation& x) { return x.severity == Severity::Must; });
}

bool is_warning(const InvariantVerdict& v) { return effective_status(v) == Status::Warn; }

}  // namespace

std::string_view to_string(Status s) {
  switch (s) {
    case Status::Pass: return "pass";
    case Status::Fail: return "fail";
    case Status::Unknown: return "unknown";
    case Status::Skipped: return "skipped";
    case Status::Warn: return "warn";
  }
  return "?";
}

std::string_view to_string(Severity s) { return s == Severity::Must ? "MUST" : "SHOULD"; }

Status effective_status(const InvariantVerdict& v) {
  if (v.status == Status::Fail && !v.violations.empty() && !has_must(v.violations)) return Status::Warn;
  return v.status;
}

std::string signature(const Violation& v) { return v.kind.empty() ? v.invariant : v.invariant + "/" + v.kind; }

Status status_for(const std::vector<Violation>& violations) {
  if (violations.empty()) return Status::Pass;
  return has_must(violations) ? Status::Fail : Status::Warn;
}

Status CheckReport::overall() const {
  bool unknown = false;
  for (const auto& v : verdicts) {
    if (effective_status(v) == Status::Fail) return Status::Fail;
    if (v.status == Status::Unknown) unknown = true;
  }
  return unknown ? Status::Unknown : Status::Pass;
}

int CheckReport::warnings() const {
  return static_cast<int>(std::count_if(verdicts.begin(), verdicts.end(), is_warning));
}

std::vector<std::string> CheckReport::failure_signatures() const {
  std::vector<std::string> out;
  for (const auto& v : verdicts) {
    if (effective_status(v) != Status::Fail) continue;
    if (v.violations.empty()) out.push_back(v.invariant);
    for (const auto& x : v.violations)
      if (x.severity == Severity::Must) out.push_back(signature(x));
  }
  return out;
}

}  // namespace racecheck
