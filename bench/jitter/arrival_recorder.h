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

  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int stop_fd_ = -1;  // eventfd that wakes the loop to stop
  int port_ = 0;
  std::mutex mutex_;
  std::vector<Arrival> arrivals_;
  std::thread thread_;
};

}  // namespace racecheck::bench
