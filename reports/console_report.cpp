// The terminal summary printed at the end of a run.
#include <algorithm>
#include <cctype>

#include "reports/redact.h"
#include "reports/reports.h"
#include "reports/text_util.h"

namespace racecheck {

namespace {

std::string paint(const std::string& s, const char* ansi, bool color) {
  return color ? std::string("\x1b[") + ansi + "m" + s + "\x1b[0m" : s;
}

const char* status_colour(Status s) {
  switch (s) {
    case Status::Pass: return "32";
    case Status::Fail: return "1;31";
    case Status::Unknown: return "33";
    case Status::Skipped: return "2";
    case Status::Warn: return "1;33";
  }
  return "0";
}

std::string padded(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string render_console_summary(const ReportInput& raw, bool color) {
  using report_text::format_fixed;
  const Redactor redactor = redactor_for(raw);
  const ReportInput in = redactor.input(raw);
  const Status overall = in.verdicts.overall();

  std::string out = "racecheck: " + paint(upper(to_string(overall)), status_colour(overall), color);
  // SHOULD-level deviations do not fail the gate, but the headline says they are there.
  if (const int warnings = in.verdicts.warnings(); warnings > 0 && overall != Status::Fail)
    out += paint(" (" + std::to_string(warnings) + (warnings == 1 ? " warning" : " warnings") + ")",
                 status_colour(Status::Warn), color);
  if (!in.target.empty()) out += "  target " + in.target;
  out += "  seed " + std::to_string(in.seed) + (in.shard.total > 1 ? "  shard " + to_string(in.shard) : "") + "\n";
  if (!in.protocol.empty()) out += "  protocol " + in.protocol + ", release " + in.release_method + "\n";
  for (const auto& warning : in.transport_warnings) out += "  " + paint("warning: " + warning, status_colour(Status::Warn), color) + "\n";
  std::size_t width = 12;
  for (const auto& v : in.verdicts.verdicts) width = std::max(width, v.invariant.size() + 2);
  for (const auto& v : in.verdicts.verdicts) {
    const Status shown = effective_status(v);
    out += "  " + paint(padded(std::string(to_string(shown)), 8), status_colour(shown), color) +
           padded(v.invariant, width) + v.summary + "\n";
    for (const auto& x : v.violations) {
      std::string ops;
      for (int id : x.ops) ops += (ops.empty() ? "" : ", ") + std::to_string(id);
      out += std::string(10, ' ') + std::string(to_string(x.severity)) + ": " + x.explanation;
      if (!ops.empty()) out += " [ops " + ops + "]";
      out += "\n";
    }
  }
  out += shard_lines_text(in);
  if (in.repro_runs > 0) out += "  minimal scenario " + repro_rate_text(in) + "\n";
  if (!in.violation_signature.empty()) out += "  shrunk keeping the violation " + in.violation_signature + "\n";
  if (!in.shrink_note.empty()) out += "  " + in.shrink_note + "\n";
  if (in.stats.trials > 0 || in.stats.requests > 0) {
    out += "  " + std::to_string(in.stats.trials) + " trials, " + std::to_string(in.stats.requests) + " requests in " +
           format_fixed(in.stats.elapsed_s, 1) + " s";
    if (!in.stats.latencies_ms.empty())
      out += ", latency p50 " + format_fixed(percentile(in.stats.latencies_ms, 50), 2) + " ms, p99 " +
             format_fixed(percentile(in.stats.latencies_ms, 99), 2) + " ms";
    out += "\n";
  }
  if (!in.command.empty() && overall != Status::Pass) out += "  reproduce: " + in.command + "\n";
  return redactor.secrets_only(report_text::valid_utf8(out));
}

}  // namespace racecheck
