// Sharded runs: `racecheck run --shard I/N` on N machines (a CI matrix, GitLab
// `parallel:`, a Kubernetes Indexed Job) searches N disjoint parts of the seed
// space; `racecheck merge` turns their results into one verdict.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "reports/shards.h"

namespace racecheck {

inline constexpr int kMaxShards = 100000;

// A bad shard value: `source` names the flag or environment variable it came from.
struct ShardError : std::runtime_error {
  ShardError(std::string source, std::string reason);
  std::string source;
  std::string reason;
};

// "I/N" with 1 <= I <= N <= kMaxShards. Throws ShardError naming `source`.
ShardId parse_shard(const std::string& text, const std::string& source);

// Which shard this process is, and where that was read ("" when not sharded: 1/1).
struct ShardSelection {
  ShardId shard;
  std::string source;  // "--shard", "RACECHECK_SHARD", "JOB_COMPLETION_INDEX", "CI_NODE_INDEX"
};

// An environment variable's value; nullopt (or empty) when it is not set.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The shard from the flag or the environment, in this order (the first one set wins):
//   --shard I/N
//   RACECHECK_SHARD=I/N                       (explicit; RACECHECK_SHARD=1/1 turns sharding off)
//   JOB_COMPLETION_INDEX (0-based, Kubernetes Indexed Job) with the total from
//     --shard-total or RACECHECK_SHARD_TOTAL;
//   CI_NODE_INDEX / CI_NODE_TOTAL (1-based, GitLab `parallel:`)
// The two CI sources, when both are set, must agree; a total (--shard-total,
// RACECHECK_SHARD_TOTAL) must agree with the shard chosen and needs an index.
// `total_flag` is --shard-total (0: not given). Throws ShardError naming the
// variable or flag of a bad or conflicting value.
ShardSelection resolve_shard(const std::string& flag, int total_flag, const EnvironmentLookup& env);

// The seed shard I/N's scenario search starts from. The search draws its
// scenarios in chunks, chunk c from mix(seed + G*(c+1)) (harness/property_runner.cpp,
// G odd, mix a bijection); this seed is the run seed moved by G * 2^32 * (I-1), so
// shard I draws chunks [(I-1)*2^32, I*2^32) of the run seed's one sequence:
// disjoint for every shard that runs fewer than 2^32 chunks, and shard 1 is the
// unsharded run. The trials themselves keep the run seed (`replay` needs only it).
std::uint64_t shard_search_seed(std::uint64_t run_seed, ShardId shard);

}  // namespace racecheck
