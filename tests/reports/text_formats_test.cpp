// JUnit structure, console summary, curl script, statistics helpers.
#include <gtest/gtest.h>

#include "reports/reports.h"
#include "reports/text_util.h"
#include "tests/reports/report_fixtures.h"

namespace racecheck {
namespace {

TEST(Wilson, MatchesKnownValues) {
  auto [lo, hi] = wilson_interval(7, 10);
  EXPECT_NEAR(lo, 0.3968, 1e-4);
  EXPECT_NEAR(hi, 0.8922, 1e-4);
  std::tie(lo, hi) = wilson_interval(10, 10);
  EXPECT_NEAR(lo, 0.7225, 1e-4);
  EXPECT_DOUBLE_EQ(hi, 1.0);
  std::tie(lo, hi) = wilson_interval(0, 0);
  EXPECT_EQ(lo, 0.0);
  EXPECT_EQ(hi, 1.0);
}

TEST(Percentile, NearestRank) {
  EXPECT_EQ(percentile({}, 50), 0);
  EXPECT_EQ(percentile({5, 1, 3, 2, 4}, 50), 3);
  EXPECT_EQ(percentile({5, 1, 3, 2, 4}, 100), 5);
  EXPECT_EQ(percentile({5, 1, 3, 2, 4}, 0), 1);
}

TEST(Escaping, XmlDropsForbiddenControlsAndRepairsUtf8) {
  EXPECT_EQ(report_text::xml_escape(std::string("a\x01<b>\xff", 6)), "a\xEF\xBF\xBD&lt;b&gt;\xEF\xBF\xBD");
  EXPECT_EQ(report_text::html_escape("'\"&"), "&#39;&quot;&amp;");
  EXPECT_EQ(report_text::shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(report_text::json_for_script(json("</script><!--&")), "\"\\u003c/script\\u003e\\u003c!--\\u0026\"");
}

TEST(JUnit, OneTestcasePerInvariantWithFailuresAndCommand) {
  const std::string xml = render_junit(test::failing_input());
  EXPECT_TRUE(test::contains_all(xml, {"<testsuites name=\"racecheck\" tests=\"4\" failures=\"2\" errors=\"0\" skipped=\"0\"",
      "<testcase name=\"conservation\" classname=\"racecheck.http_127_0_0_1_18081\"",
      "<failure message=\"2 withdrawals of 50 succeeded from 100",
      "Reproduce: racecheck run targets/express/rw.json --seed 42"}));
  EXPECT_EQ(xml.find("<script>"), std::string::npos);
}

TEST(JUnit, SeveralTargetsGiveSeveralSuitesAndStatusesMapToElements) {
  ReportInput a = test::passing_input();
  ReportInput b = test::failing_input();
  b.verdicts.verdicts[0].status = Status::Unknown;
  b.verdicts.verdicts[0].summary = "search budget of 10 s exhausted";
  Violation should;
  should.invariant = "idempotency";
  should.severity = Severity::Should;
  should.explanation = "refusal for key k1 was not replayed";
  b.verdicts.verdicts[3].status = Status::Fail;
  b.verdicts.verdicts[3].violations = {should};
  const std::string xml = render_junit(std::vector<ReportInput>{a, b});
  EXPECT_TRUE(test::contains_all(xml, {"tests=\"7\" failures=\"2\" errors=\"1\" skipped=\"1\"",
      "<testsuite name=\"racecheck http://127.0.0.1:18080\"", "<testsuite name=\"racecheck http://127.0.0.1:18081\"",
      "<error message=\"inconclusive: search budget of 10 s exhausted\"",
      "<skipped message=\"no idempotency keys in this history\"/>",
      "SHOULD-level deviations (not failing the gate):"}));
}

TEST(Console, SummarisesVerdictsRateAndCommand) {
  const std::string text = render_console_summary(test::failing_input());
  EXPECT_EQ(text.rfind("racecheck: FAIL  target http://127.0.0.1:18081  seed 42\n", 0), 0u);
  EXPECT_TRUE(test::contains_all(text, {"fail    conservation", "MUST: 2 withdrawals of 50",
      "failed 7/10 re-runs (95% CI 40-89%)", "reproduce: racecheck run"}));
  EXPECT_EQ(render_console_summary(test::passing_input()).find("reproduce:"), std::string::npos);
  EXPECT_NE(render_console_summary(test::failing_input(), true).find("\x1b[1;31mFAIL\x1b[0m"), std::string::npos);
}

TEST(CurlScript, ClientsRunConcurrentlyAndRedactedHeadersComeFromTheEnvironment) {
  const std::string sh = render_curl_script(test::failing_input());
  EXPECT_EQ(sh.rfind("#!/bin/sh\n", 0), 0u);
  EXPECT_TRUE(test::contains_all(sh, {"-H 'Authorization: '\"${RACECHECK_HEADER_AUTHORIZATION}\"",
      "-H 'Cookie: '\"${RACECHECK_HEADER_COOKIE}\"", "-H 'Idempotency-Key: c0-op0'",
      "--data-binary '{\"amount\":50}' 'http://127.0.0.1:18081/accounts/1/withdraw'", ") &  # client 0\n",
      ") &  # client 1\n", "\nwait\n"}));
}

}  // namespace
}  // namespace racecheck
