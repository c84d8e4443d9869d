// A scenario: a plain, JSON-serializable value saying what the clients will send
// and how the batch is released. Generated (and shrunk) by the property-based run,
// executed by the executor, saved in results for `racecheck replay`.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace racecheck {

using json = nlohmann::json;

struct ScenarioOp {
  std::string f;              // operation name, as in the spec's "operations"
  json args = json::object(); // placeholder values, e.g. {"amount": 50, "account": 0}
  std::string key;            // key group; "" = send no key. Ops sharing a group are one
                              // logical request (concurrent duplicates across clients,
                              // replays within one); each trial sends the group under a
                              // key of its own (harness/idempotency_keys.h).
  int max_attempts = 1;       // an info outcome is retried with the same key up to this many tries
  bool lose_response = false; // first attempt: abandon after the request is fully sent,
                              // record info "lost-response", then retry (if attempts remain)
  int delay_us = 0;           // think time before this op is sent (after the previous one ended)
  json invalid = nullptr;     // hostile arguments: name -> why it is outside its domain (null: none)
  json read_as = nullptr;     // hostile arguments a service may read as an integer: name -> it (null: none)
};

struct ClientProgram {
  std::vector<ScenarioOp> ops;
  int instance = -1;          // pin to base URL #instance; -1 = the spec's distribution policy
};

enum class Release {
  Burst,      // every client's first request is held back by its last byte, then all are released at once
  Staggered,  // client i starts i * stagger_us after the first
};

struct Scenario {
  std::vector<ClientProgram> clients;
  Release release = Release::Burst;
  int stagger_us = 0;

  int op_count() const;
};

json scenario_to_json(const Scenario& s);
// Throws ScenarioError naming the JSON pointer of the bad field and the reason.
Scenario scenario_from_json(const json& j);

struct ScenarioError : std::runtime_error {
  ScenarioError(std::string pointer, std::string reason);
  std::string pointer;
  std::string reason;
};

}  // namespace racecheck
