// The sharding examples of docs/ci.md (docs/ci/*.y*ml) are valid YAML, describe
// the shards they claim to, and the racecheck commands in them run: each
// shard's `racecheck run` and then `racecheck merge`, as the CI engine would,
// against the standalone demo bank (safe), with the budget cut to 1 s.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/cli/demo_target_process.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Env = std::map<std::string, std::string>;

const fs::path kDocs = RACECHECK_SOURCE_DIR "/docs";

std::string sh_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

using Exit = racecheck::test::ShellExit;
using racecheck::test::shell_exit;

// Every YAML document of the file, as JSON (python3-yaml's safe loader: no custom tags).
json yaml_documents(const fs::path& file) {
  const Exit e = shell_exit("python3 -c " +
                       sh_quoted("import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))") +
                       " " + file.string());
  if (e.code != 0) return json();
  return json::parse(e.output, nullptr, false);
}

// The racecheck command lines in every string of `node` (shell continuations joined).
void racecheck_commands(const json& node, std::vector<std::string>& out) {
  if (node.is_object() || node.is_array()) {
    for (const auto& child : node) racecheck_commands(child, out);
    return;
  }
  if (!node.is_string()) return;
  const std::string text = std::regex_replace(node.get<std::string>(), std::regex("\\\\\n"), " ");
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string line = text.substr(start, end - start);
    line.erase(0, line.find_first_not_of(" \t"));
    // Step and job names ("racecheck shard 2") are not commands: a command names a subcommand.
    if (std::regex_search(line, std::regex("^racecheck (run|merge|replay|check|demo|exec) "))) out.push_back(line);
    start = end + 1;
  }
}

// "racecheck run SPEC ..." -> SPEC: the first argument after the subcommand.
std::string spec_argument(const std::string& command) {
  std::smatch m;
  return std::regex_search(command, m, std::regex("^racecheck run ([^ -][^ ]*)")) ? m[1].str() : "";
}

class CiExamples : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("racecheck-ci-itest-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "work");
    bank_ = std::make_unique<racecheck::test::DemoTargetProcess>("safe", dir_);
    ASSERT_FALSE(bank_->url().empty()) << "the demo bank did not start";
  }
  void TearDown() override {
    bank_.reset();
    fs::remove_all(dir_);
  }

  // Runs one command line of the example in the work directory, as its CI
  // engine would: its ${{ }} expressions and variables set, racecheck on PATH,
  // and nothing of this test's own environment that could shard it.
  Exit run_line(std::string line, const Env& env, const std::map<std::string, std::string>& expressions) {
    for (const auto& [expression, value] : expressions)
      for (std::size_t at; (at = line.find(expression)) != std::string::npos;) line.replace(at, expression.size(), value);
    EXPECT_EQ(line.find("${{"), std::string::npos) << "an expression this test does not know: " << line;
    line = std::regex_replace(line, std::regex("--budget [^ ]+"), "--budget 1s");
    std::string cmd = "cd " + sh_quoted(work().string()) + " && env -u RACECHECK_SHARD -u RACECHECK_SHARD_TOTAL "
                      "-u JOB_COMPLETION_INDEX -u CI_NODE_INDEX -u CI_NODE_TOTAL PATH=" RACECHECK_BINARY_DIR "/cli:$PATH";
    for (const auto& [name, value] : env) cmd += " " + name + "=" + sh_quoted(value);
    return shell_exit(cmd + " timeout -s KILL 60 sh -c " + sh_quoted(line));
  }

  // The example's shards, then its merge; the merged result must hold every shard, passing.
  void run_example(const std::vector<std::string>& commands, int shards,
                   const std::function<Env(int)>& shard_env,
                   const std::function<std::map<std::string, std::string>(int)>& expressions) {
    std::vector<std::string> runs, merges;
    for (const std::string& c : commands) (c.rfind("racecheck run ", 0) == 0 ? runs : merges).push_back(c);
    std::string all;
    for (const std::string& c : commands) all += c + "\n";
    ASSERT_EQ(runs.size(), 1u) << "one racecheck run per shard:\n" << all;
    ASSERT_EQ(merges.size(), 1u) << "one racecheck merge:\n" << all;
    const fs::path spec = work() / spec_argument(runs[0]);
    fs::create_directories(spec.parent_path());
    fs::copy_file(RACECHECK_SOURCE_DIR "/targets/demo/spec.json", spec, fs::copy_options::overwrite_existing);

    // The volume (Kubernetes) or workspace directory the results are written to.
    std::smatch out;
    if (std::regex_search(runs[0], out, std::regex("--json \"?([^ \"]+)")))
      fs::create_directories(work() / fs::path(out[1].str()).parent_path());
    std::set<fs::path> results;
    for (int i = 1; i <= shards; ++i) {
      const std::set<fs::path> before = json_files();
      Env env = shard_env(i);
      env["TARGET_URL"] = bank_->url();
      const Exit e = run_line(runs[0], env, expressions(i));
      EXPECT_EQ(e.code, 0) << runs[0] << "\n" << e.output;
      for (const fs::path& p : json_files())
        if (!before.count(p)) results.insert(p);
    }
    ASSERT_EQ(results.size(), static_cast<std::size_t>(shards)) << "one result file per shard";
    // The artifact store: the results go where the merge's patterns look for them.
    std::istringstream words(merges[0]);
    for (std::string pattern; words >> pattern;) {
      if (pattern.find('*') == std::string::npos) continue;
      const fs::path dir = work() / fs::path(pattern).parent_path();
      fs::create_directories(dir);
      for (const fs::path& r : results)
        if (!fs::equivalent(r.parent_path(), dir)) fs::copy_file(r, dir / r.filename(), fs::copy_options::overwrite_existing);
    }
    const Exit merged = run_line(merges[0], Env{}, expressions(0));
    EXPECT_EQ(merged.code, 0) << merges[0] << "\n" << merged.output;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(merges[0], m, std::regex("--json ([^ ]+)"))) << merges[0];
    std::ifstream in(work() / m[1].str());
    const json result = json::parse(in, nullptr, false);
    ASSERT_TRUE(result.is_object()) << merged.output;
    ASSERT_EQ(result.at("shards").size(), static_cast<std::size_t>(shards));
    for (const json& line : result.at("shards")) EXPECT_EQ(line.at("status"), "pass") << line.dump();
  }

  std::set<fs::path> json_files() const {
    std::set<fs::path> out;
    for (const auto& e : fs::recursive_directory_iterator(work()))
      if (e.path().extension() == ".json" && e.path().filename() != "racecheck.spec.json") out.insert(e.path());
    return out;
  }
  fs::path work() const { return dir_ / "work"; }

  fs::path dir_;
  std::unique_ptr<racecheck::test::DemoTargetProcess> bank_;
};

TEST_F(CiExamples, DocsCiMdShowsEachExample) {
  std::ifstream in(kDocs / "ci.md");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* file : {"ci/github-actions-shards.yml", "ci/gitlab-shards.yml", "ci/kubernetes-shards.yaml",
                           "ci/kubernetes-merge.yaml"}) {
    EXPECT_TRUE(fs::exists(kDocs / file)) << file;
    EXPECT_NE(text.find(std::string("(") + file + ")"), std::string::npos) << "docs/ci.md links " << file;
  }
}

TEST_F(CiExamples, GithubActionsMatrixAndMerge) {
  const json docs = yaml_documents(kDocs / "ci/github-actions-shards.yml");
  ASSERT_TRUE(docs.is_array() && docs.size() == 1) << "not YAML";
  const json& jobs = docs[0].at("jobs");
  const json& matrix = jobs.at("shard").at("strategy").at("matrix").at("shard");
  EXPECT_EQ(jobs.at("shard").at("strategy").at("fail-fast"), false);
  EXPECT_EQ(jobs.at("merge").at("if"), "always()");
  // One job builds the package; the others install it rather than compile racecheck.
  EXPECT_EQ(jobs.at("shard").at("needs"), "package");
  EXPECT_EQ(jobs.at("merge").at("needs"), json::array({"package", "shard"}));
  std::vector<std::string> commands;
  racecheck_commands(docs, commands);
  const int shards = static_cast<int>(matrix.size());
  run_example(commands, shards, [](int) { return Env{}; }, [&](int i) {
    return std::map<std::string, std::string>{{"${{ matrix.shard }}", i > 0 ? matrix[i - 1].dump() : ""},
                                              {"${{ strategy.job-total }}", std::to_string(shards)},
                                              {"${{ github.run_id }}", "4242"}};
  });
}

TEST_F(CiExamples, GitlabParallelAndMerge) {
  const json docs = yaml_documents(kDocs / "ci/gitlab-shards.yml");
  ASSERT_TRUE(docs.is_array() && docs.size() == 1) << "not YAML";
  const int shards = docs[0].at("racecheck-shard").at("parallel").get<int>();
  EXPECT_EQ(docs[0].at("racecheck-merge").at("when"), "always");
  EXPECT_EQ(docs[0].at("racecheck-shard").at("needs"), json::array({"racecheck-package"}));
  EXPECT_EQ(docs[0].at("racecheck-merge").at("needs"), json::array({"racecheck-package", "racecheck-shard"}));
  std::vector<std::string> commands;
  racecheck_commands(docs, commands);
  run_example(commands, shards, [&](int i) {
    return Env{{"CI_NODE_INDEX", std::to_string(i)}, {"CI_NODE_TOTAL", std::to_string(shards)}, {"CI_PIPELINE_ID", "4242"}};
  }, [](int) { return std::map<std::string, std::string>{}; });
}

TEST_F(CiExamples, KubernetesIndexedJobAndMergeJob) {
  const json shards_docs = yaml_documents(kDocs / "ci/kubernetes-shards.yaml");
  const json merge_docs = yaml_documents(kDocs / "ci/kubernetes-merge.yaml");
  ASSERT_TRUE(shards_docs.is_array() && merge_docs.is_array()) << "not YAML";
  const json* job = nullptr;
  for (const json& d : shards_docs)
    if (d.at("kind") == "Job") job = &d;
  ASSERT_NE(job, nullptr);
  const json& spec = job->at("spec");
  EXPECT_EQ(spec.at("completionMode"), "Indexed");
  const int shards = spec.at("completions").get<int>();
  EXPECT_LE(spec.at("parallelism").get<int>(), shards);
  Env env;
  for (const json& var : spec.at("template").at("spec").at("containers").at(0).at("env"))
    env[var.at("name").get<std::string>()] = var.at("value").get<std::string>();
  EXPECT_EQ(env.at("RACECHECK_SHARD_TOTAL"), std::to_string(shards)) << "the shard count is the Job's completions";
  std::vector<std::string> commands;
  racecheck_commands(shards_docs, commands);
  racecheck_commands(merge_docs, commands);
  run_example(commands, shards, [&](int i) {
    Env e = env;
    e["JOB_COMPLETION_INDEX"] = std::to_string(i - 1);
    return e;
  }, [](int) { return std::map<std::string, std::string>{}; });
}

}  // namespace
