// The arrival recorder of the jitter benchmark (bench/jitter/run.sh): an HTTP
// server on 127.0.0.1 that notes, for every request, the CLOCK_MONOTONIC instant
// its LAST byte arrived, i.e. when the server could first act on it:
//   HTTP/1.1  the read that completed the body (Content-Length);
//   HTTP/2    the read that delivered the frame carrying END_STREAM (h2c with
//             prior knowledge, nghttp2's server API).
// The protocol is told per connection by its first bytes (the HTTP/2 preface),
// so one port serves both. Every request gets 200 "ok", except GET /arrivals,
// which answers the arrivals so far as JSON and clears them:
//   {"arrivals": [{"ns": 123, "connection": 4, "protocol": "h2"}, ...]}
// The instant is taken right after the read returns, so every request that one
// read brought in gets the same instant, as a server reading them in one go would.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace racecheck::bench {

struct Arrival {
  std::int64_t ns = 0;            // CLOCK_MONOTONIC, when the request's last byte was read
  std::uint64_t connection = 0;   // which connection (numbered from 1 in accept order)
  bool http2 = false;
};

// A listening TCP socket on 127.0.0.1:port (0: a free one; the port taken goes
// to *bound_port). Throws naming the port and the reason.
int listen_on_loopback(int port, int* bound_port, bool nonblocking);

class ArrivalRecorder {
 public:
  explicit ArrivalRecorder(int port = 0);  // 127.0.0.1; 0 = a free port. Throws on failure.
  ~ArrivalRecorder();
  ArrivalRecorder(const ArrivalRecorder&) = delete;
  ArrivalRecorder& operator=(const ArrivalRecorder&) = delete;

  int port() const { return port_; }
  // The arrivals since the last take, in the order they were recorded.
  std::vector<Arrival> take_arrivals();
  std::size_t arrival_count();

  // Used by the server thread (public for the HTTP/2 callbacks).
  void record(const Arrival& arrival);
  std::string take_arrivals_json();

 private:
  void serve();
  void watch(int fd, int operation, std::uint32_t events);  // epoll_ctl on poll_fd_

  int port_ = 0;  // before listen_fd_: its initializer sets it
  int listen_fd_;
  int poll_fd_;   // epoll
  int wake_fd_;   // eventfd: written once to stop the loop
  std::mutex mutex_;
  std::vector<Arrival> arrivals_;
  std::thread thread_;
};

}  // namespace racecheck::bench
