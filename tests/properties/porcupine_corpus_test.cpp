// Every history of Porcupine's corpus must get the verdict Porcupine's own tests
// assert (expected.json); the empty etcd_095 must be accepted as linearizable.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "properties/basic_models.h"
#include "properties/jepsen_import.h"
#include "properties/linearizability.h"

namespace racecheck {
namespace {

namespace fs = std::filesystem;

fs::path corpus_dir() { return fs::path(RACECHECK_SOURCE_DIR) / "tests" / "corpus" / "porcupine"; }

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(PorcupineCorpus, EveryFileGetsTheExpectedVerdict) {
  const fs::path dir = corpus_dir();
  ASSERT_TRUE(fs::exists(dir / "expected.json"))
      << "Porcupine corpus not found at " << dir
      << " (the corpus is part of the repository: tests/corpus/porcupine)";
  const json expected = json::parse(read_file(dir / "expected.json"));
  const auto reg = make_register_model();
  const auto kv = make_kv_model();
  int agreed = 0, scored = 0, files = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& [name, info] : expected.at("files").items()) {
    SCOPED_TRACE(name);
    ++files;
    const fs::path path = dir / name;
    ASSERT_TRUE(fs::exists(path)) << path;
    const std::string text = read_file(path);
    const bool is_kv = info.at("model") == "kv-append";
    const std::vector<Event> events = is_kv ? import_jepsen_kv(text) : import_jepsen_etcd(text);
    const PairingResult paired = pair_operations(events);
    EXPECT_TRUE(paired.problems.empty()) << paired.problems.front();
    EXPECT_EQ(static_cast<std::int64_t>(paired.ops.size()), info.at("ops").get<std::int64_t>());
    LinearizabilityOptions opts;
    opts.budget_ms = 30000;
    const InvariantVerdict v = check_linearizability(is_kv ? *kv : *reg, paired.ops, opts);
    if (info.at("linearizable").is_null()) {
      EXPECT_EQ(v.status, Status::Pass) << "an empty history is linearizable";
      continue;
    }
    ++scored;
    const Status want = info.at("linearizable").get<bool>() ? Status::Pass : Status::Fail;
    EXPECT_EQ(v.status, want) << v.summary;
    if (v.status == want) ++agreed;
    if (v.status == Status::Fail) {
      ASSERT_FALSE(v.violations.empty());
      const Violation& viol = v.violations.front();
      EXPECT_EQ(viol.invariant, "linearizability");
      EXPECT_FALSE(viol.explanation.empty());
      EXPECT_GE(viol.unplaceable_op, 0);
      EXPECT_EQ(viol.prefix_states.size(), viol.linearized_prefix.size() + 1);
    }
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("porcupine corpus: %d of %d verdicts agree (%d files, %.0f ms)\n", agreed, scored, files, ms);
  EXPECT_EQ(files, 109);
  EXPECT_EQ(scored, 108);
  EXPECT_EQ(agreed, scored);
}

// Porcupine cannot finish keys 0 and 9 of c50-bad (README: stress). Every key must
// be decided here, well within the budget, and the cache must stay small.
TEST(PorcupineCorpus, EveryKeyOfC50BadIsDecided) {
  const fs::path path = corpus_dir() / "kv" / "c50-bad.txt";
  ASSERT_TRUE(fs::exists(path)) << path;
  const PairingResult paired = pair_operations(import_jepsen_kv(read_file(path)));
  LinearizabilityOptions opts;
  opts.budget_ms = 30000;
  opts.check_all_partitions = true;
  const LinearizabilityResult r = check_linearizability_detailed(*make_kv_model(), paired.ops, opts);
  EXPECT_EQ(r.status, Status::Fail);
  EXPECT_FALSE(r.out_of_time);
  EXPECT_FALSE(r.out_of_memory);
  ASSERT_EQ(r.partitions.size(), 10u);
  std::size_t failed = 0;
  for (const PartitionOutcome& p : r.partitions) {
    EXPECT_NE(p.status, Status::Unknown);
    failed += p.status == Status::Fail;
  }
  EXPECT_EQ(r.violations.size(), failed);
  EXPECT_LT(r.peak_cache_bytes, std::size_t{64} << 20);
  std::printf("c50-bad, every key: %zu of 10 keys illegal, %.1f ms\n", failed, r.elapsed_ms);
}

}  // namespace
}  // namespace racecheck
