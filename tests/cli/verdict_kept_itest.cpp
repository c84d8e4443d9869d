// A violation once proved is never lost: whatever fails after it (a history
// that cannot be written, a closed stdout, response bytes that are not UTF-8, a
// captured value that cannot go into a header), `racecheck` still writes every
// report it can and exits 1. Output paths are checked before the first request.
// Runs the real binary against the embedded demo bank and
// tests/cli/misbehaving_server.h.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <signal.h>

#include <chrono>
#include <limits>
#include <set>
#include <sstream>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/run_cli.h"
#include "harness/spec.h"
#include "harness/spec_protocol.h"
#include "tests/cli/misbehaving_server.h"
#include "tests/cli/cli_fixtures.h"

namespace racecheck::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

// The misbehaving bank's spec, one account of `initial_balance`, bursts of
// withdrawals; `withdraw_headers` are added to the withdraw operation.
json bank_spec(int initial_balance, json withdraw_headers = json::object()) {
  json spec = account_bank_spec("verdict-kept bank", initial_balance);
  if (!withdraw_headers.empty()) spec["operations"]["withdraw"]["headers"] = withdraw_headers;
  return spec;
}

class VerdictKept : public ::testing::Test {
 protected:
  fs::path write_spec(const json& spec) {
    const fs::path p = dir_.path / "spec.json";
    write_file(p, spec.dump(2));
    return p;
  }
  ProcessResult run(std::vector<std::string> args, std::chrono::milliseconds limit = 120s) {
    args.insert(args.begin(), kRacecheck);
    return run_process(args, dir_.path, limit);
  }
  // The racy demo bank, found at once with seed 1; little shrinking, no re-runs.
  std::vector<std::string> racy_demo(std::vector<std::string> extra) const {
    std::vector<std::string> a = {"demo", "--balance", "racy", "--seed", "1", "--budget", "30s",
                                  "--shrink-budget", "2s", "--repro", "0", "--quiet"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  TempDir dir_;
};

TEST_F(VerdictKept, HistoryOnAFullDiskKeepsTheViolationAndTheReports) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  const auto html = dir_.path / "r.html", result = dir_.path / "r.json";
  const ProcessResult r =
      run(racy_demo({"--history", "/dev/full", "--html", html.string(), "--json", result.string()}));
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("cannot write the history"), std::string::npos) << describe(r);
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << describe(r);
  ASSERT_TRUE(fs::exists(result)) << describe(r);
  EXPECT_EQ(json::parse(read_file(result)).at("overall"), "fail");
  EXPECT_GT(fs::file_size(html), 1000u);
}

TEST_F(VerdictKept, AReportOnAFullDiskIsNotWrittenAndKeepsExit1) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  const auto result = dir_.path / "r.json";
  const ProcessResult r = run(racy_demo({"--html", "/dev/full", "--json", result.string()}));
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("racecheck: cannot write the HTML report to /dev/full: No space left on device"),
            std::string::npos)
      << describe(r);
  EXPECT_EQ(r.out.find("wrote /dev/full"), std::string::npos) << describe(r);
  EXPECT_NE(r.out.find("wrote " + result.string()), std::string::npos) << describe(r);
  EXPECT_TRUE(fs::exists(result));
}

TEST_F(VerdictKept, AReportOnAFullDiskWithoutAViolationIsALocalFailure) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  MisbehavingServer server(Misbehaviour::None);
  const ProcessResult r = run({"run", write_spec(bank_spec(1000)).string(), "--target", server.url(), "--seed", "1",
                               "--repro", "0", "--quiet", "--trials", "2", "--junit", "/dev/full"});
  EXPECT_EQ(r.exit_code, 6) << describe(r);
  EXPECT_NE(r.err.find("cannot write the JUnit XML to /dev/full"), std::string::npos) << describe(r);
}

TEST_F(VerdictKept, MissingReportDirectoryIsExit2BeforeAnyRequest) {
  MisbehavingServer server(Misbehaviour::None);
  const ProcessResult r = run({"run", write_spec(bank_spec(100)).string(), "--target", server.url(), "--quiet",
                               "--html", "/nonexistent-racecheck-dir/x.html"});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("--html"), std::string::npos) << describe(r);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << describe(r);
  EXPECT_EQ(server.accounts_created(), 0) << "no request before the output paths are known to be writable";
}

TEST_F(VerdictKept, TwoOutputsWithTheSamePathAreRefused) {
  MisbehavingServer server(Misbehaviour::None);
  const auto same = dir_.path / "out.json";
  const auto other_spelling = dir_.path / "." / "out.json";
  const ProcessResult r = run({"run", write_spec(bank_spec(100)).string(), "--target", server.url(), "--quiet",
                               "--json", same.string(), "--history", other_spelling.string()});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("--history and --json"), std::string::npos) << describe(r);
  EXPECT_EQ(server.accounts_created(), 0);
  EXPECT_FALSE(fs::exists(same)) << "the check leaves no file behind";
}

TEST_F(VerdictKept, ClosedStdoutDoesNotLoseTheReports) {
  MisbehavingServer server(Misbehaviour::Overdraft);
  const auto result = dir_.path / "r.json";
  std::string command = kRacecheck;
  const std::vector<std::string> args = {"run",  write_spec(bank_spec(10)).string(), "--target", server.url(),
                                         "--seed", "1", "--repro", "0", "--quiet", "--shrink-budget", "2s",
                                         "--json", result.string()};
  for (const auto& a : args) command += " '" + a + "'";
  // `true` exits at once: every write to stdout meets a closed pipe. The
  // children get SIGPIPE's default action (kill), whatever this process inherited.
  struct sigaction previous {};
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigaction(SIGPIPE, &default_action, &previous);
  const ProcessResult r =
      run_process({"/bin/bash", "-c", command + " | true; exit ${PIPESTATUS[0]}"}, dir_.path, 120s);
  sigaction(SIGPIPE, &previous, nullptr);
  EXPECT_EQ(r.exit_code, 1) << describe(r) << "\n(141 = killed by SIGPIPE)";
  ASSERT_TRUE(fs::exists(result)) << describe(r);
  EXPECT_EQ(json::parse(read_file(result)).at("overall"), "fail");
}

TEST_F(VerdictKept, BodiesThatAreNotUtf8AreKeptAndShownEscaped) {
  MisbehavingServer server(Misbehaviour::OverdraftNotUtf8);
  const auto result = dir_.path / "r.json", html = dir_.path / "r.html", history = dir_.path / "h.jsonl";
  const ProcessResult r = run({"run", write_spec(bank_spec(10)).string(), "--target", server.url(), "--seed", "1",
                               "--repro", "0", "--quiet", "--shrink-budget", "2s", "--json", result.string(),
                               "--html", html.string(), "--history", history.string()});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  ASSERT_TRUE(fs::exists(result)) << describe(r);
  const json report = json::parse(read_file(result));
  EXPECT_EQ(report.at("overall"), "fail");
  // The JSON result's history keeps the bytes exactly, as the history file does.
  bool kept = false;
  for (const auto& e : report.at("history")) {
    std::string bytes;
    if (e.contains("body_base64") && base64_decode(e.at("body_base64").get<std::string>(), &bytes))
      kept = kept || bytes == "withdrawn \xff\xfe\xc3(\x80 bytes";
  }
  EXPECT_TRUE(kept) << report.at("history").dump();
  EXPECT_TRUE(fs::exists(html));
  // The history keeps the bytes exactly (base64) and reads back.
  EXPECT_NE(read_file(history).find("\"body_base64\""), std::string::npos);
  const ProcessResult c = run({"check", history.string(), "--model", "account"});
  EXPECT_EQ(c.exit_code, 1) << describe(c);
}

TEST_F(VerdictKept, CapturedValueWithALineBreakIsNotSentAndNamed) {
  MisbehavingServer server(Misbehaviour::LineBreakInId);
  const auto result = dir_.path / "r.json";
  const ProcessResult r =
      run({"run", write_spec(bank_spec(100, {{"X-Account", "{account}"}})).string(), "--target", server.url(),
           "--seed", "1", "--repro", "0", "--quiet", "--trials", "2", "--json", result.string()});
  EXPECT_NE(r.exit_code, 3) << describe(r);
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 4) << describe(r);
  ASSERT_TRUE(fs::exists(result)) << describe(r);
  EXPECT_EQ(server.withdrawals_seen(), 0) << "a request with CR LF in a header is never sent";
  bool named = false;
  const json report = json::parse(read_file(result));
  for (const auto& e : report.at("history")) {
    const std::string error = e.value("error", "");
    if (error.rfind("invalid-header-value", 0) == 0) {
      EXPECT_EQ(e.at("type"), "fail") << e.dump();
      named = named || (error.find("X-Account") != std::string::npos && error.find("{account}") != std::string::npos);
    }
  }
  EXPECT_TRUE(named) << read_file(result);
}

TEST_F(VerdictKept, HistoryKeepsEveryTrialAndCheckJudgesEachAlone) {
  MisbehavingServer server(Misbehaviour::None);
  const auto history = dir_.path / "h.jsonl";
  const ProcessResult r = run({"run", write_spec(bank_spec(1000)).string(), "--target", server.url(), "--seed", "1",
                               "--repro", "0", "--quiet", "--trials", "3", "--history", history.string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  std::set<int> trials;
  std::istringstream lines(read_file(history));
  for (std::string line; std::getline(lines, line);)
    trials.insert(json::parse(line).at("trial").get<int>());
  EXPECT_EQ(trials, (std::set<int>{1, 2, 3}));
  // Each trial reset the target: `check` judges the trials as separate histories.
  const ProcessResult c = run({"check", history.string(), "--model", "account"});
  EXPECT_EQ(c.exit_code, 0) << describe(c);
  EXPECT_NE(c.out.find("3 trials, overall: pass"), std::string::npos) << describe(c);
}

// Rendering a request must stay linear in the number of headers: a quadratic
// renderer takes tens of seconds per request for 20,000 headers, past this bound.
TEST(VerdictKeptSpec, TwentyThousandHeadersLoadAndRenderQuickly) {
  json spec = bank_spec(100);
  spec["base_urls"] = {"http://127.0.0.1:9"};
  json headers = json::object();
  for (int i = 0; i < 20000; ++i) headers["X-Header-" + std::to_string(i)] = "v" + std::to_string(i);
  spec["headers"] = headers;
  const auto start = std::chrono::steady_clock::now();
  const Spec loaded = parse_spec_text(spec.dump(), "spec.json");
  const OperationSpec* read = loaded.find_operation("read");
  ASSERT_NE(read, nullptr);
  const HttpRequest request = render_request(loaded, read->request, loaded.base_urls.front(),
                                             [](const std::string&) { return json("a1"); });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(request.headers.size(), 20000u);
  EXPECT_LT(seconds, 5.0) << "a generous bound: linear takes milliseconds";
}

// A number no int64 can hold is never extracted (the models would read
// 2^64-1 as -1): the op is info, and the error names the value as received.
TEST(VerdictKeptSpec, NumbersBeyondInt64AreOutOfRangeNotExtracted) {
  const Spec spec = parse_spec_text(bank_spec(100).dump(), "spec.json");
  const SpecProtocol protocol(spec, TrialVariables{});
  ScenarioOp read;
  read.f = "read";
  read.args = json{{"account", 0}};
  for (const std::string number : {"9223372036854775808", "18446744073709551615", "1e30", "-1e30"}) {
    HttpResponse response;
    response.status = 200;
    response.body = "{\"balance\": " + number + "}";
    const Classification c = protocol.classify(read, response);
    EXPECT_EQ(c.outcome, Outcome::Info) << number;
    EXPECT_EQ(c.error.rfind("value-out-of-range: balance ", 0), 0u) << c.error;
    EXPECT_FALSE(c.extracted.contains("balance")) << c.extracted.dump();
  }
  HttpResponse in_range;
  in_range.status = 200;
  in_range.body = R"({"balance": 9223372036854775807})";
  const Classification c = protocol.classify(read, in_range);
  EXPECT_EQ(c.outcome, Outcome::Ok);
  EXPECT_EQ(c.extracted.at("balance").get<std::int64_t>(), std::numeric_limits<std::int64_t>::max());
}

// Any bytes in a response body reach every report without an exception: the
// JSON result shows them escaped and parses, the history keeps them exactly.
RC_GTEST_PROP(VerdictKeptBytes, AnyBodyIsWrittenToEveryReport, (const std::string& body)) {
  TempDir dir;
  Event invoke;
  invoke.process = 0;
  invoke.type = EventType::Invoke;
  invoke.f = "read";
  invoke.value = json{{"account", 0}};
  Event done = invoke;
  done.index = 1;
  done.type = EventType::Ok;
  done.status = 200;
  done.body = body;
  done.value = json{{"account", 0}, {"balance", 5}};
  ReportInput in;
  in.title = "bytes";
  in.history = {invoke, done};
  in.ops = pair_operations(in.history).ops;
  const auto html = dir.path / "r.html", junit = dir.path / "r.xml", result = dir.path / "r.json";
  RC_ASSERT(write_report_files(html.string(), junit.string(), result.string(), in));
  const json back = json::parse(read_file(result));
  RC_ASSERT(back.is_object());
  RC_ASSERT(parse_history_jsonl(event_to_jsonl(done)).events.at(0).body == body);
}

}  // namespace
}  // namespace racecheck::test
