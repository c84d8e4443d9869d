// racecheck merge's rules over synthetic shard results: one verdict, the best
// counterexample, summed statistics, missing shards, and the refusals.
#include <gtest/gtest.h>

#include "reports/merge.h"

namespace racecheck {
namespace {

using nlohmann::json;

InvariantVerdict verdict(const std::string& invariant, Status status, std::vector<Violation> violations = {}) {
  InvariantVerdict v;
  v.invariant = invariant;
  v.status = status;
  v.summary = invariant + " " + std::string(to_string(status));
  v.violations = std::move(violations);
  return v;
}

Violation must(const std::string& invariant, std::vector<int> ops) {
  Violation x;
  x.invariant = invariant;
  x.kind = "lost-update";
  x.explanation = "a deposit was lost";
  x.ops = std::move(ops);
  return x;
}

// A scenario of `clients` clients with `ops` operations in all.
json scenario(int clients, int ops) {
  json out = {{"clients", json::array()}};
  for (int c = 0; c < clients; ++c) out["clients"].push_back({{"ops", json::array()}});
  for (int i = 0; i < ops; ++i) out["clients"][i % clients]["ops"].push_back({{"op", "deposit"}});
  return out;
}

ShardResult shard(int index, int total, Status status) {
  ShardResult r;
  r.file = "r-" + std::to_string(index) + ".json";
  ReportInput& in = r.result;
  in.shard = {index, total};
  in.seed = 100 + static_cast<std::uint64_t>(index);
  in.spec_digest = std::string(64, 'a');
  in.spec_path = "bank.json";
  in.command = "racecheck run bank.json --shard " + to_string(in.shard);
  in.stats.trials = 10 * index;
  in.stats.requests = 100 * index;
  in.stats.elapsed_s = index;
  in.stats.outcomes_by_op["deposit"]["ok"] = index;
  in.stats.invariants["conservation"] = InvariantTally{10 * index, 10 * index, 0, 0, 0, 0, 50};
  in.minimal_scenario = nullptr;
  if (status == Status::Fail) {
    in.verdicts.verdicts = {verdict("conservation", Status::Fail, {must("conservation", {1, 2})})};
    in.minimal_scenario = scenario(2, 4);
    in.repro_runs = 3;
    in.repro_failures = 2;
    in.violation_signature = "conservation/lost-update";
    in.stats.first_violation_s = 0.5 * index;
  } else if (status == Status::Unknown) {
    in.verdicts.verdicts = {verdict("run", Status::Unknown), verdict("conservation", Status::Pass)};
    in.verdicts.verdicts[0].summary = "no trial ran";
  } else {
    in.verdicts.verdicts = {verdict("conservation", status)};
  }
  return r;
}

const InvariantVerdict* find(const ReportInput& r, const std::string& invariant) {
  for (const auto& v : r.verdicts.verdicts)
    if (v.invariant == invariant) return &v;
  return nullptr;
}

std::string refusal(const std::vector<ShardResult>& results) {
  try {
    merge_shard_results(results);
  } catch (const MergeError& e) {
    return e.what();
  }
  return "";
}

TEST(Merge, AllShardsPassingPassWithSummedStatistics) {
  const ReportInput m = merge_shard_results({shard(2, 3, Status::Pass), shard(1, 3, Status::Pass), shard(3, 3, Status::Pass)});
  EXPECT_EQ(m.verdicts.overall(), Status::Pass);
  EXPECT_EQ(m.stats.trials, 60);
  EXPECT_EQ(m.stats.requests, 600);
  EXPECT_EQ(m.stats.elapsed_s, 3);  // side by side: the longest shard
  EXPECT_EQ(m.stats.outcomes_by_op.at("deposit").at("ok"), 6);
  EXPECT_EQ(m.stats.invariants.at("conservation").ops, 150);
  EXPECT_EQ(find(m, "conservation")->summary, "60 trials checked in 3 shards, 150 ops, all passed");
  EXPECT_EQ(find(m, "shards")->status, Status::Pass);
  ASSERT_EQ(m.shards.size(), 3u);
  EXPECT_EQ(m.shards[0].shard, (ShardId{1, 3}));
  EXPECT_EQ(m.shards[2].file, "r-3.json");
  EXPECT_EQ(m.shard, (ShardId{1, 3}));
}

TEST(Merge, AMissingOrInconclusiveShardMakesItInconclusive) {
  const ReportInput missing = merge_shard_results({shard(1, 3, Status::Pass), shard(3, 3, Status::Pass)});
  EXPECT_EQ(missing.verdicts.overall(), Status::Unknown);
  EXPECT_TRUE(missing.shards[1].missing);
  EXPECT_NE(find(missing, "shards")->summary.find("2 of 3 shards reported; missing: 2/3"), std::string::npos)
      << find(missing, "shards")->summary;

  const ReportInput unknown = merge_shard_results({shard(1, 2, Status::Pass), shard(2, 2, Status::Unknown)});
  EXPECT_EQ(unknown.verdicts.overall(), Status::Unknown);
  EXPECT_EQ(unknown.shards[1].note, "no trial ran");
  EXPECT_EQ(unknown.command, "racecheck run bank.json --shard 2/2");
  EXPECT_EQ(find(unknown, "run"), nullptr) << "a shard's own run verdict becomes its shard line";
}

TEST(Merge, AViolationInOneShardFailsTheWholeWithItsCounterexample) {
  const ReportInput m = merge_shard_results({shard(1, 3, Status::Pass), shard(2, 3, Status::Fail)});
  EXPECT_EQ(m.verdicts.overall(), Status::Fail);  // shard 3 missing: still a failure
  EXPECT_EQ(m.shard, (ShardId{2, 3}));
  EXPECT_EQ(m.seed, 102u);
  EXPECT_EQ(m.minimal_scenario, scenario(2, 4));
  EXPECT_EQ(m.command, "racecheck run bank.json --shard 2/3");
  EXPECT_EQ(find(m, "conservation")->violations.at(0).ops, (std::vector<int>{1, 2}));
  EXPECT_EQ(m.stats.first_violation_s, 1.0);
  EXPECT_EQ(m.shards[1].note, "conservation/lost-update");
}

TEST(Merge, TheBestCounterexampleIsTheSmallestThenTheMostReproducible) {
  std::vector<ShardResult> shards = {shard(1, 3, Status::Fail), shard(2, 3, Status::Fail), shard(3, 3, Status::Fail)};
  shards[0].result.minimal_scenario = scenario(2, 3);
  shards[1].result.minimal_scenario = scenario(2, 2);
  shards[2].result.minimal_scenario = scenario(2, 2);
  shards[2].result.repro_failures = 3;
  EXPECT_EQ(merge_shard_results(shards).shard.index, 3);
  shards[2].result.repro_failures = 2;  // a tie: the lower index
  EXPECT_EQ(merge_shard_results(shards).shard.index, 2);
  shards[0].result.minimal_scenario = scenario(1, 2);  // as few ops, fewer clients
  EXPECT_EQ(merge_shard_results(shards).shard.index, 1);
}

TEST(Merge, AnInvariantFailingInAnotherShardFailsWithoutItsOperationIds) {
  std::vector<ShardResult> shards = {shard(1, 2, Status::Fail), shard(2, 2, Status::Fail)};
  shards[1].result.minimal_scenario = scenario(3, 6);  // shard 1's counterexample is the smaller
  shards[1].result.verdicts.verdicts.push_back(verdict("idempotency", Status::Fail, {must("idempotency", {4})}));
  const ReportInput m = merge_shard_results(shards);
  const InvariantVerdict* idem = find(m, "idempotency");
  ASSERT_NE(idem, nullptr);
  EXPECT_EQ(idem->status, Status::Fail);
  EXPECT_TRUE(idem->violations.at(0).ops.empty()) << "its ids point into shard 2's history, not the one shown";
  EXPECT_EQ(idem->violations.at(0).explanation, "in shard 2/2: a deposit was lost");
  EXPECT_EQ(find(m, "conservation")->violations.at(0).ops, (std::vector<int>{1, 2}));
}

TEST(Merge, TheMergedResultRoundTripsThroughJson) {
  const ReportInput m = merge_shard_results({shard(1, 2, Status::Pass), shard(2, 2, Status::Fail)});
  const ReportInput back = parse_result_json(render_json(m));
  EXPECT_EQ(back.shard, (ShardId{2, 2}));
  EXPECT_EQ(back.spec_digest, m.spec_digest);
  ASSERT_EQ(back.shards.size(), 2u);
  EXPECT_EQ(back.shards[1].status, Status::Fail);
  EXPECT_EQ(back.shards[1].note, "conservation/lost-update");
  EXPECT_EQ(back.shards[0].trials, 10);
  EXPECT_EQ(back.minimal_scenario, m.minimal_scenario);
  // A result without "shard" (written before sharding) is shard 1/1.
  json old = render_json(shard(1, 1, Status::Pass).result);
  old.erase("shard");
  EXPECT_EQ(parse_result_json(old).shard, (ShardId{1, 1}));
  old["shard"] = {{"index", 0}, {"total", 2}};
  EXPECT_THROW(parse_result_json(old), ResultFormatError);
}

TEST(Merge, RefusesResultsThatAreNotOneRunsShards) {
  EXPECT_NE(refusal({shard(1, 2, Status::Pass), shard(1, 2, Status::Pass)}).find("r-1.json: /shard/index: shard 1/2 is also r-1.json"),
            std::string::npos);
  EXPECT_NE(refusal({shard(1, 2, Status::Pass), shard(2, 3, Status::Pass)}).find("r-2.json: /shard/total: 3, but r-1.json has 2"),
            std::string::npos);
  ShardResult other = shard(2, 2, Status::Pass);
  other.result.spec_digest = std::string(64, 'b');
  EXPECT_NE(refusal({shard(1, 2, Status::Pass), other}).find("r-2.json: /spec_digest: another spec"), std::string::npos);
  other.result.spec_digest.clear();
  EXPECT_NE(refusal({shard(1, 2, Status::Pass), other}).find("r-2.json: /spec_digest: missing"), std::string::npos);
  ShardResult merged = shard(2, 2, Status::Pass);
  merged.result.shards = merge_shard_results({shard(1, 1, Status::Pass)}).shards;
  EXPECT_NE(refusal({shard(1, 2, Status::Pass), merged}).find("/shards: is already a merged result"), std::string::npos);
}

TEST(Merge, ComparesRacecheckVersionsWhenBothResultsHaveOne) {
  ShardResult a = shard(1, 3, Status::Pass), b = shard(2, 3, Status::Pass), c = shard(3, 3, Status::Pass);
  a.racecheck = {{"version", "1.2.0"}, {"commit", "abc1234"}};
  b.racecheck = {{"version", "1.2.0"}, {"commit", "unknown"}};  // built outside git: no commit to compare
  EXPECT_EQ(refusal({a, b, c}), "");                            // c has none: nothing to compare
  c.racecheck = {{"version", "1.3.0"}};
  EXPECT_NE(refusal({a, b, c}).find("r-3.json: /racecheck/version: racecheck version 1.3.0, but r-1.json has 1.2.0"),
            std::string::npos)
      << refusal({a, b, c});
  c.racecheck = {{"version", "1.2.0"}, {"commit", "fff0000"}};
  EXPECT_NE(refusal({a, b, c}).find("/racecheck/commit"), std::string::npos);
  c.racecheck = {{"version", 2}};
  EXPECT_NE(refusal({a, b, c}).find("r-3.json: /racecheck/version: expected a string"), std::string::npos);
}

TEST(SpecDigest, IsTheContentNotTheLayout) {
  const json a = json::parse(R"({"name": "bank", "base_urls": ["http://x"]})");
  const json b = json::parse("{\"base_urls\":[\"http://x\"],\n  \"name\":\"bank\"}");
  EXPECT_EQ(spec_digest(a), spec_digest(b));
  EXPECT_EQ(spec_digest(a).size(), 64u);
  EXPECT_NE(spec_digest(a), spec_digest(json::parse(R"({"name": "bank2", "base_urls": ["http://x"]})")));
}

}  // namespace
}  // namespace racecheck
