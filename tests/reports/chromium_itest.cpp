// Opens the HTML report in real headless Chromium (Debian's /usr/bin/chromium):
// the script runs without console errors and builds one timeline bar per request;
// a target response containing <script> stays text.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "reports/reports.h"
#include "tests/reports/report_fixtures.h"
#include "tests/reports/test_process.h"

namespace racecheck {
namespace {

const char* kChromium = "/usr/bin/chromium";

struct DumpedPage {
  std::string dom;
  std::string log;
};

DumpedPage dump_dom(const std::string& html, const test::TempDir& dir) {
  const auto file = dir.path / "report.html";
  test::write_file(file, html);
  const auto profile = dir.path / "profile";
  std::filesystem::create_directories(profile);
  // --virtual-time-budget lets the page's script finish before the DOM is dumped.
  const auto r = test::run_process(
      {kChromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
       "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
       "--user-data-dir=" + profile.string(), "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
       "--dump-dom", "file://" + file.string()},
      dir.path, std::chrono::seconds(90));
  EXPECT_FALSE(r.timed_out) << "chromium did not finish in 90 s";
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return {r.out, r.err};
}

std::size_t count_matches(const std::string& text, const std::regex& re) {
  return static_cast<std::size_t>(std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

// Console messages Chromium logs to stderr with --enable-logging. This Chromium
// logs console.error and uncaught exceptions alike as "INFO:CONSOLE(...)" lines,
// without the level, and the report's script never logs: any console line counts.
std::vector<std::string> console_errors(const std::string& log) {
  std::vector<std::string> errors;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos ||
        line.find("Content Security Policy") != std::string::npos)
      errors.push_back(line);
  }
  return errors;
}

class Chromium : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kChromium))
        << kChromium << " is missing: install Debian's browser with `apt-get install -y chromium` (never a downloaded one)";
  }
  test::TempDir dir;
};

// The detector is not vacuous: a page whose script throws and logs is caught.
TEST_F(Chromium, ConsoleErrorsAreDetected) {
  const DumpedPage page =
      dump_dom("<!DOCTYPE html><html><body><script>console.error('boom'); undefinedFunction();</script></body></html>", dir);
  const auto errors = console_errors(page.log);
  ASSERT_EQ(errors.size(), 2u) << page.log;
  EXPECT_NE(errors[1].find("Uncaught ReferenceError"), std::string::npos);
}

TEST_F(Chromium, FailingReportHasOneBarPerRequestAndNoConsoleErrors) {
  const ReportInput in = test::failing_input();
  const DumpedPage page = dump_dom(render_html(in), dir);
  const std::regex bar(R"re(<div class="bar (ok|fail|info)[^"]*" data-op="\d+")re");
  EXPECT_EQ(count_matches(page.dom, bar), in.ops.size());
  for (const Operation& op : in.ops)
    EXPECT_NE(page.dom.find("data-op=\"" + std::to_string(op.id) + "\""), std::string::npos) << "op " << op.id;
  // The violating ops are highlighted; retries and duplicate keys are linked.
  EXPECT_EQ(count_matches(page.dom, std::regex(R"(class="bar \w+ violating)")), 3u);
  EXPECT_NE(page.dom.find("<title>retry c2-op0</title>"), std::string::npos);
  EXPECT_NE(page.dom.find("<title>duplicate key c1-op0</title>"), std::string::npos);
  EXPECT_NE(page.dom.find("burst arrival spread 240.0 µs"), std::string::npos);
  // The script selected the first violating request: its details are shown, as text.
  EXPECT_NE(page.dom.find("Request #0"), std::string::npos);
  EXPECT_TRUE(console_errors(page.log).empty()) << page.log;
  EXPECT_EQ(page.dom.find(test::kScriptBody), std::string::npos);
  EXPECT_EQ(page.dom.find(test::kSecret), std::string::npos);
}

TEST_F(Chromium, HostileBodyStaysTextWhenItsRequestIsSelected) {
  ReportInput in = test::failing_input();
  in.verdicts.verdicts[1].violations[0].ops = {1};  // make op 1 (the <script> body) the first one selected
  in.verdicts.verdicts[2].violations[0].ops = {1};
  const DumpedPage page = dump_dom(render_html(in), dir);
  EXPECT_NE(page.dom.find("Request #1"), std::string::npos);
  EXPECT_NE(page.dom.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(page.dom.find(test::kScriptBody), std::string::npos);
  EXPECT_TRUE(console_errors(page.log).empty()) << page.log;
}

// The hash-only CSP is enforced: the report's script runs (bars are built and no
// violation is logged), and the same page with one byte of the script changed
// is blocked.
TEST_F(Chromium, ScriptRunsUnderTheHashOnlyCspAndATamperedScriptIsBlocked) {
  const ReportInput in = test::failing_input();
  const std::string html = render_html(in);
  ASSERT_EQ(html.find("unsafe-inline"), std::string::npos);
  const DumpedPage page = dump_dom(html, dir);
  EXPECT_EQ(count_matches(page.dom, std::regex(R"re(<div class="bar (ok|fail|info)[^"]*" data-op=)re")), in.ops.size());
  EXPECT_TRUE(console_errors(page.log).empty()) << page.log;

  std::string tampered = html;
  const std::size_t script = tampered.find("<script>");
  ASSERT_NE(script, std::string::npos);
  tampered.insert(script + std::string("<script>").size(), " ");
  test::TempDir other;
  const DumpedPage blocked = dump_dom(tampered, other);
  EXPECT_EQ(count_matches(blocked.dom, std::regex(R"re(<div class="bar )re")), 0u);
  EXPECT_NE(blocked.log.find("Content Security Policy"), std::string::npos) << blocked.log;
}

TEST_F(Chromium, PassingReportRendersWithoutErrors) {
  const ReportInput in = test::passing_input();
  const DumpedPage page = dump_dom(render_html(in), dir);
  EXPECT_EQ(count_matches(page.dom, std::regex(R"re(<div class="bar (ok|fail|info)[^"]*" data-op=)re")), in.ops.size());
  EXPECT_TRUE(console_errors(page.log).empty()) << page.log;
}

TEST_F(Chromium, LargeHistoryRendersEveryBar) {
  const ReportInput in = test::large_input();
  const DumpedPage page = dump_dom(render_html(in), dir);
  EXPECT_EQ(count_matches(page.dom, std::regex(R"re(<div class="bar (ok|fail|info)[^"]*" data-op=)re")), 3000u);
  EXPECT_TRUE(console_errors(page.log).empty()) << page.log;
}

}  // namespace
}  // namespace racecheck
