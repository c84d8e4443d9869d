// The executor's record of one attempt of one op (harness/executor.cpp), and
// what a multi-request operation adds to it: the step in flight and the
// history's record of the steps sent. Not for use outside harness/executor*.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <curl/curl.h>

#include "harness/executor.h"
#include "harness/http_request.h"
#include "harness/protocol.h"

namespace racecheck::executor_detail {

// One attempt of one op: its curl handle, the request bytes and what came back.
// For a multi-request op, the request and response of its current step.
struct Transfer {
  int client = 0;
  int op_index = 0;
  int attempt = 1;
  int instance = 0;
  const ScenarioOp* op = nullptr;

  CURL* easy = nullptr;
  HttpRequest request;
  CurlExchange exchange;    // headers, body and errors of the response; exchange.discard_response = lose
  std::size_t body_offset = 0;  // held body: bytes handed to libcurl by the read callback
  bool bodyless = false;

  bool held = false;        // burst: stop before the last byte
  bool via_h2 = false;      // a stream of the single-packet release (no curl handle)
  std::size_t h2_member = 0;
  bool parked = false;      // the read callback paused at the last byte
  bool released = false;
  bool in_multi = false;
  bool lose = false;        // abandon after the request is fully sent; its response is read and dropped unseen
  bool invoke_recorded = false;
  std::string not_sent;     // why the request could not be sent (UnsendableRequest, a guard); no handle then

  std::int64_t invoke_ns = 0;
  std::int64_t last_byte_ns = -1;
  std::int64_t deadline_ns = 0;

  // Multi-request operations: null for an op of one request.
  std::unique_ptr<OpSequence> sequence;
  SequenceAction step;             // the request step in flight
  std::int64_t step_start_ns = 0;  // when the step's request was started
  json steps = json::array();      // the history's "steps": one record per request sent
};

// Sets the handle's options for t.request: held requests get the read callback
// that stops before the last byte, others the callback that notes the send.
void configure_transfer(CURL* easy, Transfer& t, const ExecutorOptions& options);

// Ready for the step's next request on the same handle: the previous response
// cleared, nothing held (only a burst's first request is held).
void reset_for_next_step(Transfer& t);

// The history record of the request step that just ended: method, path,
// status (0 if none), times relative to origin_ns, and the transport error.
json step_record(const Transfer& t, int status, const std::string& error, std::int64_t now_ns,
                 std::int64_t origin_ns);

// What an attempt's invoke (no outcome) and completion events share.
Event op_event(const Transfer& t, std::optional<Outcome> outcome);

// Whether the attempt's response is to be lost: the scenario asks for it on
// the first attempt, and it applies to the request of the sequence's final
// step (for an op of one request: that request).
bool loses_response(const Transfer& t);

}  // namespace racecheck::executor_detail
