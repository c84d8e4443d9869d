// `racecheck run` (the real binary) against targets that misbehave
// (tests/cli/misbehaving_server.h): one that dies mid-run, hangs, trickles,
// answers with garbage, non-JSON or a 100 MB body, or resets connections halfway
// through a response; and a run that is killed (SIGKILL) or interrupted (SIGINT).
// Whatever the target does, the run ends within its time bound, with bounded
// memory and a report of what ran, and never calls "pass" what it could not judge.
//
// A target that is down from the start is covered by DemoRun.UnreachableTargetExitsThree
// (run_demo_itest.cpp); executor-level SIGKILL by ExecutorITest.HistoryFileStays...
// (executor_itest.cpp). Here SIGKILL goes to the whole `racecheck run` and its
// history is read back by `racecheck check`.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/cli/misbehaving_server.h"
#include "tests/cli/cli_fixtures.h"
#include "tests/sanitizer_build.h"

namespace racecheck::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

constexpr double kSlowdown = kSanitizerBuild ? 4 : 1;

std::string spec_text(int timeout_ms, int max_body_bytes = 65536) {
  return misbehaving_bank_spec(timeout_ms, max_body_bytes).dump(2);
}

class MisbehavingTarget : public ::testing::Test {
 protected:
  void SetUp() override { spec_ = write_spec(400); }

  fs::path write_spec(int timeout_ms, int max_body_bytes = 65536) {
    const fs::path p = dir_.path / ("spec-" + std::to_string(timeout_ms) + ".json");
    write_file(p, spec_text(timeout_ms, max_body_bytes));
    return p;
  }

  // `racecheck run SPEC --target URL --seed 1 --repro 0 --quiet` + extra flags.
  std::vector<std::string> run_args(const std::string& url, std::vector<std::string> extra,
                                    const fs::path& spec = {}) const {
    std::vector<std::string> argv = {kRacecheck, "run", (spec.empty() ? spec_ : spec).string(), "--target", url,
                                     "--seed", "1", "--repro", "0", "--quiet"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  // `racecheck run` for `trials` trials against a server misbehaving as `how`;
  // the JSON result is at result_path().
  ProcessResult run_against(Misbehaviour how, int trials) {
    MisbehavingServer server(how);
    return run(run_args(server.url(), {"--trials", std::to_string(trials), "--json", result_path().string()}));
  }
  fs::path result_path() const { return dir_.path / "r.json"; }

  // run_against, expecting `exit_code` and a result whose overall status is
  // `overall`; returns that result.
  json result_of(Misbehaviour how, int trials, int exit_code, const std::string& overall) {
    const ProcessResult r = run_against(how, trials);
    EXPECT_EQ(r.exit_code, exit_code) << describe(r);
    const json report = read_json(result_path());
    EXPECT_EQ(report.at("overall"), overall);
    return report;
  }

  ProcessResult run(const std::vector<std::string>& argv, std::chrono::milliseconds limit = 60s) {
    return run_process(argv, dir_.path, std::chrono::milliseconds(static_cast<long long>(static_cast<double>(limit.count()) * kSlowdown)));
  }

  json read_json(const fs::path& p) const { return json::parse(read_file(p)); }

  // Completions (ok/fail/info) of the scenario's clients in a report's history.
  static std::vector<json> scenario_completions(const json& report) {
    std::vector<json> out;
    for (const auto& e : report.at("history"))
      if (e.at("process").get<int>() >= 0 && e.at("type") != "invoke") out.push_back(e);
    return out;
  }

  // A run in which no op was answered usably: exit 4 (inconclusive), overall
  // "unknown" in the JSON report, and every scenario op is info with one of `reasons`.
  void expect_inconclusive_with_info(const ProcessResult& r, const fs::path& json_path,
                                     const std::set<std::string>& reasons) const {
    EXPECT_EQ(r.exit_code, 4) << "exit " << r.exit_code << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err;
    const json report = read_json(json_path);
    EXPECT_EQ(report.at("overall"), "unknown");
    const auto completions = scenario_completions(report);
    ASSERT_FALSE(completions.empty());
    for (const auto& e : completions) {
      EXPECT_EQ(e.at("type"), "info") << e.dump();
      EXPECT_TRUE(reasons.count(e.value("error", ""))) << e.dump();
    }
  }

  TempDir dir_;
  fs::path spec_;
};

// Waits (bounded) until `ready` holds; false if it never did.
template <typename Pred>
bool wait_until(Pred ready, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!ready()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// A run stopped by SIGINT: whether it had reached the awaited point first, how
// long it took to stop after the signal, and what it did.
struct Interrupted {
  bool was_ready = false;
  double stop_s = 0;
  ProcessResult result;
};

// Waits (at most 20 s) until `ready` holds, sends `p` SIGINT, and waits (at most
// 30 s) for it to end.
template <typename Pred>
Interrupted interrupt_when(const SpawnedProcess& p, Pred ready) {
  Interrupted out;
  out.was_ready = wait_until(ready, 20s);
  const auto signalled = std::chrono::steady_clock::now();
  kill(p.pid, SIGINT);
  out.result = wait_process(p, 30s);
  out.stop_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  return out;
}

// Baseline: the same spec and server, behaving, pass. Every other test differs
// from this one only in the misbehaviour.
TEST_F(MisbehavingTarget, WellBehavedBankPasses) {
  const json report = result_of(Misbehaviour::None, 3, 0, "pass");
  EXPECT_EQ(report.at("stats").at("trials"), 3);
  for (const auto& e : scenario_completions(report)) EXPECT_NE(e.at("type"), "info") << e.dump();
}

// The target answers the first trial, then stops listening and drops every
// connection during the second trial's burst: those ops are info, the third
// trial's setup is refused, and the run still ends with its reports, exit 3.
TEST_F(MisbehavingTarget, DiesMidRunEndsWithAReportThatIsNotAPass) {
  MisbehavingServer server(Misbehaviour::DieAtAccount, /*die_at_account=*/2);
  const auto json_path = dir_.path / "r.json", html = dir_.path / "r.html", junit = dir_.path / "r.xml";
  const ProcessResult r = run(run_args(server.url(), {"--trials", "20", "--json", json_path.string(), "--html",
                                                      html.string(), "--junit", junit.string()}));
  ASSERT_TRUE(server.died());
  EXPECT_EQ(r.exit_code, 3) << describe(r);
  // The console summary names the URL and what failed.
  EXPECT_NE(r.out.find("the target failed: account 0 setup #0 (create account): POST " + server.url() + "/accounts"),
            std::string::npos)
      << describe(r);
  EXPECT_NE(r.out.find("connection refused"), std::string::npos) << describe(r);
  ASSERT_TRUE(fs::exists(json_path)) << describe(r);
  ASSERT_TRUE(fs::exists(html));
  ASSERT_TRUE(fs::exists(junit));
  const json report = read_json(json_path);
  EXPECT_NE(report.at("overall"), "pass") << report.at("verdicts").dump(2);
  EXPECT_EQ(report.at("stats").at("trials"), 2) << "trial 1 answered, trial 2 lost the target";
  // Both the run and the trial it shows say why they are not a pass.
  const std::string verdicts = report.at("verdicts").dump();
  EXPECT_NE(verdicts.find("stopped after 2 trial(s): the target failed"), std::string::npos) << verdicts;
  EXPECT_NE(verdicts.find("nothing observed: every operation ended info"), std::string::npos) << verdicts;
  // The evidence is the trial that lost the target: every op is info, with a reason.
  const auto completions = scenario_completions(report);
  ASSERT_FALSE(completions.empty());
  for (const auto& e : completions) {
    EXPECT_EQ(e.at("type"), "info") << e.dump();
    EXPECT_FALSE(e.value("error", "").empty()) << e.dump();
  }
  const std::string junit_text = read_file(junit);
  EXPECT_NE(junit_text.find("connection refused"), std::string::npos) << junit_text;
}

// Withdrawals never answered: each times out after the spec's 400 ms, the run
// ends within its bound, and a run in which no op was ever answered is
// inconclusive (exit 4), not a pass.
TEST_F(MisbehavingTarget, HangingTargetTimesOutWithinTheBudget) {
  const fs::path json_path = result_path();
  const ProcessResult r = run_against(Misbehaviour::Hang, 3);
  // 3 trials x 2 sequential ops x 400 ms of timeout, plus start-up and checking.
  EXPECT_LT(r.wall_s, 3 * 2 * 0.4 + 4 * kSlowdown) << describe(r);
  expect_inconclusive_with_info(r, json_path, {"timeout"});
}

// A response that keeps coming, one byte every 50 ms: the timeout is on the
// whole request, not on silence, so it still fires at 400 ms.
TEST_F(MisbehavingTarget, TricklingResponseTimesOut) {
  const fs::path json_path = result_path();
  const ProcessResult r = run_against(Misbehaviour::Trickle, 2);
  EXPECT_LT(r.wall_s, 2 * 2 * 0.4 + 4 * kSlowdown) << describe(r);
  expect_inconclusive_with_info(r, json_path, {"timeout"});
}

TEST_F(MisbehavingTarget, GarbageInsteadOfHttpIsInfoWithAReason) {
  const fs::path json_path = result_path();
  const ProcessResult r = run_against(Misbehaviour::Garbage, 3);
  expect_inconclusive_with_info(r, json_path, {"not-http"});
}

// An HTML page (with the bank's status) for withdrawals and reads. The spec calls
// any 2xx withdrawal ok and 409 fail, so they are recorded so, without a balance;
// a final read without a balance cannot be used by the account model: the trial
// is inconclusive with that reason, and the run still reports: the target
// answered, so this is no target failure (exit 3).
TEST_F(MisbehavingTarget, NonJsonAnswersAreRecordedAndReported) {
  const json report = result_of(Misbehaviour::NotJson, 2, 4, "unknown");
  EXPECT_NE(report.at("verdicts").dump().find("balance"), std::string::npos) << report.at("verdicts").dump(2);
  const auto completions = scenario_completions(report);
  ASSERT_FALSE(completions.empty());
  for (const auto& e : completions) {
    EXPECT_TRUE(e.at("type") == "ok" || e.at("type") == "fail") << e.dump();
    EXPECT_NE(e.value("body", "").find("<html>"), std::string::npos) << e.dump();
    EXPECT_FALSE(e.at("value").contains("balance")) << e.dump();
  }
}

// 100 MB per withdrawal: the executor keeps the first max_body_bytes and drops
// the rest, so the racecheck process stays far below the bodies' total size.
TEST_F(MisbehavingTarget, HundredMegabyteBodiesKeepMemoryBounded) {
  MisbehavingServer server(Misbehaviour::HugeBody);
  const auto json_path = dir_.path / "r.json";
  const fs::path spec = write_spec(20000, 65536);  // time enough to read 100 MB per op
  const ProcessResult r = run(run_args(server.url(), {"--trials", "2", "--json", json_path.string()}, spec), 120s);
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_GE(server.withdrawals_seen(), 4) << "2 trials of at least 2 withdrawals each";
  EXPECT_LT(r.max_rss_kb, 200 * 1024) << "peak RSS of racecheck in KiB";
  const auto completions = scenario_completions(read_json(json_path));
  ASSERT_FALSE(completions.empty());
  for (const auto& e : completions) {
    // 200 (applied) or 409 (insufficient funds), each with 100 MB of body.
    EXPECT_TRUE(e.at("type") == "ok" || e.at("type") == "fail") << e.dump().substr(0, 300);
    EXPECT_LE(e.value("body", "").size(), 65536u);
    EXPECT_TRUE(e.value("body_truncated", false)) << "the history says the body was cut";
  }
  std::cout << "[ measured ] racecheck peak RSS " << r.max_rss_kb / 1024 << " MiB over "
            << server.withdrawals_seen() << " bodies of 100 MiB, " << r.wall_s << " s\n";
}

// Half a response, then RST: info, "connection-reset" or "partial-response"
// depending on where libcurl was when the reset arrived.
TEST_F(MisbehavingTarget, ConnectionResetMidResponseIsInfo) {
  const fs::path json_path = result_path();
  const ProcessResult r = run_against(Misbehaviour::ResetMidResponse, 3);
  expect_inconclusive_with_info(r, json_path, {"connection-reset", "partial-response"});
}

// SIGKILL while a burst is in flight (the target hangs, so the kill lands
// between invokes and their completions): `racecheck check` reads the history
// file up to its last complete line and judges it.
TEST_F(MisbehavingTarget, SigkillMidRunLeavesAHistoryThatCheckReads) {
  MisbehavingServer server(Misbehaviour::Hang);
  const auto history = dir_.path / "h.jsonl";
  const SpawnedProcess p =
      spawn_process(run_args(server.url(), {"--budget", "60s", "--history", history.string()}), dir_.path);
  ASSERT_GT(p.pid, 0) << p.spawn_error;
  const bool in_flight = wait_until([&] { return server.withdrawals_seen() >= 2; }, 20s);
  if (in_flight) std::this_thread::sleep_for(50ms);  // let the invokes reach the file
  kill(p.pid, SIGKILL);
  const ProcessResult killed = wait_process(p, 10s);
  ASSERT_TRUE(in_flight) << describe(killed);
  ASSERT_EQ(killed.term_signal, SIGKILL) << describe(killed);

  const std::string text = read_file(history);
  std::size_t complete_lines = 0;
  for (char c : text) complete_lines += c == '\n';
  ASSERT_GE(complete_lines, 4u) << "open invoke/ok and at least two withdraw invokes:\n" << text;

  const auto check_json = dir_.path / "check.json";
  const ProcessResult c =
      run({kRacecheck, "check", history.string(), "--model", "account", "--json", check_json.string()}, 30s);
  EXPECT_TRUE(c.exit_code == 0 || c.exit_code == 4) << describe(c);
  const json checked = read_json(check_json);
  EXPECT_EQ(checked.at("history").size(), complete_lines) << text;
  EXPECT_NE(checked.at("overall"), "fail");
}

// SIGINT between trials: the run stops after the trial in flight, writes every
// report it was asked for, and exits 5 (interrupted); the report says so and is
// not a pass.
TEST_F(MisbehavingTarget, SigintStopsCleanlyAndWritesTheReports) {
  MisbehavingServer server(Misbehaviour::None);
  const auto json_path = dir_.path / "r.json", html = dir_.path / "r.html", junit = dir_.path / "r.xml";
  const SpawnedProcess p = spawn_process(
      run_args(server.url(), {"--budget", "60s", "--json", json_path.string(), "--html", html.string(), "--junit",
                              junit.string()}),
      dir_.path);
  ASSERT_GT(p.pid, 0) << p.spawn_error;
  const Interrupted stopped = interrupt_when(p, [&] { return server.accounts_created() >= 3; });
  const ProcessResult& r = stopped.result;
  const double stop_s = stopped.stop_s;
  ASSERT_TRUE(stopped.was_ready) << "running: " << describe(r);
  ASSERT_EQ(r.exit_code, 5) << describe(r);
  EXPECT_LT(stop_s, 5 * kSlowdown) << "stopped within a trial of the signal";
  ASSERT_TRUE(fs::exists(json_path)) << describe(r);
  ASSERT_TRUE(fs::exists(html));
  ASSERT_TRUE(fs::exists(junit));
  const json report = read_json(json_path);
  EXPECT_EQ(report.at("overall"), "unknown") << report.at("verdicts").dump(2);
  EXPECT_GE(report.at("stats").at("trials").get<int>(), 2);
  EXPECT_NE(report.at("verdicts").dump().find("interrupted"), std::string::npos) << report.at("verdicts").dump(2);
  EXPECT_NE(read_file(junit).find("interrupted"), std::string::npos);
  EXPECT_NE(r.out.find("interrupted"), std::string::npos) << describe(r);
}

// SIGINT while the target hangs, with a 20 s request timeout: the requests in
// flight are abandoned at once as info "interrupted" (not waited out), the
// final read is skipped, and the reports are still written.
TEST_F(MisbehavingTarget, SigintDuringAHangingBatchAbandonsItAtOnce) {
  MisbehavingServer server(Misbehaviour::Hang);
  const auto json_path = dir_.path / "r.json";
  const fs::path spec = write_spec(20000);
  const SpawnedProcess p =
      spawn_process(run_args(server.url(), {"--budget", "60s", "--json", json_path.string()}, spec), dir_.path);
  ASSERT_GT(p.pid, 0) << p.spawn_error;
  const Interrupted stopped = interrupt_when(p, [&] { return server.withdrawals_seen() >= 1; });
  const ProcessResult& r = stopped.result;
  const double stop_s = stopped.stop_s;
  ASSERT_TRUE(stopped.was_ready) << "in_flight: " << describe(r);
  ASSERT_EQ(r.exit_code, 5) << describe(r);
  EXPECT_LT(stop_s, 2 * kSlowdown) << "the 20 s timeouts were waited out: " << describe(r);
  ASSERT_TRUE(fs::exists(json_path)) << describe(r);
  const json report = read_json(json_path);
  EXPECT_NE(report.at("overall"), "pass");
  const auto completions = scenario_completions(report);
  ASSERT_FALSE(completions.empty()) << report.dump(2).substr(0, 2000);
  for (const auto& e : completions) {
    EXPECT_EQ(e.at("type"), "info") << e.dump();
    EXPECT_EQ(e.value("error", ""), "interrupted") << e.dump();
  }
}

}  // namespace
}  // namespace racecheck::test
