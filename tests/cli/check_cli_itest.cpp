// `racecheck check` as a user runs it: the built binary on small history files.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>

namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

class CheckCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("racecheck_check_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }

  static CliRun racecheck(const std::string& args) {
    const std::string cmd = std::string(RACECHECK_BINARY_DIR) + "/cli/racecheck " + args + " 2>&1";
    CliRun r;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (!pipe) return r;
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  }

  fs::path dir_;
};

// 100, two concurrent withdrawals of 50 both succeed, final read shows 50: a lost update.
const char* kLostUpdate =
    R"({"process":0,"type":"invoke","f":"open","value":{"balance":100},"time_ns":0}
{"process":0,"type":"ok","f":"open","value":{"balance":100},"time_ns":1}
{"process":1,"type":"invoke","f":"withdraw","value":{"amount":50},"time_ns":10}
{"process":2,"type":"invoke","f":"withdraw","value":{"amount":50},"time_ns":11}
{"process":1,"type":"ok","f":"withdraw","value":{"amount":50,"balance":50},"status":200,"time_ns":20}
{"process":2,"type":"ok","f":"withdraw","value":{"amount":50,"balance":50},"status":200,"time_ns":21}
{"process":3,"type":"invoke","f":"read","value":{},"time_ns":30}
{"process":3,"type":"ok","f":"read","value":{"balance":50},"time_ns":31}
)";

const char* kCorrect =
    R"({"process":0,"type":"invoke","f":"open","value":{"balance":100},"time_ns":0}
{"process":0,"type":"ok","f":"open","value":{"balance":100},"time_ns":1}
{"process":1,"type":"invoke","f":"withdraw","value":{"amount":50},"key":"k1","time_ns":10}
{"process":2,"type":"invoke","f":"withdraw","value":{"amount":50},"time_ns":11}
{"process":1,"type":"ok","f":"withdraw","value":{"amount":50,"balance":50},"status":200,"key":"k1","time_ns":20}
{"process":2,"type":"ok","f":"withdraw","value":{"amount":50,"balance":0},"status":200,"time_ns":21}
{"process":3,"type":"invoke","f":"read","value":{},"time_ns":30}
{"process":3,"type":"ok","f":"read","value":{"balance":0},"time_ns":31}
)";

TEST_F(CheckCli, CorrectHistoryExitsZero) {
  const CliRun r = racecheck("check " + write("ok.jsonl", kCorrect) + " --model account");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[pass] conservation"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[pass] linearizability"), std::string::npos) << r.output;
}

TEST_F(CheckCli, LostUpdateExitsOneAndExplains) {
  const CliRun r = racecheck("check " + write("lost.jsonl", kLostUpdate) + " --model account");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("2 withdrawals of 50 succeeded from 100 but the balance fell by 50"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("[fail] linearizability"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("op 1: withdraw 50"), std::string::npos) << r.output;
}

TEST_F(CheckCli, WritesHtmlJunitAndJsonReports) {
  const fs::path html = dir_ / "r.html", junit = dir_ / "r.xml", json = dir_ / "r.json";
  const CliRun r = racecheck("check " + write("lost.jsonl", kLostUpdate) + " --model account --html " + html.string() +
                             " --junit " + junit.string() + " --json " + json.string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  std::ifstream j(json);
  const auto result = nlohmann::json::parse(j);
  EXPECT_EQ(result.at("overall"), "fail");
  EXPECT_EQ(result.at("history").size(), 8u);  // 4 ops: open, two withdrawals, the final read
  std::ifstream h(html), x(junit);
  const std::string html_text((std::istreambuf_iterator<char>(h)), {}), junit_text((std::istreambuf_iterator<char>(x)), {});
  EXPECT_NE(html_text.find("conservation"), std::string::npos);
  EXPECT_NE(junit_text.find("<failure"), std::string::npos);
}

TEST_F(CheckCli, OnlyTheRequestedInvariantRuns) {
  const CliRun r = racecheck("check " + write("lost.jsonl", kLostUpdate) + " --model account --invariant no-overdraft");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("conservation"), std::string::npos) << r.output;
}

TEST_F(CheckCli, BadJsonLineNamesFileAndLine) {
  std::string text = kCorrect;
  text.insert(text.find('\n', text.find('\n') + 1) + 1, "{\"process\":1,\"type\":\"invoke\",\n");
  const std::string bad = write("bad2.jsonl", text);
  const CliRun r = racecheck("check " + bad + " --model account");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(bad + ":3:"), std::string::npos) << r.output;
}

TEST_F(CheckCli, BadFieldNamesTheField) {
  const std::string path = write("field.jsonl", R"({"process":0,"type":"explode","f":"read","value":{}})" "\n");
  const CliRun r = racecheck("check " + path + " --model account");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(path + ":1: field 'type'"), std::string::npos) << r.output;
}

TEST_F(CheckCli, UnknownModelIsUsageError) {
  const CliRun r = racecheck("check " + write("ok.jsonl", kCorrect) + " --model bank");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("unknown model 'bank'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("account"), std::string::npos) << "lists the known models: " << r.output;
}

TEST_F(CheckCli, MissingFileIsUsageErrorNamingIt) {
  const CliRun r = racecheck("check " + (dir_ / "nope.jsonl").string() + " --model account");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("nope.jsonl"), std::string::npos) << r.output;
}

TEST_F(CheckCli, OpThatDoesNotFitTheModelIsUsageError) {
  const std::string path = write("amount.jsonl",
                                 R"({"process":1,"type":"invoke","f":"withdraw","value":{}})" "\n"
                                 R"({"process":1,"type":"ok","f":"withdraw","value":{}})" "\n");
  const CliRun r = racecheck("check " + path + " --model account");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("field 'amount'"), std::string::npos) << r.output;
}

TEST_F(CheckCli, JepsenEtcdFormat) {
  const std::string path = write("etcd.log",
                                 "INFO  jepsen.util - 0\t:invoke\t:write\t1\n"
                                 "INFO  jepsen.util - 0\t:ok\t:write\t1\n"
                                 "INFO  jepsen.util - 1\t:invoke\t:read\tnil\n"
                                 "INFO  jepsen.util - 1\t:ok\t:read\t2\n");
  const CliRun r = racecheck("check " + path + " --model register --format jepsen-etcd");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("[fail] linearizability"), std::string::npos) << r.output;
}

}  // namespace
