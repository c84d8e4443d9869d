#include "properties/linearizability.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>
#include <string>

#include "util/splitmix64.h"

namespace racecheck {
namespace {

using Clock = std::chrono::steady_clock;

// Shared between the partitions of one check: the memory bound and the deadline.
struct SearchLimits {
  std::size_t max_cache_bytes = 0;
  std::size_t used_cache_bytes = 0;
  std::size_t peak_cache_bytes = 0;
  std::uint64_t hash_mask = ~0ull;  // LinearizabilityOptions::cache_hash_bits
  std::size_t bitset_max_ops = 0;   // LinearizabilityOptions::cache_bitset_max_ops
  Clock::time_point deadline;
};

// The memo cache: a set of (set of linearized ops, state) configurations, each
// entry keyed by a 64-bit hash that only narrows the candidates; equality is
// decided exactly, in one of two ways:
// - small partitions store each set as a bitset (Porcupine's way) and compare
//   words: n bits per entry are few;
// - large ones store a chain: every configuration but the empty one is reached
//   from a remembered one by linearizing one more op, so an entry holds its
//   parent entry, that op, the state and the set's size, and equality is decided
//   by walking the chain (see PartitionSearch::same_set). A bitset per entry
//   would grow the cache as ~n^2 / 8 bytes for a search that remembers ~n
//   configurations (12.5 KB each, over 1 GiB, at 100k ops); a chain entry is 24
//   bytes. The walk is as long as the two orders of the set differ, which on
//   Porcupine's small etcd histories costs more than comparing a few words.
class ConfigurationSet {
 public:
  static constexpr std::uint32_t kRoot = 0;  // the empty set: no entry

  struct Entry {
    State state;
    std::uint32_t parent;  // entry index of the set without `op`; kRoot for the empty set
    std::uint32_t op;      // local op index linearized last
    std::uint32_t size;    // ops in the set (the chain's length)
  };

  // `set_words` words per bitset, 0 for chains only. `expected` configurations
  // fit without growing (a legal partition of n ops needs at least n + 1); small
  // initial blocks keep tiny partitions cheap.
  ConfigurationSet(std::size_t set_words, std::size_t expected)
      : set_words_(set_words), stride_(set_words != 0 ? 1 + set_words : 3) {
    initial_slots_ = 16;
    while (initial_slots_ < 2 * expected) initial_slots_ *= 2;
    initial_entries_ = std::max<std::size_t>(expected, 8);
  }

  std::size_t bytes() const {
    return arena_.capacity() * sizeof(std::uint64_t) + slots_.capacity() * sizeof(Slot);
  }
  std::size_t size() const { return count_; }
  // Entries are numbered from 1 (0 is kRoot). Chains only (set_words 0).
  Entry entry(std::uint32_t index) const {
    const std::uint64_t* e = &arena_[static_cast<std::size_t>(index - 1) * stride_];
    return {e[0], static_cast<std::uint32_t>(e[1]), static_cast<std::uint32_t>(e[1] >> 32),
            static_cast<std::uint32_t>(e[2])};
  }

  enum class Insert { Added, Present, OutOfMemory };

  // Adds `key`, whose set is also `bits` (set_words words), unless an entry with
  // the same state and set is present. `hash` must be a function of the set and
  // the state; without bitsets, `same_set(index)` says whether entry `index`
  // (same hash, state and size) holds exactly key's set.
  // Layout per entry: with bitsets [state, set words...] (what an entry needs);
  // with chains [state, parent | op << 32, size].
  template <typename SameSet>
  Insert insert(const Entry& key, const std::uint64_t* bits, std::uint64_t hash, SearchLimits& limits,
                SameSet&& same_set) {
    if (slots_.empty() || (count_ + 1) * 2 > slots_.size()) {
      if (!grow_table(limits)) return Insert::OutOfMemory;
    }
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = static_cast<std::size_t>(hash) & mask;
    while (slots_[i].index != 0) {
      if (slots_[i].hash == hash) {
        const std::uint64_t* e = &arena_[static_cast<std::size_t>(slots_[i].index - 1) * stride_];
        if (e[0] == key.state &&
            (set_words_ != 0 ? std::memcmp(e + 1, bits, set_words_ * sizeof(std::uint64_t)) == 0
                             : e[2] == key.size && same_set(slots_[i].index)))
          return Insert::Present;
      }
      i = (i + 1) & mask;
    }
    if (arena_.size() + stride_ > arena_.capacity()) {
      const std::size_t new_capacity = std::max<std::size_t>(arena_.capacity() * 2, stride_ * initial_entries_);
      if (!account(limits, (new_capacity - arena_.capacity()) * sizeof(std::uint64_t))) return Insert::OutOfMemory;
      arena_.reserve(new_capacity);
    }
    if (count_ + 1 >= std::numeric_limits<std::uint32_t>::max()) return Insert::OutOfMemory;
    arena_.push_back(key.state);
    if (set_words_ != 0) {
      arena_.insert(arena_.end(), bits, bits + set_words_);
    } else {
      arena_.push_back(key.parent | (static_cast<std::uint64_t>(key.op) << 32));
      arena_.push_back(key.size);
    }
    ++count_;
    slots_[i].hash = hash;
    slots_[i].index = static_cast<std::uint32_t>(count_);
    return Insert::Added;
  }

  void release(SearchLimits& limits) {
    limits.used_cache_bytes -= std::min(limits.used_cache_bytes, bytes());
    std::vector<std::uint64_t>().swap(arena_);
    std::vector<Slot>().swap(slots_);
    count_ = 0;
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t index = 0;  // entry index; 0 = empty slot
  };

  static bool account(SearchLimits& limits, std::size_t extra) {
    if (limits.used_cache_bytes + extra > limits.max_cache_bytes) return false;
    limits.used_cache_bytes += extra;
    limits.peak_cache_bytes = std::max(limits.peak_cache_bytes, limits.used_cache_bytes);
    return true;
  }

  bool grow_table(SearchLimits& limits) {
    const std::size_t new_size = slots_.empty() ? initial_slots_ : slots_.size() * 2;
    if (!account(limits, (new_size - slots_.size()) * sizeof(Slot))) return false;
    std::vector<Slot> fresh(new_size);
    const std::size_t mask = new_size - 1;
    for (const Slot& s : slots_) {
      if (s.index == 0) continue;
      std::size_t i = static_cast<std::size_t>(s.hash) & mask;
      while (fresh[i].index != 0) i = (i + 1) & mask;
      fresh[i] = s;
    }
    slots_.swap(fresh);
    return true;
  }

  std::size_t set_words_;
  std::size_t stride_;  // words per entry
  std::size_t initial_slots_;
  std::size_t initial_entries_;
  std::size_t count_ = 0;
  std::vector<std::uint64_t> arena_;  // the entries, stride_ words each
  std::vector<Slot> slots_;
};

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
      int kind;  // 0 call, 1 return
      int op;
    };
    std::vector<Ev> evs;
    evs.reserve(2 * n);
    read_only_.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
      const Operation& op = all_ops_[static_cast<std::size_t>(global_[k])];
      finite_[k] = op.ret != kNever;
      zobrist_[k] = splitmix64(0x5EEDull + k * 0x100000001B3ull);
      read_only_[k] = spec_->read_only(global_[k]);
      // An op that never returns and never changes the state (an indeterminate
      // cas from A to A) is left out of the search: any linearization that places
      // it stays one without it, and leaving it out is allowed. Kept in, it would
      // stay a candidate to the end, to be stepped at every configuration.
      if (!finite_[k] && read_only_[k]) continue;
      evs.push_back({op.call, 0, static_cast<int>(k)});
      if (finite_[k]) {
        evs.push_back({op.ret, 1, static_cast<int>(k)});
        ++remaining_finite_;
      }
    }
    std::sort(evs.begin(), evs.end(), [](const Ev& a, const Ev& b) {
      if (a.time != b.time) return a.time < b.time;
      if (a.kind != b.kind) return a.kind < b.kind;
      return a.op < b.op;
    });
    const std::size_t m = evs.size();
    next_.assign(m + 1, 0);
    prev_.assign(m + 1, 0);
    entry_op_.assign(m + 1, -1);
    match_.assign(m + 1, 0);
    std::vector<int> call_entry(n, 0);  // 0: left out
    for (std::size_t i = 0; i < m; ++i) {
      const int e = static_cast<int>(i + 1);
      entry_op_[e] = evs[i].op;
      prev_[e] = e - 1;
      next_[e - 1] = e;
      if (evs[i].kind == 0) call_entry[static_cast<std::size_t>(evs[i].op)] = e;
      else match_[call_entry[static_cast<std::size_t>(evs[i].op)]] = e;
    }
    is_call_entry_.assign(m + 1, 0);
    for (std::size_t k = 0; k < n; ++k)
      if (call_entry[k] != 0) is_call_entry_[static_cast<std::size_t>(call_entry[k])] = 1;
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
      const int e = entry_;
      if (is_call_entry_[static_cast<std::size_t>(e)]) {
        const std::size_t k = static_cast<std::size_t>(entry_op_[static_cast<std::size_t>(e)]);
        State next_state = 0;
        ++steps_;
        // An op that may never return and does not change the state here can
        // always be moved to the end instead: trying it now is wasted work.
        if (spec_->step(state_, global_[k], &next_state) && (finite_[k] || next_state != state_)) {
          const auto added = try_push(e, k, next_state, false, limits);
          if (added == ConfigurationSet::Insert::Added) continue;
          if (added == ConfigurationSet::Insert::OutOfMemory) return Progress::OutOfMemory;
        }
        entry_ = next_[static_cast<std::size_t>(e)];
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
    for (int k : best_prefix_) {
      placed[static_cast<std::size_t>(k)] = 1;
      v.linearized_prefix.push_back(global_[static_cast<std::size_t>(k)]);
    }
    v.prefix_states = spec_->describe_run(v.linearized_prefix);
    // The op that could not be placed: the earliest-returning op outside the
    // prefix (the return the search kept running into).
    int stuck = -1;
    for (std::size_t k = 0; k < global_.size(); ++k) {
      if (placed[k] || !finite_[k]) continue;
      const Operation& op = all_ops_[static_cast<std::size_t>(global_[k])];
      if (stuck < 0 || op.ret < all_ops_[static_cast<std::size_t>(stuck)].ret) stuck = global_[k];
    }
    v.unplaceable_op = stuck;
    if (stuck >= 0) {
      const Operation& bad = all_ops_[static_cast<std::size_t>(stuck)];
      v.ops.push_back(stuck);
      // Ops that overlap it in real time are the ones an order could have swapped.
      for (int id : global_) {
        if (id == stuck || v.ops.size() >= 8) continue;
        const Operation& o = all_ops_[static_cast<std::size_t>(id)];
        if (o.call <= bad.ret && bad.call <= o.ret) v.ops.push_back(id);
      }
      v.explanation = "op " + std::to_string(stuck) + " (" + model.describe_op(bad) +
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
    int entry;
    State state;              // before the op
    std::uint32_t config;     // cache entry of the configuration after the op
    bool forced;
  };

  enum class Forced { None, Taken, Dead, OutOfMemory };

  // Scans the candidates (calls before the first pending return) for a legal
  // op that leaves the state unchanged, and takes it.
  Forced find_forced_impl(SearchLimits& limits) {
    for (int e = next_[0]; e != 0 && is_call_entry_[static_cast<std::size_t>(e)];
         e = next_[static_cast<std::size_t>(e)]) {
      const std::size_t k = static_cast<std::size_t>(entry_op_[static_cast<std::size_t>(e)]);
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

  ConfigurationSet::Insert try_push(int e, std::size_t k, State next_state, bool forced, SearchLimits& limits) {
    bits_[k >> 6] |= (1ull << (k & 63));
    const std::uint64_t set_hash = hash_ ^ zobrist_[k];
    const ConfigurationSet::Entry key{next_state, stack_.empty() ? ConfigurationSet::kRoot : stack_.back().config,
                                      static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(stack_.size() + 1)};
    const auto added = cache_.insert(key, bits_.data(), (set_hash ^ splitmix64(next_state)) & limits.hash_mask, limits,
                                     [this](std::uint32_t index) { return same_set(index); });
    if (added != ConfigurationSet::Insert::Added) {
      bits_[k >> 6] &= ~(1ull << (k & 63));
      return added;
    }
    note_push(static_cast<int>(k));
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
  void note_push(int k) {
    const std::size_t depth = stack_.size();
    if (agree_ == depth && depth < best_prefix_.size() && best_prefix_[depth] == k) {
      ++agree_;
      return;
    }
    if (depth + 1 <= best_prefix_.size()) return;  // not longer than the best
    best_prefix_.resize(agree_);
    for (std::size_t i = agree_; i < depth; ++i)
      best_prefix_.push_back(entry_op_[static_cast<std::size_t>(stack_[i].entry)]);
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
      const std::size_t k = static_cast<std::size_t>(entry_op_[static_cast<std::size_t>(top.entry)]);
      state_ = top.state;
      hash_ ^= zobrist_[k];
      bits_[k >> 6] &= ~(1ull << (k & 63));
      unlift(top.entry);
      if (finite_[k]) ++remaining_finite_;
      fresh_ = false;
      if (!top.forced) {
        entry_ = next_[static_cast<std::size_t>(top.entry)];
        return true;
      }
    }
  }


  void unlink(int e) {
    next_[static_cast<std::size_t>(prev_[static_cast<std::size_t>(e)])] = next_[static_cast<std::size_t>(e)];
    if (next_[static_cast<std::size_t>(e)] != 0)
      prev_[static_cast<std::size_t>(next_[static_cast<std::size_t>(e)])] = prev_[static_cast<std::size_t>(e)];
  }
  void relink(int e) {
    next_[static_cast<std::size_t>(prev_[static_cast<std::size_t>(e)])] = e;
    if (next_[static_cast<std::size_t>(e)] != 0) prev_[static_cast<std::size_t>(next_[static_cast<std::size_t>(e)])] = e;
  }
  // Removes a call and its return from the list (dancing links: undone in LIFO order).
  void lift(int e) {
    unlink(e);
    if (const int r = match_[static_cast<std::size_t>(e)]; r != 0) unlink(r);
  }
  void unlift(int e) {
    if (const int r = match_[static_cast<std::size_t>(e)]; r != 0) relink(r);
    relink(e);
  }

  const std::vector<Operation>& all_ops_;
  std::vector<int> global_;              // local op index -> Operation id
  std::unique_ptr<SequentialSpec> spec_;
  std::size_t words_;
  ConfigurationSet cache_;
  std::vector<char> finite_;             // op has a return event
  std::vector<char> read_only_;          // op that never changes the state (only finite ones are in the list)
  std::vector<std::uint64_t> zobrist_;   // per-op random keys: the set hash is their XOR
  std::vector<std::uint64_t> bits_;      // linearized ops
  // The event list: entry 0 is the head; next_ == 0 ends the list.
  std::vector<int> next_, prev_, entry_op_, match_;
  std::vector<char> is_call_entry_;
  std::vector<Frame> stack_;
  std::vector<int> best_prefix_;         // local op indices, longest linearization seen
  std::size_t agree_ = 0;                // leading stack frames equal to best_prefix_
  State state_ = 0;
  std::uint64_t hash_ = 0;
  int entry_ = 0;
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
