// A gate that never passes without evidence, and never blames the target for
// what happened on this machine or inside racecheck (docs/ci.md, exit codes):
//  - a zero search budget or trial count is a usage error (2) naming the flag;
//  - a target that answers every operation 404, 429 or 400 after a good setup is
//    inconclusive (4), with a "run" verdict saying what every operation got;
//  - `racecheck check` on a history in which nothing completed is inconclusive;
//  - out of file descriptors is this machine's fault (6), never the target's
//    "connection-refused", and never a pass;
//  - a --target port out of range or a non-ASCII host is a usage error (2);
//  - an unexpected exception is a racecheck bug (7), a TargetError still 3.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "harness/executor.h"
#include "harness/exit_codes.h"
#include "harness/http_client.h"
#include "harness/local_error.h"
#include "cli/run_cli.h"
#include "harness/trial.h"
#include "tests/cli/cli_fixtures.h"
#include "tests/cli/silent_port.h"

namespace racecheck::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

// Creates accounts correctly (setup succeeds, reads answer 200 with the
// balance) and answers every withdrawal with one fixed status: a deploy behind
// a wrong base path (404), a rate limiter (429), a request the service rejects (400).
class FixedStatusBank {
 public:
  explicit FixedStatusBank(int withdraw_status) {
    server_.Post("/accounts", [](const httplib::Request&, httplib::Response& res) {
      res.status = 201;
      res.set_content(R"({"id":"a1","balance":100})", "application/json");
    });
    server_.Post(R"(/accounts/[^/]+/withdraw)", [this, withdraw_status](const httplib::Request&, httplib::Response& res) {
      ++withdrawals_;
      res.status = withdraw_status;
      res.set_content(R"({"error":"nope"})", "application/json");
    });
    server_.Get(R"(/accounts/[^/]+)", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"balance":100})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 1000 && !server_.is_running(); ++i) std::this_thread::sleep_for(1ms);
  }
  ~FixedStatusBank() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int withdrawals() const { return withdrawals_.load(); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::atomic<int> withdrawals_{0};
  std::thread thread_;
};

// One account of 100; withdrawals (and, with reads, GETs) from 2-3 clients;
// the classify rules of a real bank spec: 404, 429 and 400 are determinate fails.
json bank_spec(json clients = {2, 3}, bool with_reads = false) {
  json spec = account_bank_spec("fixed-status bank", 100);
  spec["request"]["max_body_bytes"] = 65536;
  add_withdraw_rule(spec, {{"status", 400}, {"outcome", "fail"}, {"error", "bad-request"}});
  add_withdraw_rule(spec, {{"status", 404}, {"outcome", "fail"}, {"error", "no-such-account"}});
  add_withdraw_rule(spec, {{"status", 429}, {"outcome", "fail"}, {"error", "busy"}});
  add_withdraw_rule(spec, {{"status", "5xx"}, {"outcome", "info"}, {"error", "server-error"}});
  json& generator = spec["generator"];
  generator["clients"] = clients;
  if (with_reads) generator["op_mix"]["read"] = 1;
  generator["amount"] = {1, 40};
  generator["trials"] = 5;
  generator["budget_s"] = 10;
  return spec;
}

class GateEvidence : public ::testing::Test {
 protected:
  fs::path write_spec(const json& spec, const std::string& name = "spec.json") {
    const fs::path p = dir_.path / name;
    write_file(p, spec.dump(2));
    return p;
  }
  ProcessResult run(const std::vector<std::string>& args, std::chrono::milliseconds limit = 60s) {
    std::vector<std::string> argv = {kRacecheck};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, dir_.path, limit);
  }
  static std::string both(const ProcessResult& r) { return "stdout:\n" + r.out + "\nstderr:\n" + r.err; }

  TempDir dir_;
};

// ---------------------------------------------------------------------------
// Zero budgets and trial counts: usage errors naming the flag, nothing contacted.

TEST_F(GateEvidence, ZeroOrTinyBudgetIsAUsageErrorNamingTheFlag) {
  const SilentPort target;
  const fs::path spec = write_spec(bank_spec());
  for (const std::string budget : {"0", "0s", "0ms", "1e-9s", "-0", "0.0001s", "nan", "inf"}) {
    const ProcessResult r = run({"run", spec.string(), "--target", target.url(), "--budget", budget, "--quiet"});
    EXPECT_EQ(r.exit_code, exit_code::kUsage) << "--budget " << budget << "\n" << both(r);
    EXPECT_NE(r.err.find("--budget"), std::string::npos) << "--budget " << budget << "\n" << both(r);
    EXPECT_EQ(r.out.find("PASS"), std::string::npos) << "--budget " << budget << "\n" << both(r);
  }
  for (const std::string trials : {"0", "-1"}) {
    const ProcessResult r = run({"run", spec.string(), "--target", target.url(), "--trials", trials, "--quiet"});
    EXPECT_EQ(r.exit_code, exit_code::kUsage) << "--trials " << trials << "\n" << both(r);
    EXPECT_NE(r.err.find("--trials"), std::string::npos) << both(r);
  }
}

// ---------------------------------------------------------------------------
// A target whose every operation is refused passes nothing.

void expect_inconclusive_naming(const ProcessResult& r, const fs::path& json_path, const fs::path& junit_path,
                                const std::string& expected) {
  EXPECT_EQ(r.exit_code, exit_code::kInconclusive) << "stdout:\n" << r.out << "\nstderr:\n" << r.err;
  EXPECT_NE(r.out.find(expected), std::string::npos) << "console lacks \"" << expected << "\":\n" << r.out;
  ASSERT_TRUE(fs::exists(json_path)) << r.err;
  const json report = json::parse(read_file(json_path));
  ASSERT_FALSE(report.at("verdicts").empty());
  const json& first = report.at("verdicts").at(0);
  EXPECT_EQ(first.at("invariant"), "run");
  EXPECT_EQ(first.at("status"), "unknown");
  EXPECT_NE(first.at("summary").get<std::string>().find(expected), std::string::npos) << first.dump(2);
  EXPECT_NE(read_file(junit_path).find(expected), std::string::npos) << read_file(junit_path);
}

TEST_F(GateEvidence, EveryOperationAnswered404IsInconclusiveAndSaysWhy) {
  for (const auto& [status, label] : std::vector<std::pair<int, std::string>>{
           {404, "answered 404 (no-such-account)"}, {429, "answered 429 (busy)"}, {400, "answered 400 (bad-request)"}}) {
    const FixedStatusBank bank(status);
    const fs::path spec = write_spec(bank_spec());
    const fs::path json_path = dir_.path / "result.json", junit_path = dir_.path / "junit.xml";
    const ProcessResult r = run({"run", spec.string(), "--target", bank.url(), "--seed", "1", "--trials", "3",
                                 "--repro", "0", "--quiet", "--json", json_path.string(), "--junit",
                                 junit_path.string()});
    ASSERT_GT(bank.withdrawals(), 0) << both(r);
    expect_inconclusive_naming(r, json_path, junit_path, "every withdraw (");
    EXPECT_NE(r.out.find(label), std::string::npos) << status << ": " << r.out;
    EXPECT_NE(r.out.find("check the base URL"), std::string::npos) << r.out;
  }
}

TEST_F(GateEvidence, ReadsAnsweredOkDoNotMakeUpForRefusedWrites) {
  const FixedStatusBank bank(404);
  const fs::path spec = write_spec(bank_spec({2, 3}, true));
  const fs::path json_path = dir_.path / "result.json", junit_path = dir_.path / "junit.xml";
  const ProcessResult r = run({"run", spec.string(), "--target", bank.url(), "--seed", "3", "--trials", "4",
                               "--repro", "0", "--quiet", "--json", json_path.string(), "--junit", junit_path.string()});
  expect_inconclusive_naming(r, json_path, junit_path, "withdraw");
  EXPECT_NE(r.out.find("404 (no-such-account)"), std::string::npos) << r.out;
}

TEST_F(GateEvidence, MinOkZeroAcceptsRefusedWritesExplicitly) {
  const FixedStatusBank bank(404);
  const fs::path spec = write_spec(bank_spec());
  const ProcessResult r = run({"run", spec.string(), "--target", bank.url(), "--seed", "1", "--trials", "2",
                               "--repro", "0", "--quiet", "--min-ok", "0"});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << both(r);
}

TEST_F(GateEvidence, CorrectDemoBankStillPasses) {
  const ProcessResult r = run({"demo", "--balance", "safe", "--seed", "5", "--trials", "20", "--quiet"}, 120s);
  EXPECT_EQ(r.exit_code, exit_code::kOk) << both(r);
}

// ---------------------------------------------------------------------------
// `racecheck check` on histories in which nothing completed.

TEST_F(GateEvidence, CheckOnAHistoryWithNothingCompletedIsInconclusive) {
  const std::string open =
      R"({"process":0,"type":"invoke","f":"open","value":{"account":0,"balance":100},"time_ns":0})"
      "\n"
      R"({"process":0,"type":"ok","f":"open","value":{"account":0,"balance":100},"time_ns":1})"
      "\n";
  const std::string invoke =
      R"({"process":1,"type":"invoke","f":"withdraw","value":{"account":0,"amount":30},"time_ns":10})"
      "\n";
  const std::vector<std::pair<std::string, std::string>> histories = {
      {"empty", ""},
      {"blank", "\n\n   \n"},
      {"invoke-only", open + invoke},
      {"truncated", open + invoke + R"({"process":1,"type":"ok","f":"withdr)"},
  };
  for (const auto& [name, text] : histories) {
    const fs::path p = dir_.path / (name + ".jsonl");
    write_file(p, text);
    const ProcessResult r = run({"check", p.string(), "--model", "account"});
    EXPECT_EQ(r.exit_code, exit_code::kInconclusive) << name << "\n" << both(r);
    EXPECT_NE(r.err.find("nothing to judge"), std::string::npos) << name << "\n" << both(r);
  }
  // A history with a completed operation is still judged.
  const fs::path done = dir_.path / "done.jsonl";
  write_file(done, open + invoke +
                       R"({"process":1,"type":"ok","f":"withdraw","value":{"account":0,"amount":30,"balance":70},"time_ns":20})"
                       "\n");
  const ProcessResult r = run({"check", done.string(), "--model", "account"});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << both(r);
}

// ---------------------------------------------------------------------------
// Out of file descriptors: this machine's fault.

// Runs racecheck with RLIMIT_NOFILE soft = hard = `limit`: the POSIX shell's
// `ulimit -n` without -H or -S sets both, then execs racecheck in its place.
ProcessResult run_with_open_file_limit(const std::vector<std::string>& args, rlim_t limit, const fs::path& dir) {
  std::vector<std::string> argv = {"/bin/sh", "-c", "ulimit -n " + std::to_string(limit) + " && exec \"$0\" \"$@\"",
                                   kRacecheck};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, dir, 60s);
}

TEST_F(GateEvidence, ManyClientsUnderALowOpenFileLimitExitSixNotConnectionRefused) {
  const FixedStatusBank bank(200);
  const fs::path spec = write_spec(bank_spec({100, 120}));
  const fs::path json_path = dir_.path / "result.json";
  const ProcessResult r = run_with_open_file_limit(
      {"run", spec.string(), "--target", bank.url(), "--seed", "1", "--trials", "2", "--repro", "0", "--quiet",
       "--json", json_path.string()},
      64, dir_.path);
  EXPECT_EQ(r.exit_code, exit_code::kLocal) << both(r);
  EXPECT_NE(r.err.find("file descriptors"), std::string::npos) << both(r);
  EXPECT_NE(r.err.find("/generator/clients"), std::string::npos) << both(r);
  EXPECT_EQ(r.out.find("connection-refused"), std::string::npos) << both(r);
}

// The executor and http_call under EMFILE, past any check made before the run:
// socket(2) fails on this machine, and libcurl alone would report "couldn't
// connect", exactly like a refused connection. Run in a child process, whose
// descriptor table is filled without touching this one's.
TEST(LocalFaults, OutOfDescriptorsIsALocalErrorInTheExecutorAndHttpCall) {
  const SilentPort target;
  struct AlwaysOk : Protocol {
    std::string base;
    int instance_count() const override { return 1; }
    int pick_instance(int, int) override { return 0; }
    HttpRequest render(const ScenarioOp&, int) const override {
      HttpRequest r;
      r.method = "POST";
      r.url = base + "/x";
      r.body = "{}";
      return r;
    }
    Classification classify(const ScenarioOp&, const HttpResponse&) const override { return {Outcome::Ok, "", {}}; }
  };
  enum ChildExit { kLocalErrorBoth = 0, kRecordedAsTargetOutcome = 1, kNoLocalErrorFromHttpCall = 2, kOther = 3 };
  const pid_t pid = ::fork();
  if (pid == 0) {
    int code = kOther;
    try {
      AlwaysOk protocol;
      protocol.base = target.url();
      Executor executor;  // its multi handle and timer exist before the table is full
      Scenario scenario;
      scenario.release = Release::Staggered;
      for (int c = 0; c < 4; ++c) scenario.clients.push_back(ClientProgram{{ScenarioOp{"withdraw"}}, -1});
      MemorySink sink;
      // UBSan checks each virtual call's dynamic type once per type and caches
      // the answer; its first check probes memory through a pipe(2), which a
      // full descriptor table makes fail (a false "invalid vptr"). Make those
      // first checks now, through the same base types the executor uses.
      {
        Protocol& as_protocol = protocol;
        HistorySink& as_sink = sink;
        (void)as_protocol.instance_count();
        (void)protocol.render(ScenarioOp{"withdraw"}, 0);  // a member access checks AlwaysOk itself
        const LocalError probe("probe");
        const LocalError& as_error = probe;  // as the catch clauses below read it
        (void)as_error.what();
        as_sink.begin_batch();
        as_sink.end_batch();
      }
      while (::open("/dev/null", O_RDONLY | O_CLOEXEC) >= 0) {
      }
      bool executor_local = false;
      try {
        const ExecutorResult result = executor.run(scenario, protocol, sink);
        code = result.info_reasons.count("connection-refused") ? kRecordedAsTargetOutcome : kOther;
      } catch (const LocalError& e) {
        executor_local = std::string(e.what()).find("EMFILE") != std::string::npos;
      }
      if (executor_local) {
        HttpRequest request;
        request.method = "GET";
        request.url = target.url() + "/y";
        try {
          const HttpResponse response = http_call(request, 500, 1024);
          code = kNoLocalErrorFromHttpCall;
        } catch (const LocalError& e) {
          code = std::string(e.what()).find("EMFILE") != std::string::npos ? kLocalErrorBoth : kOther;
        }
      }
    } catch (...) {
      code = kOther;
    }
    ::_exit(code);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), kLocalErrorBoth)
      << "1: recorded as the target's connection-refused; 2: http_call did not throw LocalError; 3: other";
}

// ---------------------------------------------------------------------------
// --target validation.

TEST_F(GateEvidence, TargetPortOutOfRangeOrNonAsciiHostIsAUsageError) {
  const fs::path spec = write_spec(bank_spec());
  for (const std::string url : {"http://127.0.0.1:99999", "http://127.0.0.1:0", "http://127.0.0.1:8080x",
                                "http://b\xc3\xa4nk.example:8080", "http://bad host:80", "http://[::1:80"}) {
    const ProcessResult r = run({"run", spec.string(), "--target", url, "--trials", "1", "--quiet"});
    EXPECT_EQ(r.exit_code, exit_code::kUsage) << url << "\n" << both(r);
    EXPECT_NE(r.err.find("--target"), std::string::npos) << url << "\n" << both(r);
  }
  json bad = bank_spec();
  bad["base_urls"] = {"http://127.0.0.1:99999"};
  const ProcessResult r = run({"run", write_spec(bad, "bad.json").string(), "--trials", "1", "--quiet"});
  EXPECT_EQ(r.exit_code, exit_code::kUsage) << both(r);
  EXPECT_NE(r.err.find("/base_urls/0"), std::string::npos) << both(r);
  EXPECT_NE(r.err.find("99999"), std::string::npos) << both(r);
}

// An error message quotes the URL it could not use; the URL's password stays out
// of the terminal and the CI log (from --target, from the spec, or unreachable).
TEST_F(GateEvidence, ErrorMessagesNeverShowAUrlPassword) {
  const fs::path spec = write_spec(bank_spec());
  for (const std::string url : {"http://alice:pw-s3cr3t-42@127.0.0.1:99999", "http://alice:pw-s3cr3t-42@127.0.0.1:1"}) {
    const ProcessResult r = run({"run", spec.string(), "--target", url, "--trials", "1", "--quiet"});
    EXPECT_NE(r.exit_code, exit_code::kOk) << url << "\n" << both(r);
    EXPECT_EQ(both(r).find("pw-s3cr3t-42"), std::string::npos) << url << "\n" << both(r);
  }
  json bad = bank_spec();
  bad["base_urls"] = {"http://alice:pw-s3cr3t-42@127.0.0.1:99999"};
  const ProcessResult r = run({"run", write_spec(bad, "bad.json").string(), "--trials", "1", "--quiet"});
  EXPECT_EQ(r.exit_code, exit_code::kUsage) << both(r);
  EXPECT_EQ(both(r).find("pw-s3cr3t-42"), std::string::npos) << both(r);
}

// ---------------------------------------------------------------------------
// run_guarded: what each kind of failure exits with.

TEST(RunGuarded, AnUnexpectedExceptionIsARacecheckBugNotTheTarget) {
  testing::internal::CaptureStderr();
  EXPECT_EQ(run_guarded([]() -> int { throw std::logic_error("vector index out of range"); }), exit_code::kInternal);
  const std::string said = testing::internal::GetCapturedStderr();
  EXPECT_NE(said.find("bug in racecheck"), std::string::npos) << said;
  EXPECT_EQ(said.find("racecheck: target"), std::string::npos) << said;
  testing::internal::CaptureStderr();
  EXPECT_EQ(run_guarded([]() -> int { throw 42; }), exit_code::kInternal);
  testing::internal::GetCapturedStderr();
}

TEST(RunGuarded, TargetLocalAndUsageErrorsKeepTheirCodes) {
  testing::internal::CaptureStderr();
  EXPECT_EQ(run_guarded([]() -> int { throw TargetError("setup #0: connection refused"); }), exit_code::kTarget);
  EXPECT_EQ(run_guarded([]() -> int { throw LocalError("out of file descriptors"); }), exit_code::kLocal);
  EXPECT_EQ(run_guarded([]() -> int { throw std::bad_alloc(); }), exit_code::kLocal);
  EXPECT_EQ(run_guarded([]() -> int { throw CLI::ValidationError("--budget", "bad"); }), exit_code::kUsage);
  EXPECT_EQ(run_guarded([] { return exit_code::kViolation; }), exit_code::kViolation);
  testing::internal::GetCapturedStderr();
}

}  // namespace
}  // namespace racecheck::test
