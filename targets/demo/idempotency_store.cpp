#include "targets/demo/idempotency_store.h"

namespace racecheck::demo {

IdempotencyStore::Claim IdempotencyStore::claim(const std::string& scoped_key,
                                                const std::string& payload_fingerprint,
                                                bool mark_in_flight) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(scoped_key);
  if (it == entries_.end()) {
    if (mark_in_flight) entries_.emplace(scoped_key, Entry{payload_fingerprint, false, {}});
    return {Decision::Execute, {}};
  }
  const Entry& entry = it->second;
  if (entry.payload_fingerprint != payload_fingerprint) return {Decision::Reused, {}};
  if (!entry.finished) return {Decision::InFlight, {}};
  return {Decision::Replay, entry.response};
}

void IdempotencyStore::complete(const std::string& scoped_key,
                                const std::string& payload_fingerprint,
                                StoredResponse response) {
  std::lock_guard lock(mutex_);
  entries_[scoped_key] = Entry{payload_fingerprint, true, std::move(response)};
}

void IdempotencyStore::abandon(const std::string& scoped_key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(scoped_key);
  if (it != entries_.end() && !it->second.finished) entries_.erase(it);
}

}  // namespace racecheck::demo
