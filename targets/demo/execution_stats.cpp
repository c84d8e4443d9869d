#include "targets/demo/execution_stats.h"

#include <algorithm>

namespace racecheck::demo {

void ExecutionStats::record_execution(Operation op, const std::string& key) {
  std::lock_guard lock(mutex_);
  (op == Operation::Withdraw ? withdraw_executions_ : deposit_executions_) += 1;
  if (!key.empty()) by_key_[key].executions += 1;
}

ExecutionStats::InFlight::InFlight(ExecutionStats& stats, std::string key)
    : stats_(stats), key_(std::move(key)) {
  if (key_.empty()) return;
  std::lock_guard lock(stats_.mutex_);
  KeyCounters& counters = stats_.by_key_[key_];
  counters.in_flight += 1;
  counters.max_in_flight = std::max(counters.max_in_flight, counters.in_flight);
}

ExecutionStats::InFlight::~InFlight() {
  if (key_.empty()) return;
  std::lock_guard lock(stats_.mutex_);
  stats_.by_key_[key_].in_flight -= 1;
}

nlohmann::json ExecutionStats::to_json() const {
  std::lock_guard lock(mutex_);
  nlohmann::json executions_by_key = nlohmann::json::object();
  nlohmann::json max_in_flight_by_key = nlohmann::json::object();
  for (const auto& [key, counters] : by_key_) {
    executions_by_key[key] = counters.executions;
    max_in_flight_by_key[key] = counters.max_in_flight;
  }
  return {{"withdraw_executions", withdraw_executions_},
          {"deposit_executions", deposit_executions_},
          {"executions_by_key", std::move(executions_by_key)},
          {"max_concurrent_in_flight_by_key", std::move(max_in_flight_by_key)}};
}

}  // namespace racecheck::demo
