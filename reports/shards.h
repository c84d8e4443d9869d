// Sharded runs in the reports: which shard of a run a result is (`run --shard
// I/N`), and, for a merged result (`racecheck merge`), one line per shard.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/verdict.h"

namespace racecheck {

// Shard `index` (1-based) of `total`. An unsharded run is shard 1/1.
struct ShardId {
  int index = 1;
  int total = 1;
  bool operator==(const ShardId&) const = default;
};

std::string to_string(ShardId shard);  // "2/3"

// One shard of a merged result, as the per-shard lines of every report show it.
struct ShardLine {
  ShardId shard;
  bool missing = false;       // no result of this shard was given to the merge
  std::string file;           // the result file it was read from
  Status status = Status::Pass;  // its overall verdict; Warn: passed with SHOULD-level deviations
  std::uint64_t seed = 0;
  int trials = 0;
  std::int64_t requests = 0;
  double elapsed_s = 0;
  std::string note;           // the violation it kept, or why it was inconclusive
};

struct ReportInput;

// The JSON result's shard members: "shard" {"index", "total"}, "spec_digest",
// and for a merged result "shards" (the per-shard lines).
void add_shard_fields(nlohmann::json& result, const ReportInput& in);
// Reads them back (all optional: a result without "shard" is shard 1/1).
// Throws ResultFormatError naming the field.
void read_shard_fields(const nlohmann::json& result, ReportInput& in);

// The per-shard lines for the terminal and JUnit ("" when the result is not merged):
//   "  shard 2/3  FAIL     seed 7  412 trials, 5123 requests in 10.2 s  idempotency/double-execution  (r-2.json)"
std::string shard_lines_text(const ReportInput& in);
// The same as an HTML section ("" when the result is not merged). Text is escaped here.
std::string shards_html_section(const ReportInput& in);

}  // namespace racecheck
