// The seam between the spec and the executor: the executor moves bytes and keeps
// time; the protocol (built from the spec) says what to send and what a response
// means. Tests can drive the executor with a hand-written protocol.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/scenario.h"
#include "properties/history.h"

namespace racecheck {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;            // absolute: base URL of the instance + path
  Headers headers;
  std::string body;           // sent with Content-Length (never chunked: last-byte sync needs it)
};

struct HttpResponse {
  int status = 0;             // 0 when no response was received
  Headers headers;
  std::string body;           // at most the executor's body cap
  bool body_truncated = false;
  // "" when a response arrived; else the reason no response did, as a history
  // labels it ("timeout", "connection-refused", ...: harness/http_request.h)
  std::string transport_error;
  std::string transport_detail;  // the same for a message: "connection refused to http://..."
};

struct Classification {
  Outcome outcome = Outcome::Info;
  std::string error;          // e.g. "insufficient-funds", "key-in-flight", "server-error"
  json extracted = json::object();  // values pulled from the response (e.g. {"balance": 50})
};

// One step of a multi-request operation: send a request, or end the operation.
struct SequenceAction {
  bool send = false;              // true: send `request`; false: the op is over, `result` says how
  HttpRequest request;
  int step = 0;                   // index of the request's step in the operation's "steps"
  int round = 1;                  // 1, then +1 each time a conflict re-runs the sequence
  bool last_step = false;         // the request is the sequence's final step (a lost response applies to it)
  Classification result;
  bool judged_response = false;   // result judges the last response (record its status and body)
};

// Drives one attempt of a multi-request operation (harness/op_steps.h): the
// executor sends what it asks for and hands back each response.
class OpSequence {
 public:
  virtual ~OpSequence() = default;
  virtual SequenceAction start() = 0;
  virtual SequenceAction on_response(const HttpResponse& response) = 0;
};

class Protocol {
 public:
  virtual ~Protocol() = default;
  virtual int instance_count() const = 0;
  // Which instance serves this op of this client when the scenario does not pin one.
  virtual int pick_instance(int client, int op_index) = 0;
  // The instance `op` always goes to, whatever the distribution and the
  // client's pin (a write to the leader, a read from a follower); -1: none.
  virtual int pinned_instance(const ScenarioOp& /*op*/) const { return -1; }
  virtual HttpRequest render(const ScenarioOp& op, int instance) const = 0;
  // Called only when a response arrived (transport failures are info, decided by the executor).
  virtual Classification classify(const ScenarioOp& op, const HttpResponse& response) const = 0;
  // A multi-request operation's sequence for one attempt; nullptr for an op of
  // one request (render + classify). `op` outlives the sequence.
  virtual std::unique_ptr<OpSequence> begin_sequence(const ScenarioOp& op, int instance) const {
    (void)op;
    (void)instance;
    return nullptr;
  }
};

}  // namespace racecheck
