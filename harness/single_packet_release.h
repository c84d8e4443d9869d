// The executor's side of the single-packet release (ExecutorOptions::
// release_method == SinglePacket): the burst's first requests, grouped by
// origin (scheme://authority; the streams of one connection share it), each
// group one H2Burst. Later requests and retries go through libcurl.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/h2_burst.h"

namespace racecheck {

struct ExecutorOptions;

class SinglePacketRelease {
 public:
  // Adds a request to its origin's burst; returns its member id.
  std::size_t add(HttpRequest request);
  // Connects and releases every origin's burst (blocking, bounded by the
  // connect and park timeouts per origin).
  void start(const ExecutorOptions& options);
  void pump();  // reads every burst's connection
  void cancel(std::size_t member);
  std::vector<std::size_t> take_finished();
  const H2BurstStream& stream(std::size_t member) const;
  std::vector<int> fds() const;  // connections still in use, to poll for reading
  // Every release write of every origin, in order.
  std::vector<H2ReleaseRound> rounds() const;

 private:
  struct Group {
    std::string origin;
    std::vector<HttpRequest> requests;
    std::vector<std::size_t> members;  // member id of each request
    std::unique_ptr<H2Burst> burst;
  };
  struct Member {
    std::size_t group = 0;
    std::size_t index = 0;  // within the group
  };
  std::vector<Group> groups_;
  std::vector<Member> members_;
};

}  // namespace racecheck
