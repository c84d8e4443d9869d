// Which shard a run is (flag and CI environment), and the part of the seed
// space each shard searches.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "harness/generator_settings.h"
#include "harness/property_runner.h"
#include "harness/shard.h"
#include "harness/spec.h"
#include "targets/demo/demo_spec_text.h"

namespace racecheck {
namespace {

EnvironmentLookup environment(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

// The ShardError's source, or "" when the selection succeeds.
std::string error_source(const std::string& flag, int total, std::map<std::string, std::string> vars) {
  try {
    resolve_shard(flag, total, environment(std::move(vars)));
  } catch (const ShardError& e) {
    return e.source;
  }
  return "";
}

TEST(ParseShard, TakesIOverNAndRefusesTheRest) {
  EXPECT_EQ(parse_shard("2/5", "--shard"), (ShardId{2, 5}));
  EXPECT_EQ(parse_shard("1/1", "--shard"), (ShardId{1, 1}));
  for (const char* bad : {"", "2", "0/3", "4/3", "-1/3", "1/0", "a/b", "1/3/4", " 1/3", "1/100001", "+1/3"}) {
    try {
      parse_shard(bad, "RACECHECK_SHARD");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const ShardError& e) {
      EXPECT_EQ(e.source, "RACECHECK_SHARD");
      EXPECT_NE(std::string(e.what()).find("expected I/N"), std::string::npos) << e.what();
    }
  }
}

TEST(ResolveShard, FlagThenExplicitVariableThenTheCiEngines) {
  EXPECT_EQ(resolve_shard("", 0, environment({})).shard, (ShardId{1, 1}));
  EXPECT_EQ(resolve_shard("", 0, environment({})).source, "");
  EXPECT_EQ(resolve_shard("2/3", 0, environment({{"RACECHECK_SHARD", "1/2"}})).source, "--shard");
  EXPECT_EQ(resolve_shard("", 0, environment({{"RACECHECK_SHARD", "1/1"}, {"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "4"}})).shard,
            (ShardId{1, 1}));
  // GitLab counts from 1, Kubernetes from 0.
  EXPECT_EQ(resolve_shard("", 0, environment({{"CI_NODE_INDEX", "4"}, {"CI_NODE_TOTAL", "4"}})).shard, (ShardId{4, 4}));
  EXPECT_EQ(resolve_shard("", 0, environment({{"JOB_COMPLETION_INDEX", "0"}, {"RACECHECK_SHARD_TOTAL", "4"}})).shard,
            (ShardId{1, 4}));
  EXPECT_EQ(resolve_shard("", 4, environment({{"JOB_COMPLETION_INDEX", "3"}})).shard, (ShardId{4, 4}));
  // --shard-total wins over RACECHECK_SHARD_TOTAL, as flags win over the environment.
  EXPECT_EQ(resolve_shard("", 2, environment({{"JOB_COMPLETION_INDEX", "1"}, {"RACECHECK_SHARD_TOTAL", "9"}})).shard,
            (ShardId{2, 2}));
  // Both engines' variables, agreeing.
  EXPECT_EQ(resolve_shard("", 0, environment({{"JOB_COMPLETION_INDEX", "1"}, {"RACECHECK_SHARD_TOTAL", "3"},
                                              {"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "3"}}))
                .shard,
            (ShardId{2, 3}));
  // An empty variable is an unset one (CI templates pass empty values on).
  EXPECT_EQ(resolve_shard("", 0, environment({{"RACECHECK_SHARD", ""}, {"CI_NODE_INDEX", "1"}, {"CI_NODE_TOTAL", "2"}})).shard,
            (ShardId{1, 2}));
}

TEST(ResolveShard, BadOrConflictingValuesNameTheirVariable) {
  EXPECT_EQ(error_source("2/3", 4, {}), "--shard-total");
  EXPECT_EQ(error_source("", 0, {{"RACECHECK_SHARD", "2/3"}, {"RACECHECK_SHARD_TOTAL", "4"}}), "RACECHECK_SHARD_TOTAL");
  EXPECT_EQ(error_source("", 0, {{"RACECHECK_SHARD_TOTAL", "x"}}), "RACECHECK_SHARD_TOTAL");
  EXPECT_EQ(error_source("", 0, {{"RACECHECK_SHARD_TOTAL", "3"}}), "RACECHECK_SHARD_TOTAL");  // no index
  EXPECT_EQ(error_source("", 3, {}), "--shard-total");
  EXPECT_EQ(error_source("", 0, {{"JOB_COMPLETION_INDEX", "1"}}), "JOB_COMPLETION_INDEX");
  EXPECT_EQ(error_source("", 0, {{"JOB_COMPLETION_INDEX", "3"}, {"RACECHECK_SHARD_TOTAL", "3"}}), "JOB_COMPLETION_INDEX");
  EXPECT_EQ(error_source("", 0, {{"JOB_COMPLETION_INDEX", "-1"}, {"RACECHECK_SHARD_TOTAL", "3"}}), "JOB_COMPLETION_INDEX");
  EXPECT_EQ(error_source("", 0, {{"CI_NODE_INDEX", "1"}}), "CI_NODE_INDEX");
  EXPECT_EQ(error_source("", 0, {{"CI_NODE_TOTAL", "2"}}), "CI_NODE_TOTAL");
  EXPECT_EQ(error_source("", 0, {{"CI_NODE_INDEX", "0"}, {"CI_NODE_TOTAL", "2"}}), "CI_NODE_INDEX/CI_NODE_TOTAL");
  EXPECT_EQ(error_source("", 0, {{"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "3"}, {"RACECHECK_SHARD_TOTAL", "4"}}),
            "RACECHECK_SHARD_TOTAL");
  EXPECT_EQ(error_source("", 0, {{"JOB_COMPLETION_INDEX", "0"}, {"RACECHECK_SHARD_TOTAL", "3"}, {"CI_NODE_INDEX", "2"},
                                 {"CI_NODE_TOTAL", "3"}}),
            "JOB_COMPLETION_INDEX");
}

TEST(ShardSearchSeed, ShardOneIsTheUnshardedRunAndEveryShardMovesByWholeChunkRanges) {
  constexpr std::uint64_t kStep = 0x9E3779B97F4A7C15ull * (1ull << 32);
  for (std::uint64_t seed : {0ull, 7ull, ~0ull}) {
    EXPECT_EQ(shard_search_seed(seed, {1, 1}), seed);
    EXPECT_EQ(shard_search_seed(seed, {1, 8}), seed);
    std::set<std::uint64_t> seeds;
    for (int i = 1; i <= 1000; ++i) {
      const std::uint64_t s = shard_search_seed(seed, {i, 1000});
      EXPECT_EQ(s - seed, kStep * static_cast<std::uint64_t>(i - 1));
      seeds.insert(s);
    }
    EXPECT_EQ(seeds.size(), 1000u);
  }
}

// The scenarios the search generates for `shard` (nothing fails, so every one is drawn).
std::vector<std::string> searched_scenarios(std::uint64_t seed, ShardId shard, int trials) {
  const GeneratorSettings settings = generator_settings_from_spec(parse_spec_text(kDemoSpecJson, "demo"));
  std::vector<std::string> drawn;
  const TrialFn trial = [&](const Scenario& sc) {
    drawn.push_back(scenario_to_json(sc).dump());
    return TrialRecord{};
  };
  PropertyRunOptions options;
  options.seed = shard_search_seed(seed, shard);
  options.max_trials = trials;
  const PropertyRunResult result = run_property(settings, trial, options);
  drawn.erase(drawn.begin(), drawn.begin() + result.probes);  // the hostile probes run first: not the search
  return drawn;
}

TEST(ShardSearchSeed, ShardsDrawTheirOwnScenariosAndTheSameShardDrawsTheSameAgain) {
  const std::vector<std::string> unsharded = searched_scenarios(42, {1, 1}, 60);
  const std::vector<std::string> first = searched_scenarios(42, {1, 3}, 60);
  const std::vector<std::string> second = searched_scenarios(42, {2, 3}, 60);
  const std::vector<std::string> third = searched_scenarios(42, {3, 3}, 60);
  ASSERT_EQ(unsharded.size(), 60u);
  EXPECT_EQ(first, unsharded);
  EXPECT_EQ(searched_scenarios(42, {2, 3}, 60), second);
  // Small scenarios can coincide by chance (one client, one op); larger ones differ.
  auto large = [](const std::vector<std::string>& v) {
    std::set<std::string> out;
    for (const std::string& s : v)
      if (s.size() > 400) out.insert(s);
    return out;
  };
  const std::set<std::string> a = large(first), b = large(second), c = large(third);
  ASSERT_GT(a.size(), 20u);
  for (const std::string& s : b) {
    EXPECT_EQ(a.count(s), 0u) << s;
    EXPECT_EQ(c.count(s), 0u) << s;
  }
}

}  // namespace
}  // namespace racecheck
