// SHOULD-level deviations render as "warn" in every format, never as "fail" under
// a PASS, and the reports show both reproduction rates (original and minimal).
#include <gtest/gtest.h>

#include "reports/reports.h"
#include "tests/reports/report_fixtures.h"

namespace racecheck {
namespace {

// A passing run whose idempotency check found a refusal not replayed, relaxed to
// a SHOULD by the spec.
ReportInput warned_input() {
  ReportInput in = test::passing_input();
  InvariantVerdict& idem = in.verdicts.verdicts[2];
  idem.status = Status::Warn;
  idem.summary = "3 keys (1 retried or duplicated): 1 SHOULD-level deviation(s) (refusal-not-replayed), not failing the gate";
  Violation x;
  x.invariant = "idempotency";
  x.kind = "refusal-not-replayed";
  x.severity = Severity::Should;
  x.explanation = "key 'k1' was refused (insufficient-funds), then a retry with the same key ran and succeeded";
  x.ops = {2, 3};
  idem.violations = {x};
  return in;
}

TEST(WarnStatus, OverallPassesAndCountsTheWarning) {
  const ReportInput in = warned_input();
  EXPECT_EQ(in.verdicts.overall(), Status::Pass);
  EXPECT_EQ(in.verdicts.warnings(), 1);
  EXPECT_TRUE(in.verdicts.failure_signatures().empty());
}

TEST(WarnStatus, ConsoleSaysWarnNeverFailUnderAPass) {
  const std::string text = render_console_summary(warned_input());
  EXPECT_EQ(text.rfind("racecheck: PASS (1 warning)  target", 0), 0u) << text;
  EXPECT_NE(text.find("  warn    idempotency"), std::string::npos) << text;
  EXPECT_EQ(text.find("fail "), std::string::npos) << text;
  EXPECT_NE(text.find("SHOULD: key 'k1' was refused"), std::string::npos);
}

TEST(WarnStatus, AFailVerdictWithOnlyShouldViolationsIsShownAsWarn) {
  ReportInput in = warned_input();
  in.verdicts.verdicts[2].status = Status::Fail;  // as results written before warn existed said it
  EXPECT_EQ(effective_status(in.verdicts.verdicts[2]), Status::Warn);
  EXPECT_EQ(render_console_summary(in).find("fail "), std::string::npos);
  EXPECT_EQ(render_json(in)["verdicts"][2]["status"], "warn");
}

TEST(WarnStatus, JsonSaysWarnAndReadsItBack) {
  const nlohmann::json j = render_json(warned_input());
  EXPECT_EQ(j["overall"], "pass");
  EXPECT_EQ(j["warnings"], 1);
  EXPECT_EQ(j["verdicts"][2]["status"], "warn");
  EXPECT_EQ(j["verdicts"][2]["violations"][0]["kind"], "refusal-not-replayed");
  const ReportInput back = parse_result_json(j);
  EXPECT_EQ(back.verdicts.verdicts[2].status, Status::Warn);
  EXPECT_EQ(back.verdicts.verdicts[2].violations[0].kind, "refusal-not-replayed");
}

TEST(WarnStatus, JUnitDoesNotCountAWarningAsAFailure) {
  const std::string xml = render_junit(warned_input());
  EXPECT_NE(xml.find("failures=\"0\" errors=\"0\" skipped=\"0\""), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<failure"), std::string::npos);
  EXPECT_NE(xml.find("WARN: SHOULD-level deviations (not failing the gate):"), std::string::npos);
}

TEST(WarnStatus, HtmlHasAWarnPill) {
  const std::string html = render_html(warned_input());
  EXPECT_NE(html.find("<span class=\"pill warn\">warn</span>"), std::string::npos);
  EXPECT_NE(html.find(".pill.warn{"), std::string::npos) << "the style exists";
}

ReportInput shrunk_input() {
  ReportInput in = test::failing_input();
  in.repro_runs = 10;
  in.repro_failures = 10;
  in.original_repro_runs = 10;
  in.original_repro_failures = 9;
  in.violation_signature = "conservation/not-conserved";
  return in;
}

TEST(ReproductionRates, EveryFormatShowsTheOriginalNextToTheMinimal) {
  const ReportInput in = shrunk_input();
  const std::string console = render_console_summary(in);
  EXPECT_NE(console.find("minimal scenario failed 10/10 re-runs"), std::string::npos) << console;
  EXPECT_NE(console.find("original failed 9/10"), std::string::npos) << console;
  EXPECT_NE(console.find("conservation/not-conserved"), std::string::npos) << console;
  const nlohmann::json j = render_json(in);
  EXPECT_EQ(j["reproduction"]["original"]["runs"], 10);
  EXPECT_EQ(j["reproduction"]["original"]["failures"], 9);
  EXPECT_EQ(j["reproduction"]["signature"], "conservation/not-conserved");
  const ReportInput back = parse_result_json(j);
  EXPECT_EQ(back.original_repro_failures, 9);
  EXPECT_EQ(back.violation_signature, "conservation/not-conserved");
  EXPECT_NE(render_html(in).find("<b>Original scenario:</b> failed 9 of 10 re-runs"), std::string::npos);
  EXPECT_NE(render_junit(in).find("; original failed 9/10"), std::string::npos);
}

TEST(RunTotals, JsonCarriesPerInvariantCountsOverTheRun) {
  ReportInput in = test::passing_input();
  in.stats.invariants["linearizability"] = InvariantTally{987, 985, 0, 0, 2, 0, 14664};
  const nlohmann::json j = render_json(in);
  EXPECT_EQ(j["stats"]["invariants"]["linearizability"]["trials"], 987);
  EXPECT_EQ(j["stats"]["invariants"]["linearizability"]["ops"], 14664);
  const ReportInput back = parse_result_json(j);
  EXPECT_EQ(back.stats.invariants.at("linearizability").unknown, 2);
}

}  // namespace
}  // namespace racecheck
