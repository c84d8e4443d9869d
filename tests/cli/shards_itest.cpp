// Sharded runs end to end: N `racecheck run --shard I/N` processes against the
// standalone demo bank, then `racecheck merge`, compared with one run of the
// same total budget; replay of the merged result; a missing shard; and the
// merge's refusals. Every process is bounded by its budget and a hard timeout.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/cli/demo_target_process.h"

namespace {

namespace fs = std::filesystem;
const std::string kRacecheck = RACECHECK_BINARY_DIR "/cli/racecheck";
const std::string kSpec = RACECHECK_SOURCE_DIR "/targets/demo/spec.json";

using Exit = racecheck::test::ShellExit;

// `env` (VAR=value ...) is the shard environment; the one this test runs in
// (a CI job of its own) is not passed on. `args` follow racecheck.
Exit racecheck(const std::string& args, const std::string& env = "", int limit_s = 60) {
  return racecheck::test::shell_exit("env -u RACECHECK_SHARD -u RACECHECK_SHARD_TOTAL -u JOB_COMPLETION_INDEX "
                                     "-u CI_NODE_INDEX -u CI_NODE_TOTAL " + env + " timeout -s KILL " +
                                     std::to_string(limit_s) + " " + kRacecheck + " " + args);
}

nlohmann::json load(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

void save(const fs::path& p, const nlohmann::json& j) { std::ofstream(p) << j.dump(2); }

using Bank = racecheck::test::DemoTargetProcess;

class Shards : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("racecheck-shards-itest-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    racy_ = new Bank("racy", dir_);
    safe_ = new Bank("safe", dir_);
  }
  static void TearDownTestSuite() {
    delete racy_;
    delete safe_;
    fs::remove_all(dir_);
  }
  void SetUp() override {
    ASSERT_FALSE(racy_->url().empty()) << "the racy demo bank did not start";
    ASSERT_FALSE(safe_->url().empty()) << "the safe demo bank did not start";
  }

  // `racecheck run` of the demo spec against `url`; `extra` adds --shard, --budget ...
  static Exit run(const std::string& url, const std::string& extra, const fs::path& json, const std::string& env = "") {
    return racecheck("run " + kSpec + " --target " + url + " --seed 11 --repro 3 --shrink-budget 2s --quiet " + extra +
                         " --json " + json.string(),
                     env);
  }
  static fs::path file(const std::string& name) { return dir_ / name; }

  static inline fs::path dir_;
  static inline Bank* racy_ = nullptr;
  static inline Bank* safe_ = nullptr;
};

int trials_of(const nlohmann::json& result) { return result.at("stats").at("trials").get<int>(); }

TEST_F(Shards, SafeBankThreeShardsPassLikeOneRunAndTrialsAddUp) {
  int trials = 0;
  std::string files;
  for (int i = 1; i <= 3; ++i) {
    const fs::path json = file("safe-" + std::to_string(i) + ".json");
    const Exit e = run(safe_->url(), "--budget 1500ms --shard " + std::to_string(i) + "/3", json);
    ASSERT_EQ(e.code, 0) << e.output;
    const auto result = load(json);
    EXPECT_EQ(result.at("shard"), (nlohmann::json{{"index", i}, {"total", 3}}));
    EXPECT_EQ(result.at("spec_digest").get<std::string>().size(), 64u);
    trials += trials_of(result);
    files += " " + json.string();
  }
  const Exit merged = racecheck("merge" + files + " --json " + file("safe-merged.json").string() + " --junit " +
                                file("safe-merged.xml").string() + " --html " + file("safe-merged.html").string());
  const Exit single = run(safe_->url(), "--budget 4500ms", file("safe-single.json"));
  EXPECT_EQ(merged.code, 0) << merged.output;
  EXPECT_EQ(merged.code, single.code) << "the same verdict as one run of the same total budget\n" << single.output;
  const auto result = load(file("safe-merged.json"));
  EXPECT_EQ(trials_of(result), trials);
  EXPECT_EQ(result.at("shards").size(), 3u);
  for (int i = 1; i <= 3; ++i)
    EXPECT_NE(merged.output.find("shard " + std::to_string(i) + "/3  PASS"), std::string::npos) << merged.output;
  std::ifstream xml(file("safe-merged.xml"));
  const std::string junit((std::istreambuf_iterator<char>(xml)), std::istreambuf_iterator<char>());
  EXPECT_NE(junit.find("shard 3/3  PASS"), std::string::npos) << junit;
  std::ifstream html(file("safe-merged.html"));
  const std::string page((std::istreambuf_iterator<char>(html)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("<section id=\"shards\">"), std::string::npos);

  // Without shard 3, two thirds of the seed space went unsearched: inconclusive.
  const Exit partial = racecheck("merge " + file("safe-1.json").string() + " " + file("safe-2.json").string());
  EXPECT_EQ(partial.code, 4) << partial.output;
  EXPECT_NE(partial.output.find("missing: 3/3"), std::string::npos) << partial.output;
}

TEST_F(Shards, RacyBankShardsFailLikeOneRunAndTheMergedResultReplays) {
  std::string files;
  for (int i = 1; i <= 3; ++i) {
    const fs::path json = file("racy-" + std::to_string(i) + ".json");
    const Exit e = run(racy_->url(), "--budget 3s --shard " + std::to_string(i) + "/3", json);
    EXPECT_EQ(e.code, 1) << e.output;
    files += " " + json.string();
  }
  const Exit merged = racecheck("merge" + files + " --json " + file("racy-merged.json").string());
  const Exit single = run(racy_->url(), "--budget 9s", file("racy-single.json"));
  EXPECT_EQ(merged.code, 1) << merged.output;
  EXPECT_EQ(merged.code, single.code) << single.output;
  const Exit replay = racecheck("replay " + file("racy-merged.json").string() + " --target " + racy_->url() +
                                " --repro 10 --quiet");
  EXPECT_EQ(replay.code, 1) << replay.output;
}

TEST_F(Shards, AViolationInOneShardFailsTheMergeWithThatShardsCounterexample) {
  // Shard 2 of 3 meets the racy bank, shards 1 and 3 the safe one (same spec).
  const Exit s1 = run(safe_->url(), "--budget 1s --shard 1/3", file("one-1.json"));
  const Exit s2 = run(racy_->url(), "--budget 3s --shard 2/3", file("one-2.json"));
  const Exit s3 = run(safe_->url(), "--budget 1s", file("one-3.json"), "RACECHECK_SHARD=3/3");
  ASSERT_EQ(s1.code, 0) << s1.output;
  ASSERT_EQ(s2.code, 1) << s2.output;
  ASSERT_EQ(s3.code, 0) << s3.output;
  EXPECT_EQ(load(file("one-3.json")).at("shard").at("index"), 3) << "RACECHECK_SHARD is read";
  EXPECT_NE(load(file("one-3.json")).at("command").get<std::string>().find("--shard 3/3"), std::string::npos);

  const Exit merged = racecheck("merge " + file("one-1.json").string() + " " + file("one-3.json").string() + " " +
                                file("one-2.json").string() + " --json " + file("one-merged.json").string());
  ASSERT_EQ(merged.code, 1) << merged.output;
  const auto result = load(file("one-merged.json"));
  const auto shard2 = load(file("one-2.json"));
  EXPECT_EQ(result.at("shard").at("index"), 2);
  EXPECT_EQ(result.at("seed"), shard2.at("seed"));
  EXPECT_EQ(result.at("minimal_scenario"), shard2.at("minimal_scenario"));
  EXPECT_EQ(trials_of(result),
            trials_of(load(file("one-1.json"))) + trials_of(shard2) + trials_of(load(file("one-3.json"))));
  EXPECT_NE(merged.output.find("shard 2/3  FAIL"), std::string::npos) << merged.output;
  const Exit replay = racecheck("replay " + file("one-merged.json").string() + " --target " + racy_->url() +
                                " --repro 10 --quiet");
  EXPECT_EQ(replay.code, 1) << replay.output;
  EXPECT_NE(replay.output.find("replayed the minimal scenario 10 times"), std::string::npos) << replay.output;
}

TEST_F(Shards, MergeRefusesResultsThatAreNotOneRunsShards) {
  const fs::path a = file("refuse-1.json");
  ASSERT_EQ(run(safe_->url(), "--budget 500ms --shard 1/2", a).code, 0);
  const nlohmann::json one = load(a);
  auto with = [&](const std::string& name, const std::string& pointer, const nlohmann::json& value) {
    nlohmann::json changed = one;
    changed[nlohmann::json::json_pointer(pointer)] = value;
    save(file(name), changed);
    return file(name).string();
  };
  struct Case {
    std::string other, says;
  };
  const Case cases[] = {
      {a.string(), "/shard/index: shard 1/2 is also"},
      {with("refuse-total.json", "/shard", {{"index", 2}, {"total", 3}}), "/shard/total: 3, but"},
      {with("refuse-spec.json", "/spec_digest", std::string(64, '0')), "/spec_digest: another spec"},
      {file("no-such-file.json").string(), "no-such-file.json: cannot be read"},
      {with("refuse-index.json", "/shard/index", 5), "/shard/index: 5 is not between 1 and"},
  };
  for (const Case& c : cases) {
    const Exit e = racecheck("merge " + a.string() + " " + c.other);
    EXPECT_EQ(e.code, 2) << c.other << "\n" << e.output;
    EXPECT_NE(e.output.find(c.says), std::string::npos) << e.output;
  }
  const std::string v1 = with("refuse-v1.json", "/racecheck", {{"version", "1.0.0"}});
  nlohmann::json two = one;
  two["shard"]["index"] = 2;
  two["racecheck"] = {{"version", "1.1.0"}};
  save(file("refuse-v2.json"), two);
  const Exit versions = racecheck("merge " + v1 + " " + file("refuse-v2.json").string());
  EXPECT_EQ(versions.code, 2) << versions.output;
  EXPECT_NE(versions.output.find("/racecheck/version"), std::string::npos) << versions.output;
}

TEST_F(Shards, ShardFromTheEnvironmentAndItsErrors) {
  struct Case {
    std::string env, flags;
    int code;
    std::string says;
  };
  const Case cases[] = {
      {"CI_NODE_INDEX=2 CI_NODE_TOTAL=2", "", 0, "shard 2/2 (from CI_NODE_INDEX)"},
      {"JOB_COMPLETION_INDEX=1 RACECHECK_SHARD_TOTAL=2", "", 0, "shard 2/2 (from JOB_COMPLETION_INDEX)"},
      {"RACECHECK_SHARD=1/2 CI_NODE_INDEX=2 CI_NODE_TOTAL=2", "", 0, "shard 1/2 (from RACECHECK_SHARD)"},
      {"RACECHECK_SHARD=3/2", "", 2, "RACECHECK_SHARD: '3/2' is not a shard"},
      {"JOB_COMPLETION_INDEX=1", "", 2, "JOB_COMPLETION_INDEX: is set (1) but the shard count is not"},
      {"JOB_COMPLETION_INDEX=2", "--shard-total 2", 2, "JOB_COMPLETION_INDEX: 2 is not below the shard count 2"},
      {"CI_NODE_INDEX=2", "", 2, "CI_NODE_INDEX: is set (2) but CI_NODE_TOTAL is not"},
      {"JOB_COMPLETION_INDEX=0 RACECHECK_SHARD_TOTAL=2 CI_NODE_INDEX=2 CI_NODE_TOTAL=2", "", 2,
       "JOB_COMPLETION_INDEX: says shard 1/2 but CI_NODE_INDEX/CI_NODE_TOTAL say 2/2"},
      {"RACECHECK_SHARD=9/2", "--shard 1/2", 0, ""},  // the flag wins
      {"", "--shard 1/2 --shard-total 3", 2, "--shard-total: 3 disagrees with --shard"},
  };
  for (const Case& c : cases) {
    const fs::path json = file("env.json");
    const Exit e = racecheck("run " + kSpec + " --target " + safe_->url() + " --budget 300ms --min-ok 0 " + c.flags +
                                 " --json " + json.string(),
                             c.env);
    EXPECT_EQ(e.code, c.code) << c.env << " " << c.flags << "\n" << e.output;
    if (!c.says.empty()) {
      EXPECT_NE(e.output.find(c.says), std::string::npos) << c.env << "\n" << e.output;
    }
  }
}

}  // namespace
