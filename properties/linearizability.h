// Linearizability checker: the Wing–Gong / Lowe search with memoization, like
// Porcupine's checker.go, with P-compositionality (each partition of the model is
// checked on its own). Pure: no I/O.
//
// Semantics: an op with ret == kNever (info, or left open) may take effect at any
// time after its call, or never. Running out of the time budget or the cache
// memory bound gives Status::Unknown, never Pass.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "properties/history.h"
#include "properties/model.h"
#include "properties/verdict.h"

namespace racecheck {

struct LinearizabilityOptions {
  double budget_ms = 10000;                 // wall-clock budget for the whole check
  std::size_t max_cache_bytes = 1u << 30;   // bound on the memo cache, all partitions together
  bool check_all_partitions = false;        // false: stop at the first illegal partition
  // Partitions of up to this many ops keep each memo cache entry's set of
  // linearized ops as a bitset too (compared word by word, n bits per entry:
  // 32 bytes at 256, about what the entry takes anyway); larger ones keep only its chain
  // (constant size per entry, compared by walking it). Tests set 0 to check
  // the chains on small histories.
  std::size_t cache_bitset_max_ops = 256;
  // For tests: only this many low bits of the memo cache's configuration hash
  // are kept, so that different configurations collide and the exact comparison
  // of their sets has to tell them apart. 64 in real use.
  int cache_hash_bits = 64;
};

struct PartitionOutcome {
  std::vector<int> ops;               // Operation ids in this partition
  Status status = Status::Unknown;    // Pass, Fail, or Unknown (not finished / out of budget)
  std::uint64_t configurations = 0;   // (linearized set, state) pairs memoized
  std::uint64_t steps = 0;            // model steps tried
  int violation = -1;                 // index into LinearizabilityResult::violations
};

struct LinearizabilityResult {
  Status status = Status::Pass;
  std::vector<PartitionOutcome> partitions;
  std::vector<Violation> violations;  // one per illegal partition found
  bool out_of_time = false;
  bool out_of_memory = false;
  std::size_t peak_cache_bytes = 0;
  double elapsed_ms = 0;
};

// The full result, per partition. Throws ModelInputError when the model cannot
// interpret an op.
LinearizabilityResult check_linearizability_detailed(const Model& model,
                                                     const std::vector<Operation>& ops,
                                                     const LinearizabilityOptions& options = {});

// The verdict for reports: invariant "linearizability", one violation per illegal
// partition found. Throws ModelInputError like the above.
InvariantVerdict check_linearizability(const Model& model, const std::vector<Operation>& ops,
                                       const LinearizabilityOptions& options = {});

}  // namespace racecheck
