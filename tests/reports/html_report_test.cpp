#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "reports/html_assets.h"
#include "reports/reports.h"
#include "tests/reports/report_fixtures.h"

namespace racecheck {
namespace {

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

TEST(HtmlReport, FailingRunShowsVerdictsAndExplanationsFirst) {
  const std::string html = render_html(test::failing_input());
  EXPECT_NE(html.find("<span class=\"badge fail\">FAIL</span>"), std::string::npos);
  const auto verdicts = html.find("id=\"verdicts\""), timeline = html.find("id=\"timeline-section\"");
  ASSERT_NE(verdicts, std::string::npos);
  EXPECT_LT(verdicts, timeline);
  EXPECT_TRUE(test::contains_all(html, {"2 withdrawals of 50 succeeded from 100 but the balance fell by 50",
      "data-goto-op=\"5\""}));
}

// racecheck run writes a trial's setup as process -1 and its final reads as -2:
// the timeline names those lanes, and the burst band starts at the clients'
// first requests (sent at 500 µs and 510 µs), not at the setup (sent at 20 µs).
TEST(HtmlReport, SetupAndFinalReadLanesAreNamedAndLeftOutOfTheBurst) {
  ReportInput in;
  in.title = "lanes";
  test::add_ops(in, {
      {-1, "open", json::object(), {{"account", "a1"}}, Outcome::Ok, "", 0, 100'000, "", 1, 201, "{}"},
      {0, "withdraw", {{"amount", 50}}, {{"amount", 50}}, Outcome::Ok, "", 480'000, 900'000, "", 1, 200, "{}"},
      {1, "withdraw", {{"amount", 50}}, {{"amount", 50}}, Outcome::Ok, "", 490'000, 950'000, "", 1, 200, "{}"},
      {-2, "read", json::object(), {{"balance", 0}}, Outcome::Ok, "", 1'000'000, 1'100'000, "", 1, 200, "{}"},
  });
  in.burst_spread_ns = 10'000;
  const std::string html = render_html(in);
  EXPECT_NE(html.find(R"("labels":{"-1":"setup","-2":"final read","0":"client 0","1":"client 1"})"), std::string::npos);
  EXPECT_NE(html.find(R"("processes":[-1,0,1,-2])"), std::string::npos) << "lanes: setup, clients, final read";
  EXPECT_NE(html.find(R"("burst":{"spread":10000.0,"start":500000.0})"), std::string::npos)
      << html.substr(html.find("\"burst\""), 80);
}

// A body the executor cut at max_body_bytes is marked as cut in the data the
// request's details panel reads (an uncut one is not).
TEST(HtmlReport, CutBodyIsMarked) {
  ReportInput in = test::passing_input();
  in.history[in.ops[1].complete_event].body_truncated = true;
  const std::string html = render_html(in);
  EXPECT_EQ(count(html, R"("cut":true)"), 1u);
  EXPECT_EQ(count(html, R"("cut":false)"), in.ops.size() - 1);
}

TEST(HtmlReport, TargetMarkupAppearsOnlyEscaped) {
  const std::string html = render_html(test::failing_input());
  EXPECT_TRUE(test::contains_none(html, {test::kScriptBody, "alert(1)</script>"}));
  // The body is in the data block, with '<' and '>' as JSON escapes.
  EXPECT_NE(html.find("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"), std::string::npos);
  // Exactly our two script elements: the data block and the timeline code.
  EXPECT_EQ(count(html, "<script"), 2u);
  EXPECT_EQ(count(html, "</script>"), 2u);
}

TEST(HtmlReport, TitleAndSpecStringsAreEscaped) {
  ReportInput in = test::passing_input();
  in.title = "</title><img src=x onerror=alert(2)>";
  in.verdicts.verdicts[0].summary = "<b>bold</b> & \"quoted\"";
  in.verdicts.verdicts[0].invariant = "<i>inv</i>";
  const std::string html = render_html(in);
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  EXPECT_TRUE(test::contains_all(html, {"&lt;/title&gt;&lt;img src=x onerror=alert(2)&gt;",
      "&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;"}));
  EXPECT_EQ(html.find("<i>inv</i>"), std::string::npos);
}

TEST(HtmlReport, SelfContainedWithoutNetwork) {
  const std::string html = render_html(test::failing_input());
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  // No external resource: no src/href attribute pointing anywhere.
  EXPECT_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=\s*["']?\s*(https?:)?//)", std::regex::icase)));
  EXPECT_TRUE(test::contains_none(html, {"<link", "@import"}));
}

// The CSP allows the inline blocks by hash only: each hash matches its block,
// and nothing else in the markup needs 'unsafe-inline'.
TEST(HtmlReport, CspHashesTheInlineBlocksAndAllowsNoUnsafeInline) {
  // SHA-256 test vectors (FIPS 180-2): "abc" and the empty string.
  EXPECT_EQ(html_assets::csp_hash_source("abc"), "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='");
  EXPECT_EQ(html_assets::csp_hash_source(""), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
  const std::string html = render_html(test::failing_input());
  std::smatch csp;
  ASSERT_TRUE(std::regex_search(html, csp, std::regex("http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\"")));
  const std::string policy = csp[1];
  EXPECT_EQ(policy.find("unsafe"), std::string::npos) << policy;
  auto block = [&](const std::string& open, const std::string& close) {
    const std::size_t start = html.find(open);
    EXPECT_NE(start, std::string::npos) << open;
    const std::size_t from = start + open.size();
    return html.substr(from, html.find(close, from) - from);
  };
  const std::string style = block("<style>", "</style>"), script = block("<script>", "</script>");
  EXPECT_NE(policy.find("style-src " + html_assets::csp_hash_source(style) + ";"), std::string::npos) << policy;
  EXPECT_NE(policy.find("script-src " + html_assets::csp_hash_source(script) + ";"), std::string::npos) << policy;
  EXPECT_EQ(count(html, "<style"), 1u);
  EXPECT_EQ(count(html, "<script>"), 1u);  // besides the JSON data block, which does not run
  // A CSP without 'unsafe-inline' blocks style attributes and inline handlers.
  std::string markup = html;
  for (const std::string& b : {style, script}) markup.erase(markup.find(b), b.size());
  EXPECT_FALSE(std::regex_search(markup, std::regex(R"(<[a-z][^>]*\sstyle\s*=)", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(markup, std::regex(R"(<[a-z][^>]*\son[a-z]+\s*=)", std::regex::icase)));
}

TEST(HtmlReport, LinearizabilitySectionShowsPrefixAndUnplaceableOpWithStates) {
  const std::string html = render_html(test::failing_input());
  const auto section = html.find("id=\"linearizability\"");
  ASSERT_NE(section, std::string::npos);
  const std::string lin = html.substr(section, html.find("</section>", section) - section);
  EXPECT_TRUE(test::contains_all(lin, {"<td>L1</td>", "balance 100", "balance 50", "class=\"unplaceable\"",
      "cannot be placed"}));
}

TEST(HtmlReport, ScenarioSectionHasRateSeedCommandAndCurl) {
  const std::string html = render_html(test::failing_input());
  EXPECT_TRUE(test::contains_all(html, {"failed 7 of 10 re-runs (70%; 95% Wilson interval 39.7&ndash;89.2%)",
      "<code>42</code>", "racecheck run targets/express/rw.json --seed 42", "curl -sS -X &#39;POST&#39;"}));
}

TEST(HtmlReport, StatsSectionHasPercentilesChartAndOutcomes) {
  const std::string html = render_html(test::failing_input());
  EXPECT_TRUE(test::contains_all(html, {"latency p50", "aria-label=\"latency histogram\"",
      "<td><b>deposit</b></td><td>50</td><td>0</td><td>8</td>"}));
}

TEST(HtmlReport, PassingRunRendersPass) {
  const std::string html = render_html(test::passing_input());
  EXPECT_NE(html.find("<span class=\"badge pass\">PASS</span>"), std::string::npos);
  EXPECT_TRUE(test::contains_none(html, {"id=\"linearizability\"", "class=\"violation"}));
}

TEST(HtmlReport, EmptyInputStillRenders) {
  const std::string html = render_html(ReportInput{});
  EXPECT_TRUE(test::contains_all(html, {"No invariant was checked.", "</html>"}));
}

TEST(HtmlReport, InvalidUtf8AndControlBytesDoNotBreakRendering) {
  ReportInput in = test::failing_input();
  in.ops[1].body = std::string("bad \xff\xfe bytes \x01 end");
  in.history[1].body = in.ops[1].body;
  in.verdicts.verdicts[1].summary = std::string("summary \xc3");
  std::string html;
  ASSERT_NO_THROW(html = render_html(in));
  EXPECT_NE(html.find("summary \xEF\xBF\xBD"), std::string::npos);
}

TEST(HtmlReport, LargeHistoryRendersEveryOpWithinBudget) {
  const ReportInput in = test::large_input();
  ASSERT_EQ(in.ops.size(), 3000u);
  const auto start = std::chrono::steady_clock::now();
  const std::string html = render_html(in);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_NE(html.find("\"id\":2999"), std::string::npos);
  // The failing window is the initial view: it starts near the violating ops, not at 0.
  const std::smatch m = [&] {
    std::smatch s;
    std::regex_search(html, s, std::regex(R"re("window":\{"end":([0-9.e+]+),"start":([0-9.e+]+)\})re"));
    return s;
  }();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_GT(std::stod(m[2].str()), 0.0);
}

}  // namespace
}  // namespace racecheck

namespace racecheck {
namespace {

// Leaves example reports in the build tree (for reports/screenshot.sh and the README).
TEST(HtmlReport, WritesExampleReportsIntoTheBuildTree) {
  const std::filesystem::path dir = std::filesystem::path(RACECHECK_BINARY_DIR) / "report-examples";
  std::filesystem::create_directories(dir);
  const std::vector<std::pair<std::string, ReportInput>> examples = {
      {"failing", test::failing_input()}, {"passing", test::passing_input()}, {"large", test::large_input()}};
  for (const auto& [name, input] : examples) {
    std::ofstream(dir / (name + ".html"), std::ios::binary) << render_html(input);
    std::ofstream(dir / (name + ".junit.xml"), std::ios::binary) << render_junit(input);
    std::ofstream(dir / (name + ".json"), std::ios::binary) << render_json(input).dump(2);
    EXPECT_GT(std::filesystem::file_size(dir / (name + ".html")), 1000u);
  }
}

}  // namespace
}  // namespace racecheck
