// Runs a cpp-httplib server on its own thread and stops it promptly. httplib
// 0.11's Server::stop() lets a worker holding an idle keep-alive connection
// wait out the keep-alive timeout (5 s), so a plain stop() + join() costs every
// test 5 s. After stop(), the read side of every socket accepted on the port is
// shut down (targets/demo/connection_closer.h): idle workers see end-of-stream
// at once, a request in progress can still write its response.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

#include <httplib.h>

#include "targets/demo/connection_closer.h"

namespace racecheck::test {

class ServerThread {
 public:
  ServerThread(httplib::Server& server, int port)
      : server_(server), port_(port), thread_([this] {
          server_.listen_after_bind();
          done_.store(true);
        }) {}
  ~ServerThread() {
    server_.stop();
    // Bounded: 2000 rounds of 5 ms; join() then waits for whatever is left.
    for (int i = 0; i < 2000 && !done_.load(); ++i) {
      racecheck::demo::shutdown_reads_of_accepted_sockets(port_);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    thread_.join();
  }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

 private:
  httplib::Server& server_;
  int port_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace racecheck::test
