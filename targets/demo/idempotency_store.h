// Responses remembered per idempotency key. The caller scopes
// keys per account and operation. In Correct mode a key is claimed atomically
// (an in-flight marker) before the work starts; in RacyCache mode nothing is
// recorded until the work is done, the check-process-store bug.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

namespace racecheck::demo {

struct StoredResponse {
  int status = 0;
  std::string body;  // replayed byte for byte
};

class IdempotencyStore {
 public:
  enum class Decision {
    Execute,   // the caller does the work, then complete() or abandon()
    InFlight,  // the same key and payload is being executed right now
    Reused,    // the key was used with a different payload
    Replay,    // finished before: send `replay`
  };
  struct Claim {
    Decision decision;
    StoredResponse replay;  // set for Replay
  };

  // mark_in_flight: record the key before returning Execute (Correct mode).
  Claim claim(const std::string& scoped_key, const std::string& payload_fingerprint,
              bool mark_in_flight);
  // Stores the response for replay (last writer wins, as in a naive cache).
  void complete(const std::string& scoped_key, const std::string& payload_fingerprint,
                StoredResponse response);
  // The work failed before producing a response: forget an in-flight marker so
  // the key can be retried.
  void abandon(const std::string& scoped_key);

 private:
  struct Entry {
    std::string payload_fingerprint;
    bool finished = false;
    StoredResponse response;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace racecheck::demo
