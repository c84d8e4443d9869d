// JUnit XML for CI systems (GitHub test reporters, GitLab, Jenkins): one testsuite
// per target, one testcase per invariant. The schema it follows is committed as
// tests/reports/junit.xsd.
#include <algorithm>
#include <cctype>

#include "reports/redact.h"
#include "reports/reports.h"
#include "reports/text_util.h"

namespace racecheck {

namespace {

using report_text::format_fixed;
using report_text::xml_escape;

std::string attr(const char* name, const std::string& value) {
  return std::string(" ") + name + "=\"" + xml_escape(value) + "\"";
}

// "http://127.0.0.1:8080" -> "racecheck.http_127_0_0_1_8080": a classname CI tools group by.
std::string classname_for(const std::string& target) {
  std::string out = "racecheck";
  if (target.empty()) return out;
  out += '.';
  bool underscore = false;
  for (char c : target) {
    if (std::isalnum(static_cast<unsigned char>(c))) { out += c; underscore = false; }
    else if (!underscore) { out += '_'; underscore = true; }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string reproduction_text(const ReportInput& in) {
  std::string out;
  if (!in.command.empty()) out += "Reproduce: " + in.command + "\n";
  out += "Seed: " + std::to_string(in.seed) + "\n";
  if (!in.spec_path.empty()) out += "Spec: " + in.spec_path + "\n";
  if (in.repro_runs > 0) out += "Minimal scenario " + repro_rate_text(in) + "\n";
  if (!in.violation_signature.empty()) out += "Violation kept while shrinking: " + in.violation_signature + "\n";
  if (!in.shrink_note.empty()) out += in.shrink_note + "\n";
  return out;
}

std::string violation_text(const Violation& x) {
  std::string ops;
  for (int id : x.ops) ops += (ops.empty() ? "" : ", ") + std::to_string(id);
  return std::string(to_string(x.severity)) + ": " + x.explanation + (ops.empty() ? "" : " [ops " + ops + "]");
}

struct SuiteCounts {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  double time_s = 0;
};

std::string render_suite(const ReportInput& in, SuiteCounts& counts) {
  const std::string classname = classname_for(in.target);
  const std::string repro = reproduction_text(in);
  std::string cases;
  for (const auto& v : in.verdicts.verdicts) {
    ++counts.tests;
    counts.time_s += v.elapsed_ms / 1000.0;
    cases += "    <testcase" + attr("name", v.invariant) + attr("classname", classname) +
             attr("time", format_fixed(v.elapsed_ms / 1000.0, 6)) + ">\n";
    const Status status = effective_status(v);
    std::string details;
    for (const auto& x : v.violations) details += violation_text(x) + "\n";
    std::string out = v.summary + "\n" + details + repro;
    if (status == Status::Fail) {
      ++counts.failures;
      const std::string message = v.violations.empty() ? v.summary : v.violations.front().explanation;
      cases += "      <failure" + attr("message", message) + attr("type", "racecheck." + v.invariant) + ">" +
               xml_escape(details.empty() ? v.summary : details) + xml_escape(repro) + "</failure>\n";
    } else if (status == Status::Unknown) {
      ++counts.errors;
      cases += "      <error" + attr("message", "inconclusive: " + v.summary) + attr("type", "racecheck.unknown") +
               ">" + xml_escape(v.summary + "\n" + repro) + "</error>\n";
    } else if (status == Status::Skipped) {
      ++counts.skipped;
      cases += "      <skipped" + attr("message", v.summary) + "/>\n";
    } else if (status == Status::Warn) {
      // Only SHOULD-level deviations: reported, but they do not fail the gate.
      out = "WARN: SHOULD-level deviations (not failing the gate):\n" + out;
    }
    cases += "      <system-out>" + xml_escape(out) + "</system-out>\n";
    cases += "    </testcase>\n";
  }
  std::string suite = "  <testsuite" + attr("name", "racecheck " + (in.target.empty() ? in.title : in.target)) +
                      attr("tests", std::to_string(counts.tests)) + attr("failures", std::to_string(counts.failures)) +
                      attr("errors", std::to_string(counts.errors)) + attr("skipped", std::to_string(counts.skipped)) +
                      attr("time", format_fixed(counts.time_s, 6));
  if (!in.started_at.empty()) suite += attr("timestamp", in.started_at);
  suite += ">\n    <properties>\n";
  if (!in.racecheck_version.empty()) {
    suite += "      <property" + attr("name", "racecheck.version") + attr("value", in.racecheck_version) + "/>\n";
    suite += "      <property" + attr("name", "racecheck.commit") + attr("value", in.racecheck_commit) + "/>\n";
  }
  suite += "      <property" + attr("name", "seed") + attr("value", std::to_string(in.seed)) + "/>\n";
  if (in.shard.total > 1) suite += "      <property" + attr("name", "shard") + attr("value", to_string(in.shard)) + "/>\n";
  if (!in.spec_path.empty()) suite += "      <property" + attr("name", "spec") + attr("value", in.spec_path) + "/>\n";
  if (!in.command.empty()) suite += "      <property" + attr("name", "reproduce") + attr("value", in.command) + "/>\n";
  suite += "    </properties>\n" + cases;
  suite += "    <system-out>" + xml_escape(shard_lines_text(in) + repro) + "</system-out>\n  </testsuite>\n";
  return suite;
}

}  // namespace

std::string render_junit(const std::vector<ReportInput>& runs) {
  SuiteCounts total;
  std::string suites;
  std::vector<NamedSecret> secrets;
  for (const auto& raw : runs) {
    const ReportInput in = redactor_for(raw).input(raw);
    for (NamedSecret& s : secrets_of(raw)) secrets.push_back(std::move(s));
    SuiteCounts counts;
    suites += render_suite(in, counts);
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    total.skipped += counts.skipped;
    total.time_s += counts.time_s;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites" + attr("name", "racecheck") +
                    attr("tests", std::to_string(total.tests)) + attr("failures", std::to_string(total.failures)) +
                    attr("errors", std::to_string(total.errors)) + attr("skipped", std::to_string(total.skipped)) +
                    attr("time", format_fixed(total.time_s, 6)) + ">\n" + suites + "</testsuites>\n";
  // Last guard: every run's secrets, in any encoding, over the whole file.
  return Redactor::named(std::move(secrets), {}).secrets_only(out);
}

std::string render_junit(const ReportInput& input) { return render_junit(std::vector<ReportInput>{input}); }

}  // namespace racecheck
