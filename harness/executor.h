// Runs one Scenario against a live target with libcurl's multi interface, on the
// calling thread, and streams every event to a HistorySink. Keep one Executor
// alive across scenarios and trials: its multi handle keeps the connections, so
// later bursts reuse warm connections (CURLINFO_NUM_CONNECTS == 0).
//
// Release::Burst holds every client's first request back by its last byte (body
// with a known Content-Length, read callback stops before the final byte and
// pauses); when all are parked, all are unpaused and one curl_multi_perform
// writes the final bytes. Requests without a body (GET, HEAD, DELETE without
// body) cannot be held that way through libcurl: they are NOT synchronized by a
// held byte; they are added to the multi handle at the release instant, in the
// same curl_multi_perform as the held ones, and counted in
// ExecutorResult::burst_unsynchronized. The sent_ns of a request not held is
// when libcurl began writing it (CURLOPT_PREREQFUNCTION): header and a body
// under 64 KiB go out in that one write.
//
// ReleaseMethod::SinglePacket sends the burst's first requests, bodyless ones
// included, as streams of one HTTP/2 connection per origin through nghttp2
// (harness/h2_burst.h): their final frames go out in one write. Every later
// request and every retry goes through libcurl as above.
//
// Not thread-safe: one Executor per thread; all curl handles stay on that thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/h2_burst.h"
#include "harness/history_writer.h"
#include "harness/protocol.h"
#include "harness/release_method.h"
#include "harness/scenario.h"
#include "harness/transport_options.h"

namespace racecheck {

struct ExecutorOptions {
  int request_timeout_ms = 5000;      // from the request's release (burst) or start, to its completion
  int connect_timeout_ms = 2000;
  int burst_park_timeout_ms = 2000;   // a burst is released anyway if not every request parked by then
  std::size_t max_body_bytes = 1 << 20;  // response body cap; the excess is read and dropped
  int lost_response_grace_ms = 75;    // how long the server gets to read a request before we abandon it
  int retry_backoff_us = 1000;        // before retry k+1 (after attempt k): k * retry_backoff_us
  long max_connections = 0;           // CURLMOPT_MAXCONNECTS; 0 = max(64, 2 * clients)
  // HTTP/2 (ALPN on https://, h2c prior knowledge on http://). Each transfer
  // still has a connection of its own (no multiplexing), so a held last byte
  // is a held last DATA frame of its stream.
  bool http2 = false;
  TlsOptions tls;
  ReleaseMethod release_method = ReleaseMethod::LastByte;  // how a Release::Burst is released
  // Polled once per pass of the event loop (at least every 100 ms): when it
  // returns true, the attempts in flight end at once as info "interrupted" (they
  // may or may not take effect) and no further op starts. `racecheck run` stops
  // on SIGINT/SIGTERM this way instead of waiting out a hanging target's timeouts.
  bool (*stop_requested)() = nullptr;
};

struct ExecutorResult {
  std::int64_t requests_sent = 0;        // attempts started (one invoke event each)
  std::int64_t requests_fully_sent = 0;  // attempts whose last byte went out
  std::int64_t ok = 0;
  std::int64_t fail = 0;
  std::int64_t info = 0;
  std::map<std::string, std::int64_t> info_reasons;  // "timeout", "lost-response", "server-error", ...
  std::int64_t burst_spread_ns = -1;     // max - min last-byte time of the held requests; -1 = no burst
  int burst_synchronized = 0;            // first requests released by their held last byte
  int burst_unsynchronized = 0;          // bodyless first requests, sent at the release without a hold
  bool burst_park_timed_out = false;     // released before every held request had parked
  std::int64_t elapsed_ns = 0;
  std::vector<std::int64_t> latencies_ns;  // per attempt: last byte sent (or start) -> completion
  std::int64_t new_connections = 0;      // sum of CURLINFO_NUM_CONNECTS: 0 = every connection reused
  bool interrupted = false;              // stop_requested() ended the run early
  // What the responses came over: "h2", "http/1.1" (also when any response of
  // a run asked for h2 fell back to it), "" when no response arrived.
  std::string protocol;
  // ReleaseMethod::SinglePacket: every write of final frames (one per origin and
  // round of SETTINGS_MAX_CONCURRENT_STREAMS streams), with its size and instant.
  std::vector<H2ReleaseRound> single_packet_writes;
};

class Executor {
 public:
  explicit Executor(ExecutorOptions options = {});
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Runs the scenario to the end (every op completed: ok, fail or info) and
  // appends its events to `sink`. Times (time_ns, sent_ns) are CLOCK_MONOTONIC
  // ns since `origin_ns` (a monotonic_ns() value taken by the caller, so that
  // setup and final-read events share the clock); -1 = the start of this run.
  // Throws only for harness errors (a protocol that throws while rendering, a
  // sink that cannot write), and LocalError (harness/local_error.h) when a
  // request failed on this machine; transport problems become info events.
  ExecutorResult run(const Scenario& scenario, Protocol& protocol, HistorySink& sink, std::int64_t origin_ns = -1);

  const ExecutorOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// CLOCK_MONOTONIC in nanoseconds: the executor's clock.
std::int64_t monotonic_ns();

}  // namespace racecheck
