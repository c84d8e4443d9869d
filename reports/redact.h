// Redaction: secrets never reach a report. Applied to the whole ReportInput before
// any renderer formats it, and once more to each rendered file as a last guard.
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/reports.h"

namespace racecheck {

inline constexpr std::string_view kRedacted = "[REDACTED]";

class Redactor {
 public:
  Redactor(std::vector<std::string> secrets, std::vector<std::string> header_names);

  // Literal secrets replaced; "Authorization: x", "Cookie=x", "\"Cookie\":\"x\"" style
  // header values replaced (case-insensitive header names).
  std::string text(std::string_view s) const;
  // Recursively: string values and member names through text(); members named like
  // a redacted header get a redacted value whatever their type.
  nlohmann::json value(const nlohmann::json& j) const;
  bool is_redacted_header(std::string_view name) const;
  // Every string field of the input (secrets themselves are dropped from the copy).
  ReportInput input(const ReportInput& in) const;

 private:
  std::vector<std::string> secrets_;   // longest first, so a secret containing another goes whole
  std::vector<std::string> headers_lower_;
  std::regex header_pattern_;
  bool has_headers_ = false;
};

// Redactor built from the input's own secrets and header names.
Redactor redactor_for(const ReportInput& in);

}  // namespace racecheck
