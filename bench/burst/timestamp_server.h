// A minimal HTTP/1.1 keep-alive server for the burst benchmark: one epoll
// thread, and for every request the KERNEL receive timestamp (SO_TIMESTAMPNS,
// CLOCK_REALTIME) of the packet that carried the request's final byte. Spreads
// measured from these timestamps do not include the server's own scheduling.
#pragma once

#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace racecheck::bench {

class TimestampServer {
 public:
  TimestampServer();  // listens on 127.0.0.1, a free port; throws on failure
  ~TimestampServer();
  TimestampServer(const TimestampServer&) = delete;
  TimestampServer& operator=(const TimestampServer&) = delete;

  int port() const { return port_; }
  // Arrival timestamps (ns) of the requests completed since the last take.
  std::vector<std::int64_t> take_arrivals();
  std::size_t arrival_count();

 private:
  void serve();

  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int stop_fd_ = -1;  // eventfd that wakes the loop to stop
  int port_ = 0;
  std::mutex mutex_;
  std::vector<std::int64_t> arrivals_;
  std::thread thread_;
};

}  // namespace racecheck::bench
