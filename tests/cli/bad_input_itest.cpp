// Bad input through the real `racecheck` binary (tests/bad_input/):
//  - every malformed spec makes `racecheck run` exit 2 before it contacts the
//    target, with one message naming the file, the JSON pointer and the reason;
//  - every corrupt history makes `racecheck check` exit 2 naming the file and
//    the line, except a truncated last line, which is reported and dropped;
//  - every bad flag exits 2 with a message naming the flag;
//  - a spec cannot make racecheck read a file or run a command.
// The fuzzers' seed corpora and the crashes they found: fuzz_regressions_test.cpp.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include "harness/spec.h"
#include "harness/spec_protocol.h"
#include "tests/cli/silent_port.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kBadInput = fs::path(RACECHECK_SOURCE_DIR) / "tests" / "bad_input";
const std::string kRacecheck = std::string(RACECHECK_BINARY_DIR) + "/cli/racecheck";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Files in `dir` ending in `ext`, sorted, as stems ("" when the folder is missing).
std::vector<std::string> stems(const fs::path& dir, const std::string& ext) {
  std::vector<std::string> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ext) out.push_back(entry.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// "key: value" lines; '#' starts a comment line. A key may repeat.
std::multimap<std::string, std::string> read_expect(const fs::path& p) {
  std::multimap<std::string, std::string> out;
  std::istringstream in(read_file(p));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    out.emplace(line.substr(0, colon), value);
  }
  return out;
}

std::string get(const std::multimap<std::string, std::string>& m, const std::string& key, std::string fallback = "") {
  auto it = m.find(key);
  return it == m.end() ? fallback : it->second;
}

std::vector<std::string> split_words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal or by the time limit
  std::string out, err;
};

// Runs argv with stdout and stderr captured; killed after `limit`.
ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::seconds limit = 60s) {
  const fs::path dir = fs::temp_directory_path() / ("racecheck_bad_input_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path out_path = dir / "out", err_path = dir / "err";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ProcessResult r;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      r.err = "(killed after the time limit)\n";
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.out = read_file(out_path);
  r.err += read_file(err_path);
  fs::remove_all(dir);
  return r;
}

// A loopback port that listens but is never served: a test asserts afterwards
// that nobody connected (a bad spec must be refused before anything is sent).
using Tripwire = racecheck::test::SilentPort;

// A crash, a sanitizer report or an escaped exception is never an acceptable answer.
void expect_no_crash(const ProcessResult& r) {
  for (const char* sign : {"AddressSanitizer", "runtime error:", "LeakSanitizer", "ThreadSanitizer",
                           "terminate called", "Segmentation fault", "racecheck: error:"}) {
    EXPECT_EQ(r.err.find(sign), std::string::npos) << "stderr shows \"" << sign << "\":\n" << r.err;
  }
}

// The one line of `text` that mentions `needle` ("" when none does).
std::string line_with(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos) return line;
  }
  return "";
}

std::string test_name(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

// ---------------------------------------------------------------------------
// Malformed specs: tests/bad_input/specs/NAME.json + NAME.expect
// (pointer: the JSON pointer, empty for a whole-file problem; reason: a substring).

const fs::path kSpecs = kBadInput / "specs";

TEST(BadSpecCorpus, HasAtLeastFiftySpecsEachWithAnExpectation) {
  const auto names = stems(kSpecs, ".json");
  EXPECT_GE(names.size(), 50u);
  for (const auto& n : names) {
    const auto expect = read_expect(kSpecs / (n + ".expect"));
    EXPECT_EQ(expect.count("pointer"), 1u) << n;
    EXPECT_FALSE(get(expect, "reason").empty()) << n;
  }
}

// The corpus's specs are mutations of this one, which must load.
TEST(BadSpecCorpus, TheUnmutatedBaseSpecLoads) {
  const racecheck::Spec spec = racecheck::load_spec_file((fs::path(RACECHECK_SOURCE_DIR) / "fuzz/corpus/spec/base.json").string());
  EXPECT_EQ(spec.operations.size(), 2u);
}

class BadSpec : public ::testing::TestWithParam<std::string> {};

TEST_P(BadSpec, LoaderNamesPointerAndReason) {
  const fs::path path = kSpecs / (GetParam() + ".json");
  const auto expect = read_expect(kSpecs / (GetParam() + ".expect"));
  try {
    racecheck::load_spec_file(path.string());
    FAIL() << path << " loaded, but should be refused";
  } catch (const racecheck::SpecError& e) {
    EXPECT_EQ(e.file, path.string());
    EXPECT_EQ(e.pointer, get(expect, "pointer")) << e.what();
    EXPECT_NE(e.reason.find(get(expect, "reason")), std::string::npos) << e.what();
  }
}

TEST_P(BadSpec, RunExitsTwoBeforeContactingTheTarget) {
  const fs::path path = kSpecs / (GetParam() + ".json");
  const auto expect = read_expect(kSpecs / (GetParam() + ".expect"));
  const Tripwire target;
  const ProcessResult r = run_process({kRacecheck, "run", path.string(), "--trials", "1", "--target", target.url(), "--quiet"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  expect_no_crash(r);
  EXPECT_FALSE(target.touched()) << "racecheck contacted the target for a bad spec";
  // One line names the file, the pointer and the reason.
  const std::string pointer = get(expect, "pointer");
  const std::string line = line_with(r.err, path.string() + ": " + (pointer.empty() ? "" : pointer + ": "));
  ASSERT_FALSE(line.empty()) << "no line names " << path.string() << " and \"" << pointer << "\":\n" << r.err;
  EXPECT_NE(line.find(get(expect, "reason")), std::string::npos) << line;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadSpec, ::testing::ValuesIn(stems(kSpecs, ".json")),
                         [](const auto& test_info) { return test_name(test_info.param); });

// ---------------------------------------------------------------------------
// Corrupt histories: tests/bad_input/histories/NAME.jsonl + NAME.expect
// (args, exit, line, field, reason, stderr).

const fs::path kHistories = kBadInput / "histories";

TEST(BadHistoryCorpus, HasHistoriesWithExpectations) {
  const auto names = stems(kHistories, ".jsonl");
  EXPECT_GE(names.size(), 25u);
  for (const auto& n : names) EXPECT_TRUE(fs::exists(kHistories / (n + ".expect"))) << n;
}

class BadHistory : public ::testing::TestWithParam<std::string> {};

TEST_P(BadHistory, CheckNamesFileLineAndReason) {
  const fs::path path = kHistories / (GetParam() + ".jsonl");
  const auto expect = read_expect(kHistories / (GetParam() + ".expect"));
  std::vector<std::string> argv = {kRacecheck, "check", path.string()};
  for (const auto& a : split_words(get(expect, "args", "--model account"))) argv.push_back(a);
  const ProcessResult r = run_process(argv);
  expect_no_crash(r);
  EXPECT_EQ(r.exit_code, std::stoi(get(expect, "exit", "2"))) << r.err << r.out;
  const std::string line_no = get(expect, "line");
  const std::string where = path.string() + (line_no.empty() ? "" : ":" + line_no + ":");
  const std::string line = line_with(r.err, where);
  ASSERT_FALSE(line.empty()) << "no line names " << where << ":\n" << r.err;
  if (!get(expect, "field").empty()) {
    EXPECT_NE(line.find("field '" + get(expect, "field") + "'"), std::string::npos) << line;
  }
  EXPECT_NE(line.find(get(expect, "reason")), std::string::npos) << line;
  for (auto [it, end] = expect.equal_range("stderr"); it != end; ++it) {
    EXPECT_NE(r.err.find(it->second), std::string::npos) << "stderr lacks \"" << it->second << "\":\n" << r.err;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadHistory, ::testing::ValuesIn(stems(kHistories, ".jsonl")),
                         [](const auto& test_info) { return test_name(test_info.param); });

TEST(BadHistoryFile, MissingFileOrDirectoryExitsTwoNamingIt) {
  for (const std::string& path : std::vector<std::string>{"/nonexistent/racecheck/history.jsonl", fs::temp_directory_path().string()}) {
    const ProcessResult r = run_process({kRacecheck, "check", path, "--model", "account"});
    EXPECT_EQ(r.exit_code, 2) << path << ": " << r.err << r.out;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    expect_no_crash(r);
  }
}

TEST(BadSpecFile, MissingFileOrDirectoryExitsTwoNamingIt) {
  const Tripwire target;
  for (const std::string& path : std::vector<std::string>{"/nonexistent/racecheck/spec.json", fs::temp_directory_path().string()}) {
    const ProcessResult r = run_process({kRacecheck, "run", path, "--trials", "1", "--target", target.url(), "--quiet"});
    EXPECT_EQ(r.exit_code, 2) << path << ": " << r.err;
    EXPECT_NE(r.err.find(path + ": cannot"), std::string::npos) << r.err;
    expect_no_crash(r);
  }
  EXPECT_FALSE(target.touched());
}

// ---------------------------------------------------------------------------
// Bad flags: tests/bad_input/flags.txt, "EXPECTED-SUBSTRING | ARGS" per line.
// In ARGS, {spec} is a valid spec, {history} a valid history, {target} an
// untouchable loopback URL.

struct FlagCase {
  std::string expected;
  std::string args;
};

std::vector<FlagCase> flag_cases() {
  std::vector<FlagCase> out;
  std::istringstream in(read_file(kBadInput / "flags.txt"));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto bar = line.find(" | ");
    if (bar == std::string::npos) continue;
    out.push_back({line.substr(0, bar), line.substr(bar + 3)});
  }
  return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

TEST(BadFlags, EveryBadFlagExitsTwoNamingIt) {
  const auto cases = flag_cases();
  EXPECT_GE(cases.size(), 20u);
  const std::string spec = (fs::path(RACECHECK_SOURCE_DIR) / "fuzz/corpus/spec/base.json").string();
  const std::string history = (kHistories / "truncated-last-line.jsonl").string();
  for (const auto& c : cases) {
    const Tripwire target;
    std::string args = replace_all(replace_all(replace_all(c.args, "{spec}", spec), "{history}", history),
                                   "{target}", target.url());
    std::vector<std::string> argv = {kRacecheck};
    for (const auto& a : split_words(args)) argv.push_back(a);
    const ProcessResult r = run_process(argv);
    EXPECT_EQ(r.exit_code, 2) << "racecheck " << c.args << "\n" << r.err << r.out;
    EXPECT_NE(r.err.find(c.expected), std::string::npos)
        << "racecheck " << c.args << ": stderr lacks \"" << c.expected << "\":\n" << r.err;
    expect_no_crash(r);
    EXPECT_FALSE(target.touched()) << "racecheck " << c.args << " contacted the target";
  }
}

// ---------------------------------------------------------------------------
// Security: a spec cannot make racecheck read or write a file, or run a command.

TEST(SpecSecurity, SecretNamingAFilePathIsOnlyThatText) {
  const fs::path secret_file = fs::temp_directory_path() / ("racecheck_secret_" + std::to_string(::getpid()));
  std::ofstream(secret_file) << "FILE-CONTENT-MUST-NOT-LEAK";
  ::setenv("RACECHECK_BAD_INPUT_SECRET_PATH", secret_file.c_str(), 1);
  const std::string text = R"({
    "base_urls": ["http://127.0.0.1:1"],
    "secrets": {"token": {"env": "RACECHECK_BAD_INPUT_SECRET_PATH"}},
    "accounts": {"id": "a{index}"},
    "operations": {"read": {"method": "POST", "path": "/{account}/{secret:token}",
      "headers": {"Authorization": "Bearer {secret:token}"},
      "body": {"token": "{secret:token}", "file": "@{secret:token}"},
      "classify": [{"status": 200, "outcome": "ok"}]}},
    "model": "account", "invariants": ["no-overdraft"]})";
  const racecheck::Spec spec = racecheck::parse_spec_text(text, "security.json");
  EXPECT_EQ(spec.secrets.at("token"), secret_file.string());
  const racecheck::PlaceholderLookup lookup = [](const std::string& name) -> std::optional<racecheck::json> {
    if (name == "account") return racecheck::json("a0");
    return std::nullopt;
  };
  const racecheck::HttpRequest request = racecheck::render_request(spec, spec.operations[0].request, spec.base_urls[0], lookup);
  std::string everything = request.url + request.body;
  for (const auto& [name, value] : request.headers) everything += name + ": " + value + "\n";
  EXPECT_NE(request.body.find(secret_file.string()), std::string::npos) << request.body;
  EXPECT_EQ(everything.find("FILE-CONTENT-MUST-NOT-LEAK"), std::string::npos) << everything;
  fs::remove(secret_file);
  ::unsetenv("RACECHECK_BAD_INPUT_SECRET_PATH");
}

TEST(SpecSecurity, NonHttpTargetsAreRefused) {
  for (const std::string& url : std::vector<std::string>{"file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1/", "dict://127.0.0.1:11211/",
                                "scp://127.0.0.1/x", "unix:///var/run/x.sock", "/etc/passwd"}) {
    racecheck::Spec spec = racecheck::load_spec_file((fs::path(RACECHECK_SOURCE_DIR) / "fuzz/corpus/spec/base.json").string());
    EXPECT_THROW(racecheck::override_base_urls(spec, {url}), racecheck::SpecError) << url;
  }
}

// A bank that answers every request, so a whole trial (setup, operations, final
// read) runs while strace watches which files racecheck opens and what it executes.
class TinyBank {
 public:
  TinyBank() {
    server_.Post("/accounts", [](const httplib::Request&, httplib::Response& res) {
      res.status = 201;
      res.set_content(R"({"id":"a1","balance":100})", "application/json");
    });
    server_.Post(R"(/accounts/[^/]+/withdraw)", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"balance":100})", "application/json");
    });
    server_.Get(R"(/accounts/[^/]+)", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"balance":100})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~TinyBank() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST(SpecSecurity, ARunOpensNoFileTheSpecNamesAndRunsNoCommand) {
  if (::system("strace -f -qq -o /dev/null true >/dev/null 2>&1") != 0) GTEST_SKIP() << "strace is not usable here";
  const fs::path dir = fs::temp_directory_path() / ("racecheck_security_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path bait = dir / "bait.txt", pwned = dir / "pwned", trace = dir / "trace.txt", spec_path = dir / "spec.json";
  const fs::path history = dir / "history.jsonl";
  std::ofstream(bait) << "bait";
  ::setenv("RACECHECK_BAD_INPUT_BAIT", bait.c_str(), 1);
  // Every string a spec can hold tries to name a file or a command.
  const std::string b = bait.string(), p = pwned.string();
  const racecheck::json spec = {
      {"base_urls", {"http://127.0.0.1:1"}},
      {"request", {{"timeout_ms", 2000}}},
      {"secrets", {{"bait", {{"env", "RACECHECK_BAD_INPUT_BAIT"}}}}},
      {"headers", {{"X-File", "@" + b}, {"X-Secret", "{secret:bait}"}}},
      {"accounts",
       {{"setup", {{{"name", "$(touch " + p + ")"}, {"method", "POST"}, {"path", "/accounts"},
                    {"body", {{"balance", "{initial_balance}"}, {"file", "file://" + b}, {"cmd", "`touch " + p + "`"}}},
                    {"expect_status", 201}, {"capture", {{"id", "/id"}}}}}},
        {"id", "{id}"}}},
      {"operations",
       {{"withdraw", {{"method", "POST"}, {"path", "/accounts/{account}/withdraw"},
                      {"body", {{"amount", "{amount}"}, {"from", "@" + b}, {"secret", "{secret:bait}"}}},
                      {"classify", {{{"status", 200}, {"outcome", "ok"}}}}, {"extract", {{"balance", "/balance"}}}}},
        {"read", {{"method", "GET"}, {"path", "/accounts/{account}"},
                  {"classify", {{{"status", 200}, {"outcome", "ok"}}}}, {"extract", {{"balance", "/balance"}}}}}}},
      {"model", "account"},
      {"invariants", {"no-overdraft"}},
      {"generator", {{"clients", 2}, {"ops_per_client", 1}, {"key_policy", {{"none", 1}}}}}};
  std::ofstream(spec_path) << spec.dump(2);
  const TinyBank bank;
  // LeakSanitizer cannot run under ptrace and fails the run at exit: in the
  // ASan build, racecheck runs here without leak checking (the rest of the
  // suite checks leaks). The child inherits this process's environment.
  const char* asan = std::getenv("ASAN_OPTIONS");
  ::setenv("ASAN_OPTIONS", ((asan && *asan ? std::string(asan) + ":" : std::string()) + "detect_leaks=0").c_str(), 1);
  const ProcessResult r = run_process({"/usr/bin/strace", "-f", "-qq", "-o", trace.string(), "-e",
                             "trace=open,openat,openat2,creat,execve,execveat,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat",
                             kRacecheck, "run", spec_path.string(), "--trials", "2", "--seed", "1", "--target", bank.url(),
                             "--history", history.string(), "--quiet"},
                            120s);
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err << r.out;
  const std::string log = read_file(trace);
  ASSERT_FALSE(log.empty());
  std::istringstream lines(log);
  int execs = 0;
  for (std::string line; std::getline(lines, line);) {
    // The one exec allowed is racecheck's own (the test's command line, whose
    // arguments name the spec and the --history file: strace cuts them at 32
    // characters, so they cannot be matched whole like the paths below).
    if (line.find("execve(") != std::string::npos || line.find("execveat(") != std::string::npos) {
      ++execs;
      EXPECT_NE(line.find("execve(\"" + kRacecheck + "\""), std::string::npos) << "racecheck executed a program: " << line;
      continue;
    }
    // Inside the test's folder only the spec (read) and the --history file may be touched.
    if (line.find(dir.string()) == std::string::npos) continue;
    const bool allowed = line.find(spec_path.string() + "\"") != std::string::npos ||
                         line.find(history.string() + "\"") != std::string::npos;
    EXPECT_TRUE(allowed) << "racecheck touched a file the spec named: " << line;
  }
  EXPECT_EQ(execs, 1) << "racecheck executed a program:\n" << log;
  EXPECT_FALSE(fs::exists(pwned));
  EXPECT_TRUE(fs::exists(history));
  ::unsetenv("RACECHECK_BAD_INPUT_BAIT");
  fs::remove_all(dir);
}

}  // namespace
