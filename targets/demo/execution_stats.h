// Server-side counters behind GET /admin/stats: they let a test prove that a
// request whose response was lost was still executed, and that duplicates of
// one key really were in the server at the same time.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace racecheck::demo {

enum class Operation { Withdraw, Deposit };

class ExecutionStats {
 public:
  // One run of the business logic (applied or refused for insufficient funds).
  // Replays and idempotency/validation refusals are not executions.
  // `key` is the raw Idempotency-Key header value, empty if none was sent.
  void record_execution(Operation op, const std::string& key);

  // Brackets a request that carries `key`, from arrival to response.
  class InFlight {
   public:
    InFlight(ExecutionStats& stats, std::string key);
    ~InFlight();
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

   private:
    ExecutionStats& stats_;
    std::string key_;
  };

  // {"withdraw_executions":n,"deposit_executions":n,"executions_by_key":{..},
  //  "max_concurrent_in_flight_by_key":{..}}
  nlohmann::json to_json() const;

 private:
  struct KeyCounters {
    std::int64_t executions = 0;
    std::int64_t in_flight = 0;
    std::int64_t max_in_flight = 0;
  };
  mutable std::mutex mutex_;
  std::int64_t withdraw_executions_ = 0;
  std::int64_t deposit_executions_ = 0;
  std::map<std::string, KeyCounters> by_key_;
};

}  // namespace racecheck::demo
