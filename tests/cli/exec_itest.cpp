// `racecheck exec` (the real binary) runs one saved scenario through the same
// trial sequence as `racecheck run`: final reads are process -2 in its history,
// --seed (or a saved result's seed) picks the instances of the "random"
// distribution, and SIGINT ends a hanging scenario at once with exit 5.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/spec.h"
#include "harness/spec_protocol.h"
#include "tests/cli/misbehaving_server.h"
#include "tests/reports/test_process.h"

namespace racecheck::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;


// The misbehaving server's bank (tests/cli/misbehaving_server.h) with a request
// timeout and a distribution of ops over the instances.
json bank_spec(int timeout_ms, const std::string& distribution) {
  json spec = misbehaving_bank_spec(timeout_ms);
  spec["distribution"] = distribution;
  return spec;
}

// One client, `ops` withdrawals of 1 from account 0, released as a burst.
json withdrawals(int ops) {
  json client_ops = json::array();
  for (int i = 0; i < ops; ++i) client_ops.push_back({{"f", "withdraw"}, {"args", {{"account", 0}, {"amount", 1}}}});
  return {{"release", "burst"}, {"clients", {{{"ops", client_ops}}}}};
}

std::vector<json> read_history(const fs::path& p) {
  std::vector<json> events;
  std::istringstream lines(read_file(p));
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) events.push_back(json::parse(line));
  return events;
}

class Exec : public ::testing::Test {
 protected:
  fs::path write(const std::string& name, const json& j) {
    const fs::path p = dir_.path / name;
    write_file(p, j.dump(2));
    return p;
  }
  std::vector<std::string> exec_args(const fs::path& spec, const fs::path& scenario, std::vector<std::string> extra) {
    std::vector<std::string> argv = {kRacecheck, "exec", spec.string(), scenario.string(), "--history",
                                     history_.string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }
  TempDir dir_;
  fs::path history_ = dir_.path / "h.jsonl";
};

TEST_F(Exec, SetupIsProcessMinusOneAndFinalReadsMinusTwo) {
  MisbehavingServer server(Misbehaviour::None);
  const ProcessResult r = run_process(
      exec_args(write("spec.json", bank_spec(2000, "round-robin")), write("s.json", withdrawals(2)),
                {"--target", server.url()}),
      dir_.path, 60s);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  int opens = 0, final_reads = 0, withdraws = 0;
  for (const auto& e : read_history(history_)) {
    if (e.at("f") == "open") {
      EXPECT_EQ(e.at("process"), -1) << e.dump();
      ++opens;
    } else if (e.at("f") == "read") {
      EXPECT_EQ(e.at("process"), -2) << e.dump();
      ++final_reads;
    } else {
      EXPECT_EQ(e.at("process"), 0) << e.dump();
      ++withdraws;
    }
  }
  EXPECT_EQ(opens, 2);        // invoke + ok
  EXPECT_EQ(final_reads, 2);  // invoke + ok
  EXPECT_EQ(withdraws, 4);
}

// The instances of a "random" distribution come from the seed: --seed, else the
// seed of a saved result file, else 0.
TEST_F(Exec, SeedPicksTheInstancesOfTheRandomDistribution) {
  MisbehavingServer server(Misbehaviour::None);
  constexpr int kOps = 12;
  const json spec_json = bank_spec(2000, "random");
  const fs::path spec = write("spec.json", spec_json);
  // The same bank twice: two instances sharing one state.
  Spec parsed = parse_spec(spec_json, "spec.json");
  override_base_urls(parsed, {server.url(), server.url()});
  auto picks = [&](std::uint64_t seed) {
    SpecProtocol protocol(parsed, TrialVariables{}, seed);
    std::vector<int> out;
    for (int i = 0; i < kOps; ++i) out.push_back(protocol.pick_instance(0, i));
    return out;
  };
  auto sent_instances = [&] {
    std::vector<int> out;
    for (const auto& e : read_history(history_))
      if (e.at("process") == 0 && e.at("type") == "invoke") out.push_back(e.value("instance", 0));
    return out;
  };
  constexpr std::uint64_t kSeed = 7;
  ASSERT_NE(picks(kSeed), picks(0)) << "the test needs a seed that picks other instances than seed 0";

  const fs::path scenario = write("s.json", withdrawals(kOps));
  const std::vector<std::string> targets = {"--target", server.url(), "--target", server.url()};
  std::vector<std::string> with_seed = targets;
  with_seed.insert(with_seed.end(), {"--seed", std::to_string(kSeed)});
  ProcessResult r = run_process(exec_args(spec, scenario, with_seed), dir_.path, 60s);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(sent_instances(), picks(kSeed));

  // A saved result holds its run's seed next to the scenario.
  const fs::path result = write("r.json", {{"seed", kSeed}, {"minimal_scenario", withdrawals(kOps)}});
  r = run_process(exec_args(spec, result, targets), dir_.path, 60s);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(sent_instances(), picks(kSeed));
}

// SIGINT while the target hangs with a 20 s request timeout: the requests in
// flight end at once as info "interrupted", no final read is made, exit 5.
TEST_F(Exec, SigintEndsAHangingScenarioAtOnce) {
  MisbehavingServer server(Misbehaviour::Hang);
  const SpawnedProcess p = spawn_process(
      exec_args(write("spec.json", bank_spec(20000, "round-robin")), write("s.json", withdrawals(1)),
                {"--target", server.url()}),
      dir_.path);
  ASSERT_GT(p.pid, 0) << p.spawn_error;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (server.withdrawals_seen() < 1 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  const bool in_flight = server.withdrawals_seen() >= 1;
  const auto signalled = std::chrono::steady_clock::now();
  kill(p.pid, SIGINT);
  const ProcessResult r = wait_process(p, 30s);
  const double stop_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  ASSERT_TRUE(in_flight) << describe(r);
  ASSERT_EQ(r.exit_code, 5) << describe(r);
  EXPECT_LT(stop_s, 8) << "the 20 s timeout was waited out: " << describe(r);
  int interrupted = 0;
  for (const auto& e : read_history(history_)) {
    EXPECT_NE(e.at("process"), -2) << "no final read after an interrupt: " << e.dump();
    if (e.at("process") == 0 && e.at("type") == "info" && e.value("error", "") == "interrupted") ++interrupted;
  }
  EXPECT_EQ(interrupted, 1);
}

}  // namespace
}  // namespace racecheck::test
