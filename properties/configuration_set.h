// The linearizability checker's memo cache (internal to linearizability.cpp):
// the (set of linearized ops, state) configurations a search has seen, stored
// compactly and compared exactly, within a memory bound shared by the partitions.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "properties/model.h"

namespace racecheck::linearizability_detail {

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

}  // namespace racecheck::linearizability_detail
