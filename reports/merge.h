// `racecheck merge`: one verdict from the JSON results of a run's shards
// (`racecheck run --shard I/N`), each searched in its own part of the seed space.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/reports.h"

namespace racecheck {

struct ShardResult {
  std::string file;              // where it was read from: named in every message about it
  ReportInput result;            // parse_result_json of it
  nlohmann::json racecheck;      // its top-level "racecheck" object ({"version", "commit"}); null when absent
};

// Results that cannot be the shards of one run: "<file>: <JSON pointer>: <reason>".
struct MergeError : std::runtime_error {
  MergeError(const std::string& file, const std::string& pointer, const std::string& reason);
};

// The merged result. A violation in any shard fails it, with the best
// counterexample over the shards (fewest operations, then fewest clients, then
// the highest reproduction rate, then the lowest shard index): its minimal
// scenario, seed, spec path and command, so `racecheck replay` works on the
// merged result as on that shard's. Missing or inconclusive shards add a
// "shards" verdict with status unknown (the merge is then inconclusive unless a
// shard failed). Statistics are summed (elapsed time: the longest shard), and
// every shard, missing ones included, gets a line in `shards`.
//
// Throws MergeError for a shard index seen twice, totals that disagree, another
// spec (spec_digest) or another racecheck version, a result without a spec
// digest, and a result that is itself a merge.
ReportInput merge_shard_results(const std::vector<ShardResult>& results);

// Hex SHA-256 of the spec's canonical JSON (keys sorted, no whitespace: dump()),
// so the same spec with another layout has the same digest.
std::string spec_digest(const nlohmann::json& spec);

}  // namespace racecheck
