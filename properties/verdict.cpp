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
  // The most specific evidence first: an accepted invalid input is one request,
  // the idempotency oracle names the key that ran twice, an overdraft one
  // response; conservation sees a wrong total, and linearizability fails with
  // almost any of them.
  auto rank = [](const std::string& invariant) {
    static const char* const kBySpecificity[] = {"input-validation", "idempotency", "no-overdraft", "conservation",
                                                 "linearizability"};
    for (int i = 0; i < 5; ++i)
      if (invariant == kBySpecificity[i]) return i;
    return 5;
  };
  std::vector<std::pair<int, std::string>> ranked;
  for (const auto& v : verdicts) {
    if (effective_status(v) != Status::Fail) continue;
    if (v.violations.empty()) ranked.emplace_back(rank(v.invariant), v.invariant);
    for (const auto& x : v.violations)
      if (x.severity == Severity::Must) ranked.emplace_back(rank(x.invariant), signature(x));
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& [_, s] : ranked)
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  return out;
}

}  // namespace racecheck
