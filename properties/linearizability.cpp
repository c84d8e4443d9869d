#include "properties/linearizability.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <string>

#include "properties/configuration_set.h"
#include "util/splitmix64.h"

namespace racecheck {
namespace {

using linearizability_detail::Clock;
using linearizability_detail::ConfigurationSet;
using linearizability_detail::SearchLimits;

// The search numbers a partition's ops 0..n-1 (LocalOp: an index into its
// tables, not an Operation::id) and the entries of its event list 1..m
// (ListEntry; 0 is the list's head and marks its end). Unsigned, so they index
// the tables directly; 32 bits, as the memo cache stores them.
using LocalOp = std::uint32_t;
using ListEntry = std::uint32_t;

// One partition's search, resumable: run() does a bounded number of steps so that
// partitions can take turns and a hard one does not starve the easy ones.
class PartitionSearch {
 public:
  enum class Progress { Running, Linearizable, Illegal, OutOfMemory };

  PartitionSearch(const std::vector<Operation>& all_ops, std::vector<int> ids,
                  std::unique_ptr<SequentialSpec> spec, std::size_t bitset_max_ops)
      : all_ops_(all_ops),
        global_(std::move(ids)),
        spec_(std::move(spec)),
        words_((global_.size() + 63) / 64),
        cache_(global_.size() <= bitset_max_ops ? words_ : 0, global_.size() + 1) {
    const std::size_t n = global_.size();
    finite_.resize(n);
    zobrist_.resize(n);
    bits_.assign(std::max<std::size_t>(words_, 1), 0);

    // Events in real-time order; a call comes before a return at the same time
    // (closed intervals overlap). Ops that never return get no return event:
    // they may be left out of the linearization (placed "at infinity").
    struct Ev {
      std::int64_t time;
      bool is_return;  // a call sorts before a return at the same time
      LocalOp op;
    };
    std::vector<Ev> evs;
    evs.reserve(2 * n);
    read_only_.resize(n);
    for (LocalOp k = 0; k < n; ++k) {
      const Operation& op = op_at(k);
      finite_[k] = op.ret != kNever;
      zobrist_[k] = splitmix64(0x5EEDull + k * 0x100000001B3ull);
      read_only_[k] = spec_->read_only(global_[k]);
      // An op that never returns and never changes the state (an indeterminate
      // cas from A to A) is left out of the search: any linearization that places
      // it stays one without it, and leaving it out is allowed. Kept in, it would
      // stay a candidate to the end, to be stepped at every configuration.
      if (!finite_[k] && read_only_[k]) continue;
      evs.push_back({op.call, false, k});
      if (finite_[k]) {
        evs.push_back({op.ret, true, k});
        ++remaining_finite_;
      }
    }
    std::sort(evs.begin(), evs.end(), [](const Ev& a, const Ev& b) {
      if (a.time != b.time) return a.time < b.time;
      if (a.is_return != b.is_return) return b.is_return;
      return a.op < b.op;
    });
    const std::size_t m = evs.size();
    next_.assign(m + 1, 0);
    prev_.assign(m + 1, 0);
    entry_op_.assign(m + 1, 0);
    match_.assign(m + 1, 0);
    std::vector<ListEntry> call_entry(n, 0);  // 0: left out
    for (ListEntry e = 1; e <= m; ++e) {
      const Ev& ev = evs[e - 1];
      entry_op_[e] = ev.op;
      prev_[e] = e - 1;
      next_[e - 1] = e;
      if (!ev.is_return) call_entry[ev.op] = e;
      else match_[call_entry[ev.op]] = e;
    }
    is_call_entry_.assign(m + 1, 0);
    for (LocalOp k = 0; k < n; ++k)
      if (call_entry[k] != 0) is_call_entry_[call_entry[k]] = 1;
    state_ = spec_->init();
    hash_ = 0;
    entry_ = next_[0];
    stack_.reserve(n);
  }

  Progress run(std::uint64_t max_steps, SearchLimits& limits) {
    std::uint64_t done_steps = 0;
    while (true) {
      if (remaining_finite_ == 0) return Progress::Linearizable;
      if (done_steps++ >= max_steps) return Progress::Running;
      if ((done_steps & 1023) == 0 && Clock::now() >= limits.deadline) return Progress::Running;
      if (fresh_) {
        // A read-only candidate (a read, a failed cas) that is legal here can go
        // next in some linearization iff any linearization exists from here: it
        // changes no state wherever it is placed, and no remaining op must precede
        // it. So take it, and try no alternative at this configuration.
        fresh_ = false;
        const Forced f = find_forced_impl(limits);
        if (f == Forced::Taken) continue;
        if (f == Forced::Dead) {
          if (!backtrack()) return Progress::Illegal;
          continue;
        }
        if (f == Forced::OutOfMemory) return Progress::OutOfMemory;
      }
      const ListEntry e = entry_;
      if (is_call_entry_[e]) {
        const LocalOp k = entry_op_[e];
        State next_state = 0;
        ++steps_;
        // An op that may never return and does not change the state here can
        // always be moved to the end instead: trying it now is wasted work.
        if (spec_->step(state_, global_[k], &next_state) && (finite_[k] || next_state != state_)) {
          const auto added = try_push(e, k, next_state, false, limits);
          if (added == ConfigurationSet::Insert::Added) continue;
          if (added == ConfigurationSet::Insert::OutOfMemory) return Progress::OutOfMemory;
        }
        entry_ = next_[e];
      } else {
        // A return whose call is not linearized yet: this branch is dead.
        if (!backtrack()) return Progress::Illegal;
      }
    }
  }

  std::uint64_t steps() const { return steps_; }
  std::uint64_t configurations() const { return cache_.size(); }
  void release(SearchLimits& limits) { cache_.release(limits); }
  const std::vector<int>& ops() const { return global_; }

  Violation violation(const Model& model) {
    Violation v;
    v.invariant = "linearizability";
    v.kind = "non-linearizable";
    v.severity = Severity::Must;
    std::vector<char> placed(global_.size(), 0);
    for (LocalOp k : best_prefix_) {
      placed[k] = 1;
      v.linearized_prefix.push_back(global_[k]);
    }
    v.prefix_states = spec_->describe_run(v.linearized_prefix);
    // The op that could not be placed: the earliest-returning op outside the
    // prefix (the return the search kept running into).
    std::optional<LocalOp> stuck;
    for (LocalOp k = 0; k < global_.size(); ++k) {
      if (placed[k] || !finite_[k]) continue;
      if (!stuck || op_at(k).ret < op_at(*stuck).ret) stuck = k;
    }
    v.unplaceable_op = stuck ? global_[*stuck] : -1;
    if (stuck) {
      const Operation& bad = op_at(*stuck);
      v.ops.push_back(global_[*stuck]);
      // Ops that overlap it in real time are the ones an order could have swapped.
      for (LocalOp k = 0; k < global_.size(); ++k) {
        if (k == *stuck || v.ops.size() >= 8) continue;
        const Operation& o = op_at(k);
        if (o.call <= bad.ret && bad.call <= o.ret) v.ops.push_back(global_[k]);
      }
      v.explanation = "op " + std::to_string(global_[*stuck]) + " (" + model.describe_op(bad) +
                      ") cannot be explained: the longest order consistent with real time places " +
                      std::to_string(best_prefix_.size()) + " of " + std::to_string(global_.size()) +
                      " ops and leaves the state at " + v.prefix_states.back() +
                      ", and no order of the ops still in flight makes its result possible";
    } else {
      v.explanation = "no order of these " + std::to_string(global_.size()) +
                      " ops consistent with real time explains every result";
      v.ops = global_;
    }
    return v;
  }

 private:
  struct Frame {
    ListEntry entry;
    State state;              // before the op
    std::uint32_t config;     // cache entry of the configuration after the op
    bool forced;
  };

  enum class Forced { None, Taken, Dead, OutOfMemory };

  // Scans the candidates (calls before the first pending return) for a legal
  // op that leaves the state unchanged, and takes it.
  Forced find_forced_impl(SearchLimits& limits) {
    for (ListEntry e = next_[0]; e != 0 && is_call_entry_[e]; e = next_[e]) {
      const LocalOp k = entry_op_[e];
      if (!read_only_[k]) continue;
      State next_state = 0;
      ++steps_;
      if (!spec_->step(state_, global_[k], &next_state) || next_state != state_) continue;
      const auto added = try_push(e, k, next_state, true, limits);
      if (added == ConfigurationSet::Insert::Added) return Forced::Taken;
      if (added == ConfigurationSet::Insert::OutOfMemory) return Forced::OutOfMemory;
      return Forced::Dead;  // the only configuration worth trying was already refuted
    }
    return Forced::None;
  }

  ConfigurationSet::Insert try_push(ListEntry e, LocalOp k, State next_state, bool forced, SearchLimits& limits) {
    bits_[k >> 6] |= (1ull << (k & 63));
    const std::uint64_t set_hash = hash_ ^ zobrist_[k];
    const ConfigurationSet::Entry key{next_state, stack_.empty() ? ConfigurationSet::kRoot : stack_.back().config,
                                      k, static_cast<std::uint32_t>(stack_.size() + 1)};
    const auto added = cache_.insert(key, bits_.data(), (set_hash ^ splitmix64(next_state)) & limits.hash_mask, limits,
                                     [this](std::uint32_t index) { return same_set(index); });
    if (added != ConfigurationSet::Insert::Added) {
      bits_[k >> 6] &= ~(1ull << (k & 63));
      return added;
    }
    note_push(k);
    stack_.push_back({e, state_, static_cast<std::uint32_t>(cache_.size()), forced});
    state_ = next_state;
    hash_ = set_hash;
    lift(e);
    if (finite_[k]) --remaining_finite_;
    entry_ = next_[0];
    fresh_ = true;
    return added;
  }

  // Whether cache entry `index`, whose set has as many ops as the stack plus the
  // op being pushed (already marked in bits_), holds exactly that set. Walks the
  // entry's chain back to the first entry that is a configuration on the stack:
  // below it both sets agree; above it the chain's ops are distinct, none in the
  // shared part, and as many as the stack's ops above it plus the pushed op, so
  // the sets are equal iff every one of them is marked in bits_. The walk is as
  // long as the two orders differ, not as long as the sets.
  bool same_set(std::uint32_t index) const {
    while (index != ConfigurationSet::kRoot) {
      const ConfigurationSet::Entry e = cache_.entry(index);
      if (e.size <= stack_.size() && stack_[e.size - 1].config == index) return true;
      if ((bits_[e.op >> 6] & (1ull << (e.op & 63))) == 0) return false;
      index = e.parent;
    }
    return true;
  }

  // Keeps best_prefix_ the longest stack seen without copying the stack on every
  // push: the first agree_ frames of the stack are best_prefix_'s first entries.
  void note_push(LocalOp k) {
    const std::size_t depth = stack_.size();
    if (agree_ == depth && depth < best_prefix_.size() && best_prefix_[depth] == k) {
      ++agree_;
      return;
    }
    if (depth + 1 <= best_prefix_.size()) return;  // not longer than the best
    best_prefix_.resize(agree_);
    for (std::size_t i = agree_; i < depth; ++i)
      best_prefix_.push_back(entry_op_[stack_[i].entry]);
    best_prefix_.push_back(k);
    agree_ = depth + 1;
  }

  // Undoes the last linearized op and resumes its configuration's walk after it;
  // a forced op's configuration has no alternative, so it is undone too.
  // Returns false when nothing is left to undo: the partition is illegal.
  bool backtrack() {
    while (true) {
      if (stack_.empty()) return false;
      const Frame top = stack_.back();
      stack_.pop_back();
      agree_ = std::min(agree_, stack_.size());
      const LocalOp k = entry_op_[top.entry];
      state_ = top.state;
      hash_ ^= zobrist_[k];
      bits_[k >> 6] &= ~(1ull << (k & 63));
      unlift(top.entry);
      if (finite_[k]) ++remaining_finite_;
      fresh_ = false;
      if (!top.forced) {
        entry_ = next_[top.entry];
        return true;
      }
    }
  }


  void unlink(ListEntry e) {
    next_[prev_[e]] = next_[e];
    if (next_[e] != 0) prev_[next_[e]] = prev_[e];
  }
  void relink(ListEntry e) {
    next_[prev_[e]] = e;
    if (next_[e] != 0) prev_[next_[e]] = e;
  }
  // Removes a call and its return from the list (dancing links: undone in LIFO order).
  void lift(ListEntry e) {
    unlink(e);
    if (const ListEntry r = match_[e]; r != 0) unlink(r);
  }
  void unlift(ListEntry e) {
    if (const ListEntry r = match_[e]; r != 0) relink(r);
    relink(e);
  }

  const Operation& op_at(LocalOp k) const { return all_ops_[static_cast<std::size_t>(global_[k])]; }

  const std::vector<Operation>& all_ops_;
  std::vector<int> global_;              // LocalOp -> Operation id
  std::unique_ptr<SequentialSpec> spec_;
  std::size_t words_;
  ConfigurationSet cache_;
  std::vector<char> finite_;             // op has a return event
  std::vector<char> read_only_;          // op that never changes the state (only finite ones are in the list)
  std::vector<std::uint64_t> zobrist_;   // per-op random keys: the set hash is their XOR
  std::vector<std::uint64_t> bits_;      // linearized ops
  // The event list: entry 0 is the head; next_ == 0 ends the list.
  std::vector<ListEntry> next_, prev_, match_;  // match_: a call's return entry (0: none)
  std::vector<LocalOp> entry_op_;
  std::vector<char> is_call_entry_;
  std::vector<Frame> stack_;
  std::vector<LocalOp> best_prefix_;     // the longest linearization seen
  std::size_t agree_ = 0;                // leading stack frames equal to best_prefix_
  State state_ = 0;
  std::uint64_t hash_ = 0;
  ListEntry entry_ = 0;
  bool fresh_ = true;  // at a configuration not yet scanned for a forced op
  std::size_t remaining_finite_ = 0;
  std::uint64_t steps_ = 0;
};

}  // namespace

LinearizabilityResult check_linearizability_detailed(const Model& model, const std::vector<Operation>& ops,
                                                     const LinearizabilityOptions& options) {
  const auto start = Clock::now();
  LinearizabilityResult result;
  SearchLimits limits;
  limits.max_cache_bytes = options.max_cache_bytes;
  limits.bitset_max_ops = options.cache_bitset_max_ops;
  if (options.cache_hash_bits < 64) limits.hash_mask = (1ull << std::max(options.cache_hash_bits, 0)) - 1;
  limits.deadline = start + std::chrono::microseconds(static_cast<std::int64_t>(options.budget_ms * 1000.0));

  std::vector<std::vector<int>> parts = model.partition(ops);
  parts.erase(std::remove_if(parts.begin(), parts.end(), [](const std::vector<int>& p) { return p.empty(); }),
              parts.end());
  result.partitions.resize(parts.size());
  std::vector<std::unique_ptr<PartitionSearch>> searches(parts.size());
  bool stop = false;

  // Runs partition i for up to `quantum` steps; true when it is decided (or
  // out of memory) and its search has been dropped.
  auto run_partition = [&](std::size_t i, std::uint64_t quantum) {
    PartitionSearch& s = *searches[i];
    PartitionOutcome& out = result.partitions[i];
    const auto progress = s.run(quantum, limits);
    out.steps = s.steps();
    out.configurations = s.configurations();
    switch (progress) {
      case PartitionSearch::Progress::Running:
        return false;
      case PartitionSearch::Progress::Linearizable:
        out.status = Status::Pass;
        break;
      case PartitionSearch::Progress::Illegal:
        out.status = Status::Fail;
        out.violation = static_cast<int>(result.violations.size());
        result.violations.push_back(s.violation(model));
        if (!options.check_all_partitions) stop = true;
        break;
      case PartitionSearch::Progress::OutOfMemory:
        out.status = Status::Unknown;
        result.out_of_memory = true;
        break;
    }
    s.release(limits);
    searches[i].reset();
    return true;
  };

  // First round: each partition is prepared and gets one small quantum as soon as
  // it is built, so the many easy ones are done (and their memory reused) before
  // the next is built. Every partition is prepared even after a stop, so that an
  // op the model cannot interpret is reported wherever it is.
  std::uint64_t quantum = 1u << 14;
  std::vector<std::size_t> active;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    for (int id : parts[i])
      if (id < 0 || static_cast<std::size_t>(id) >= ops.size())
        throw ModelInputError(id, "id", "partition names an op outside the history");
    auto spec = model.prepare(ops, parts[i]);
    result.partitions[i].ops = std::move(parts[i]);
    if (stop) continue;
    searches[i] = std::make_unique<PartitionSearch>(ops, result.partitions[i].ops, std::move(spec),
                                                   limits.bitset_max_ops);
    if (!run_partition(i, quantum)) active.push_back(i);
    if (!active.empty() && (i & 63) == 0 && Clock::now() >= limits.deadline) stop = result.out_of_time = true;
  }

  // Then round-robin with doubling quanta: a hard partition does not starve the others.
  while (!active.empty() && !stop) {
    if (Clock::now() >= limits.deadline) {
      result.out_of_time = true;
      break;
    }
    quantum = std::min<std::uint64_t>(quantum * 2, 1ull << 40);
    std::vector<std::size_t> still;
    for (std::size_t i : active) {
      if (stop || !run_partition(i, quantum)) still.push_back(i);
    }
    active.swap(still);
  }
  for (std::size_t i : active) {
    if (searches[i]) searches[i]->release(limits);
  }

  bool any_fail = false, any_unknown = false;
  for (const auto& p : result.partitions) {
    any_fail |= p.status == Status::Fail;
    any_unknown |= p.status == Status::Unknown;
  }
  result.status = any_fail ? Status::Fail : any_unknown ? Status::Unknown : Status::Pass;
  result.peak_cache_bytes = limits.peak_cache_bytes;
  result.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return result;
}

InvariantVerdict check_linearizability(const Model& model, const std::vector<Operation>& ops,
                                       const LinearizabilityOptions& options) {
  LinearizabilityResult r = check_linearizability_detailed(model, ops, options);
  InvariantVerdict v;
  v.invariant = "linearizability";
  v.status = r.status;
  v.elapsed_ms = r.elapsed_ms;
  v.violations = std::move(r.violations);
  std::size_t passed = 0, failed = 0, unknown = 0;
  for (const auto& p : r.partitions) {
    passed += p.status == Status::Pass;
    failed += p.status == Status::Fail;
    unknown += p.status == Status::Unknown;
  }
  const std::string scope = std::to_string(ops.size()) + " ops in " + std::to_string(r.partitions.size()) +
                            " partition" + (r.partitions.size() == 1 ? "" : "s") + " under model " +
                            model.name();
  switch (r.status) {
    case Status::Pass:
      v.summary = "linearizable: " + scope;
      break;
    case Status::Fail:
      v.summary = "not linearizable: " + std::to_string(failed) + " illegal partition" +
                  (failed == 1 ? "" : "s") + " found among " + scope;
      break;
    default:
      v.summary = "unknown: " + std::to_string(unknown) + " of " + scope + " not decided (" +
                  (r.out_of_memory ? "cache memory bound reached" : "time budget of " +
                   std::to_string(static_cast<long long>(options.budget_ms)) + " ms exhausted") +
                  "); " + std::to_string(passed) + " partitions linearizable";
      break;
  }
  return v;
}

}  // namespace racecheck
