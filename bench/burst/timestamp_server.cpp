#include "bench/burst/timestamp_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

namespace racecheck::bench {
namespace {

struct Connection {
  std::string buffer;
};

// Returns the Content-Length of a complete header block, or -1 if absent.
long content_length(const std::string& headers) {
  std::size_t pos = 0;
  while ((pos = headers.find("\r\n", pos)) != std::string::npos) {
    pos += 2;
    if (strncasecmp(headers.c_str() + pos, "content-length:", 15) == 0) {
      return std::strtol(headers.c_str() + pos + 15, nullptr, 10);
    }
  }
  return -1;
}

}  // namespace

TimestampServer::TimestampServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(listen_fd_, 1024) != 0) {
    throw std::runtime_error(std::string("bind/listen failed: ") + std::strerror(errno));
  }
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  ev.data.fd = stop_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd_, &ev);
  thread_ = std::thread([this] { serve(); });
}

TimestampServer::~TimestampServer() {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(stop_fd_, &one, sizeof(one));
  thread_.join();
  ::close(stop_fd_);
  ::close(epoll_fd_);
  ::close(listen_fd_);
}

std::vector<std::int64_t> TimestampServer::take_arrivals() {
  std::lock_guard lock(mutex_);
  return std::exchange(arrivals_, {});
}

std::size_t TimestampServer::arrival_count() {
  std::lock_guard lock(mutex_);
  return arrivals_.size();
}

void TimestampServer::serve() {
  std::map<int, Connection> connections;
  static const char kResponse[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok";
  std::vector<char> data(64 * 1024);
  alignas(cmsghdr) char control[256];
  epoll_event events[64];
  for (;;) {
    const int n = epoll_wait(epoll_fd_, events, 64, -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == stop_fd_) {
        for (auto& [cfd, c] : connections) ::close(cfd);
        return;
      }
      if (fd == listen_fd_) {
        const int cfd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (cfd < 0) continue;
        int one = 1;
        setsockopt(cfd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = cfd;
        epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, cfd, &ev);
        connections[cfd];
        continue;
      }
      for (;;) {
        iovec iov{data.data(), data.size()};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
        const ssize_t got = ::recvmsg(fd, &msg, 0);
        if (got <= 0) {
          if (got < 0 && (errno == EAGAIN || errno == EINTR)) break;
          epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
          ::close(fd);
          connections.erase(fd);
          break;
        }
        std::int64_t stamp = -1;
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
          if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            timespec ts;
            std::memcpy(&ts, CMSG_DATA(c), sizeof(ts));
            stamp = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
          }
        }
        std::string& buffer = connections[fd].buffer;
        buffer.append(data.data(), static_cast<std::size_t>(got));
        for (;;) {
          const auto header_end = buffer.find("\r\n\r\n");
          if (header_end == std::string::npos) break;
          const long length = std::max(0L, content_length(buffer.substr(0, header_end + 2)));
          const std::size_t total = header_end + 4 + static_cast<std::size_t>(length);
          if (buffer.size() < total) break;
          buffer.erase(0, total);
          {
            std::lock_guard lock(mutex_);
            arrivals_.push_back(stamp);
          }
          [[maybe_unused]] auto sent = ::send(fd, kResponse, sizeof(kResponse) - 1, MSG_NOSIGNAL);
        }
      }
    }
  }
}

}  // namespace racecheck::bench
