#include "harness/single_packet_release.h"

#include "harness/executor.h"

namespace racecheck {

namespace {

// scheme://authority of an absolute URL (the whole URL when it has no path).
std::string origin_of(const std::string& url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const std::size_t path = url.find_first_of("/?#", scheme_end + 3);
  return path == std::string::npos ? url : url.substr(0, path);
}

}  // namespace

std::size_t SinglePacketRelease::add(HttpRequest request) {
  const std::string origin = origin_of(request.url);
  std::size_t g = 0;
  while (g < groups_.size() && groups_[g].origin != origin) ++g;
  if (g == groups_.size()) groups_.push_back(Group{origin, {}, {}, nullptr});
  Group& group = groups_[g];
  const std::size_t id = members_.size();
  members_.push_back({g, group.requests.size()});
  group.requests.push_back(std::move(request));
  group.members.push_back(id);
  return id;
}

void SinglePacketRelease::start(const ExecutorOptions& executor) {
  H2BurstOptions options;
  options.connect_timeout_ms = executor.connect_timeout_ms;
  options.park_timeout_ms = executor.burst_park_timeout_ms;
  options.max_body_bytes = executor.max_body_bytes;
  options.tls = executor.tls;
  for (auto& group : groups_) {
    group.burst = std::make_unique<H2Burst>(std::move(group.requests), options);
    group.burst->start();
  }
}

void SinglePacketRelease::pump() {
  for (auto& group : groups_) {
    if (group.burst != nullptr && !group.burst->done()) group.burst->pump();
  }
}

void SinglePacketRelease::cancel(std::size_t member) {
  const Member& m = members_.at(member);
  if (groups_[m.group].burst != nullptr) groups_[m.group].burst->cancel(m.index);
}

std::vector<std::size_t> SinglePacketRelease::take_finished() {
  std::vector<std::size_t> finished;
  for (auto& group : groups_) {
    if (group.burst == nullptr) continue;
    for (std::size_t index : group.burst->take_finished()) finished.push_back(group.members[index]);
  }
  return finished;
}

const H2BurstStream& SinglePacketRelease::stream(std::size_t member) const {
  const Member& m = members_.at(member);
  return groups_[m.group].burst->stream(m.index);
}

std::vector<int> SinglePacketRelease::fds() const {
  std::vector<int> fds;
  for (const auto& group : groups_) {
    if (group.burst != nullptr && !group.burst->done() && group.burst->fd() >= 0) fds.push_back(group.burst->fd());
  }
  return fds;
}

std::vector<H2ReleaseRound> SinglePacketRelease::rounds() const {
  std::vector<H2ReleaseRound> all;
  for (const auto& group : groups_) {
    if (group.burst == nullptr) continue;
    all.insert(all.end(), group.burst->rounds().begin(), group.burst->rounds().end());
  }
  return all;
}

}  // namespace racecheck
