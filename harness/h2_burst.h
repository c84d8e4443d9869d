// The single-packet release over HTTP/2, with nghttp2 used directly (libcurl
// 7.88 cannot hold a multiplexed stream at its last byte: docs/benchmarks.md,
// "HTTP/2 release: libcurl vs nghttp2 used directly").
//
// Every request of the burst is a stream of ONE connection. start() connects,
// sends the preface and SETTINGS, waits for the server's SETTINGS, submits each
// request with its body minus the last byte (a bodyless request: HEADERS
// without END_STREAM), then sends a PING and waits for its ACK, so the server
// has read everything before the release. The release serializes every
// stream's final DATA frame (the last body byte, or empty, with END_STREAM)
// into ONE buffer handed to ONE send()/SSL_write(). When the server allows
// fewer concurrent streams than requests (SETTINGS_MAX_CONCURRENT_STREAMS), the
// burst goes out in rounds of that size, each released the same way once the
// previous round's streams closed: as few packets as the server permits.
//
// After start(), pump() reads what arrived without blocking: the caller polls
// fd() for POLLIN and calls pump() when it is readable. Small writes (WINDOW_UPDATE,
// a cancel) and a later round's release block briefly inside pump().
// Not thread-safe: one thread drives a burst.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/h2_connection.h"
#include "harness/protocol.h"

namespace racecheck {

struct H2BurstOptions {
  int connect_timeout_ms = 2000;
  int park_timeout_ms = 2000;            // SETTINGS and PING ACK must come back by then
  std::size_t max_body_bytes = 1 << 20;  // response body cap; the excess is dropped
  H2TlsOptions tls;
};

struct H2BurstStream {
  std::int64_t last_byte_ns = -1;  // when the write holding its final frame returned; -1 = not sent
  bool response_started = false;   // response HEADERS arrived
  bool finished = false;
  // "" = a complete response; else why none came: "stream-reset" (RST_STREAM
  // from the server), "connection-reset", "cancelled" (cancel()), or the
  // connect failure's reason ("connection-refused", "timeout", "tls-error", ...)
  std::string error;
  std::string error_detail;
  HttpResponse response;
};

// One release write.
struct H2ReleaseRound {
  std::size_t streams = 0;
  std::size_t final_write_bytes = 0;  // the buffer of final frames (one send()/SSL_write())
  int segments = 0;                   // TCP segments it needs at the connection's MSS
  std::int64_t release_ns = -1;       // monotonic_ns() right before the write
  std::int64_t write_ns = 0;          // how long the write call took
};

class H2Burst {
 public:
  H2Burst(std::vector<HttpRequest> requests, H2BurstOptions options);
  ~H2Burst();
  H2Burst(const H2Burst&) = delete;
  H2Burst& operator=(const H2Burst&) = delete;

  // Blocking (bounded by connect_timeout_ms + park_timeout_ms): connects and
  // releases the first round. A connection that fails finishes every stream
  // with its reason. Throws LocalError when this machine ran out of something.
  void start();
  void pump();
  // RST_STREAM (CANCEL) for a stream still open: the executor abandons it (a
  // lost response, a timeout); it finishes with error "cancelled".
  void cancel(std::size_t index);

  int fd() const;
  bool done() const;  // every stream finished
  std::vector<std::size_t> take_finished();  // streams finished since the last call
  const H2BurstStream& stream(std::size_t index) const;
  const std::vector<H2ReleaseRound>& rounds() const;
  std::uint32_t max_concurrent_streams() const;  // as the server set it
  std::string protocol_error() const;            // why the connection ended early, "" if it did not

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace racecheck
