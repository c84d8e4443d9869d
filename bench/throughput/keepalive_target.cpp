// A trivial HTTP/1.1 keep-alive server for the throughput benchmark: one thread,
// epoll, non-blocking sockets; every request (any method, any path) gets the
// same small 200 response. It does as little as possible per request so that
// the load generator, not the target, is what the benchmark measures.
//
// Usage: racecheck-keepalive-target [--port N]   (127.0.0.1; 0 = a free port)
// Prints "listening on http://127.0.0.1:PORT" once it accepts connections;
// stops on SIGTERM/SIGINT and prints how many requests it answered.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>

namespace {

constexpr std::string_view kResponse =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";
constexpr std::size_t kMaxRequestBytes = 64 * 1024;  // a request larger than this closes the connection

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

struct Connection {
  std::string in;   // bytes received and not yet parsed into a request
  std::string out;  // response bytes not yet written
};

// Content-Length of a request head (0 when absent). Chunked bodies are not
// supported: none of the load generators sends one.
std::size_t content_length(std::string_view head) {
  std::size_t pos = 0;
  while ((pos = head.find("\r\n", pos)) != std::string_view::npos) {
    pos += 2;
    constexpr std::string_view name = "content-length:";
    if (head.size() - pos > name.size() && strncasecmp(head.data() + pos, name.data(), name.size()) == 0) {
      return std::strtoul(head.data() + pos + name.size(), nullptr, 10);
    }
  }
  return 0;
}

// Parses every complete request in c.in and queues one response per request
// (pipelined requests are answered in order). Returns false on a malformed or
// oversized request.
bool parse_requests(Connection& c, std::uint64_t& answered) {
  std::size_t start = 0;
  for (;;) {
    const std::string_view rest(c.in.data() + start, c.in.size() - start);
    const std::size_t head_end = rest.find("\r\n\r\n");
    if (head_end == std::string_view::npos) break;
    const std::size_t total = head_end + 4 + content_length(rest.substr(0, head_end));
    if (total > kMaxRequestBytes) return false;
    if (rest.size() < total) break;
    c.out.append(kResponse);
    ++answered;
    start += total;
  }
  c.in.erase(0, start);
  return c.in.size() <= kMaxRequestBytes;
}

// Writes as much of c.out as the socket takes. Returns false when the peer is gone.
bool flush(int fd, Connection& c) {
  while (!c.out.empty()) {
    const ssize_t n = ::send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    c.out.erase(0, static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--port N]\n", argv[0]);
      return 2;
    }
  }
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 1024) != 0) {
    std::fprintf(stderr, "keepalive-target: cannot listen on 127.0.0.1:%d: %s\n", port, std::strerror(errno));
    return 3;
  }
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);

  struct sigaction sa{};
  sa.sa_handler = on_signal;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);

  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  ::epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &ev);
  std::printf("listening on http://127.0.0.1:%d\n", ntohs(addr.sin_port));
  std::fflush(stdout);

  std::unordered_map<int, Connection> connections;
  std::uint64_t answered = 0;
  epoll_event events[256];
  char buffer[16 * 1024];
  auto close_connection = [&](int fd) {
    ::epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    connections.erase(fd);
  };
  while (!g_stop) {
    const int n = ::epoll_wait(epoll, events, 256, 200);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        for (;;) {
          const int client = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (client < 0) break;
          ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event cev{};
          cev.events = EPOLLIN | EPOLLRDHUP;
          cev.data.fd = client;
          ::epoll_ctl(epoll, EPOLL_CTL_ADD, client, &cev);
          connections.emplace(client, Connection{});
        }
        continue;
      }
      auto it = connections.find(fd);
      if (it == connections.end()) continue;
      Connection& c = it->second;
      bool alive = true;
      if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        for (;;) {
          const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
          if (got > 0) {
            c.in.append(buffer, static_cast<std::size_t>(got));
            if (static_cast<std::size_t>(got) < sizeof buffer) break;
          } else {
            alive = got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
            break;
          }
        }
        alive = alive && parse_requests(c, answered);
      }
      alive = alive && flush(fd, c);
      if (!alive) {
        close_connection(fd);
        continue;
      }
      // Wait for writability only while a response is stuck in the buffer.
      epoll_event cev{};
      cev.events = EPOLLIN | EPOLLRDHUP | (c.out.empty() ? 0u : static_cast<unsigned>(EPOLLOUT));
      cev.data.fd = fd;
      if (!c.out.empty() || (events[i].events & EPOLLOUT)) ::epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &cev);
    }
  }
  for (auto& [fd, c] : connections) ::close(fd);
  std::fprintf(stderr, "keepalive-target: answered %llu requests\n", static_cast<unsigned long long>(answered));
  return 0;
}
