#include "harness/shard.h"

namespace racecheck {

ShardError::ShardError(std::string source_, std::string reason_)
    : std::runtime_error(source_ + ": " + reason_), source(std::move(source_)), reason(std::move(reason_)) {}

namespace {

// A decimal count without sign or spaces, at most kMaxShards.
std::optional<int> small_count(const std::string& text) {
  if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const int n = std::stoi(text);
  if (n > kMaxShards) return std::nullopt;
  return n;
}

std::string set_value(const EnvironmentLookup& env, const std::string& name) {
  const std::optional<std::string> value = env(name);
  return value ? *value : "";
}

}  // namespace

ShardId parse_shard(const std::string& text, const std::string& source) {
  const std::size_t slash = text.find('/');
  const std::string usage = "'" + text + "' is not a shard: expected I/N, e.g. 2/5 (shard 2 of 5, 1 <= I <= N <= " +
                            std::to_string(kMaxShards) + ")";
  if (slash == std::string::npos) throw ShardError(source, usage);
  const std::optional<int> index = small_count(text.substr(0, slash));
  const std::optional<int> total = small_count(text.substr(slash + 1));
  if (!index || !total || *index < 1 || *index > *total) throw ShardError(source, usage);
  return ShardId{*index, *total};
}

ShardSelection resolve_shard(const std::string& flag, int total_flag, const EnvironmentLookup& env) {
  // The total given on its own (for JOB_COMPLETION_INDEX), and where it came from.
  std::string total_source;
  int total = 0;
  if (total_flag > 0) {
    total_source = "--shard-total";
    total = total_flag;
    if (total > kMaxShards) throw ShardError(total_source, std::to_string(total) + " is more than " + std::to_string(kMaxShards));
  } else if (const std::string text = set_value(env, "RACECHECK_SHARD_TOTAL"); !text.empty()) {
    total_source = "RACECHECK_SHARD_TOTAL";
    const std::optional<int> n = small_count(text);
    if (!n || *n < 1)
      throw ShardError(total_source, "'" + text + "' is not a shard count (1 to " + std::to_string(kMaxShards) + ")");
    total = *n;
  }
  auto agreeing = [&](ShardSelection s) {
    if (total > 0 && total != s.shard.total)
      throw ShardError(total_source, std::to_string(total) + " disagrees with " + s.source + " (shard " +
                                         to_string(s.shard) + ")");
    return s;
  };

  if (!flag.empty()) return agreeing({parse_shard(flag, "--shard"), "--shard"});
  if (const std::string text = set_value(env, "RACECHECK_SHARD"); !text.empty())
    return agreeing({parse_shard(text, "RACECHECK_SHARD"), "RACECHECK_SHARD"});

  std::optional<ShardSelection> kubernetes, gitlab;
  if (const std::string text = set_value(env, "JOB_COMPLETION_INDEX"); !text.empty()) {
    const std::optional<int> index = small_count(text);
    if (!index) throw ShardError("JOB_COMPLETION_INDEX", "'" + text + "' is not a completion index (0, 1, 2, ...)");
    if (total == 0)
      throw ShardError("JOB_COMPLETION_INDEX", "is set (" + text + ") but the shard count is not: set "
                                               "RACECHECK_SHARD_TOTAL to the Job's completions, or pass --shard-total");
    if (*index >= total)
      throw ShardError("JOB_COMPLETION_INDEX", text + " is not below the shard count " + std::to_string(total) +
                                                   " (" + total_source + ")");
    kubernetes = ShardSelection{ShardId{*index + 1, total}, "JOB_COMPLETION_INDEX"};
  }
  const std::string node_index = set_value(env, "CI_NODE_INDEX"), node_total = set_value(env, "CI_NODE_TOTAL");
  if (!node_index.empty() || !node_total.empty()) {
    if (node_index.empty()) throw ShardError("CI_NODE_TOTAL", "is set (" + node_total + ") but CI_NODE_INDEX is not");
    if (node_total.empty()) throw ShardError("CI_NODE_INDEX", "is set (" + node_index + ") but CI_NODE_TOTAL is not");
    const ShardId s = parse_shard(node_index + "/" + node_total, "CI_NODE_INDEX/CI_NODE_TOTAL");
    gitlab = ShardSelection{s, "CI_NODE_INDEX"};
    if (!kubernetes) return agreeing(*gitlab);
  }
  if (kubernetes && gitlab && kubernetes->shard != gitlab->shard)
    throw ShardError("JOB_COMPLETION_INDEX", "says shard " + to_string(kubernetes->shard) + " but CI_NODE_INDEX/CI_NODE_TOTAL say " +
                                                 to_string(gitlab->shard) + ": set RACECHECK_SHARD or pass --shard");
  if (kubernetes) return *kubernetes;
  if (total > 0)
    throw ShardError(total_source, "gives a shard count but no shard index: pass --shard I/N, or set "
                                   "RACECHECK_SHARD or JOB_COMPLETION_INDEX");
  return ShardSelection{};
}

std::uint64_t shard_search_seed(std::uint64_t run_seed, ShardId shard) {
  constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ull;  // property_runner.cpp's chunk step
  constexpr std::uint64_t kChunksPerShard = 1ull << 32;
  return run_seed + kGolden * kChunksPerShard * static_cast<std::uint64_t>(shard.index - 1);
}

}  // namespace racecheck
