// libcurl is opened on the first request, not when racecheck starts
// (harness/curl_library.cpp). Run with a directory whose "libcurl.so.4" is not
// a library first on LD_LIBRARY_PATH: a command that sends requests must fail
// as a local fault (exit 6) naming the library, and `check`, which sends
// none, must not notice.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string output;
};

CliRun run_shell(const std::string& cmd) {
  CliRun r;
  FILE* pipe = ::popen((cmd + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class CurlLoading : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("racecheck_curl_loading_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "libcurl.so.4") << "not a shared object\n";
    std::ofstream(dir_ / "empty.jsonl");
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliRun racecheck_without_libcurl(const std::string& args) const {
    return run_shell("LD_LIBRARY_PATH='" + dir_.string() + "' " + std::string(RACECHECK_BINARY_DIR) +
                     "/cli/racecheck " + args);
  }

  fs::path dir_;
};

TEST_F(CurlLoading, CommandThatSendsRequestsFailsAsLocalFaultNamingTheLibrary) {
  const CliRun r = racecheck_without_libcurl("demo --budget 2s --quiet");
  EXPECT_EQ(r.exit_code, 6) << r.output;
  EXPECT_NE(r.output.find("libcurl.so.4"), std::string::npos) << r.output;
}

TEST_F(CurlLoading, CheckNeverLoadsLibcurl) {
  // An empty history judges nothing: inconclusive (4), not a local fault (6).
  const CliRun r = racecheck_without_libcurl("check --model account '" + (dir_ / "empty.jsonl").string() + "'");
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_EQ(r.output.find("libcurl"), std::string::npos) << r.output;
}

}  // namespace
