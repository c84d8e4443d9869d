// racecheck-jitter-proxy: a userspace TCP relay on 127.0.0.1 that gives every
// accepted connection its own network delay, for the jitter benchmark
// (bench/jitter/run.sh). This machine's kernel has no netem, so the jitter of
// separate TCP connections over a real network is imitated here.
//
// Each accepted connection draws one delay, uniform in [0, --delay-ms] (seeded:
// --seed), and every chunk read from either side is written to the other side
// that long after it was read, in order, one write per chunk read. So data
// written to one connection in one go stays together, while data written to two
// connections at the same instant arrives up to --delay-ms apart.
//
// Usage: racecheck-jitter-proxy --upstream HOST:PORT [--delay-ms 5] [--seed 1]
//                               [--port 0] [--max-seconds 600] [--stats FILE]
// Prints "listening on http://127.0.0.1:PORT" once it accepts. Exits 0 on
// SIGTERM or SIGINT, or when --max-seconds have passed (a forgotten proxy does
// not outlive its benchmark), 2 on a bad flag, 1 when it cannot listen.
// --stats FILE: on exit, how late the chunks went out against their due time
// ("chunks N late_us_p50 X late_us_p95 Y late_us_max Z"): on a busy machine the
// proxy may sleep through several due times and send their chunks together,
// which shrinks the spreads it was meant to create.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

// Reading from a side stops while this much of its data waits for delivery:
// a slow receiver cannot make the proxy buffer without bound.
constexpr std::size_t kMaxQueuedBytes = 1 << 20;

std::int64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

struct Chunk {
  std::int64_t due_ns;
  std::string bytes;
};

// One direction of a relay: bytes read from `from` wait in `queue` until due,
// then go to `to`.
struct Direction {
  int from = -1;
  int to = -1;
  std::deque<Chunk> queue;
  std::size_t front_written = 0;  // bytes of queue.front() already written
  std::size_t queued_bytes = 0;
  bool read_eof = false;          // `from` sent FIN: shut `to` down once drained
  bool shut = false;              // `to` has been shut down for writing
  bool write_blocked = false;     // `to` returned EAGAIN: wait for EPOLLOUT
};

struct Relay {
  std::int64_t delay_ns = 0;
  Direction up;    // client -> upstream
  Direction down;  // upstream -> client
  // The epoll interest each side is registered with: changed only when it
  // differs, so a pass over many relays costs no system calls.
  std::uint32_t client_events = EPOLLIN;
  std::uint32_t upstream_events = EPOLLIN;
};

struct Options {
  std::string upstream_host = "127.0.0.1";
  int upstream_port = 0;
  int port = 0;
  double delay_ms = 5.0;
  std::uint64_t seed = 1;
  double max_seconds = 600;
  std::string stats_path;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "racecheck-jitter-proxy: %s\n", message.c_str());
  std::fprintf(stderr,
               "usage: racecheck-jitter-proxy --upstream HOST:PORT [--delay-ms D] [--seed N] [--port P] "
               "[--max-seconds S] [--stats FILE]\n");
  std::exit(2);
}

double number_flag(const std::string& flag, const char* text, double lo, double hi) {
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text, &end);
  if (errno != 0 || end == text || *end != '\0' || !(value >= lo && value <= hi)) {
    usage_error(flag + ": expected a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got \"" +
                text + "\"");
  }
  return value;
}

Options parse_options(int argc, char** argv) {
  Options o;
  bool have_upstream = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") usage_error("relays TCP to --upstream with a random delay per connection");
    if (i + 1 >= argc) usage_error(flag + ": missing value");
    const char* value = argv[++i];
    if (flag == "--upstream") {
      const std::string text = value;
      const auto colon = text.rfind(':');
      if (colon == std::string::npos || colon == 0) usage_error("--upstream: expected HOST:PORT, got \"" + text + "\"");
      o.upstream_host = text.substr(0, colon);
      o.upstream_port = static_cast<int>(number_flag("--upstream (port)", text.c_str() + colon + 1, 1, 65535));
      have_upstream = true;
    } else if (flag == "--delay-ms") {
      o.delay_ms = number_flag(flag, value, 0, 10'000);
    } else if (flag == "--seed") {
      o.seed = static_cast<std::uint64_t>(number_flag(flag, value, 0, 9.0e15));
    } else if (flag == "--port") {
      o.port = static_cast<int>(number_flag(flag, value, 0, 65535));
    } else if (flag == "--stats") {
      o.stats_path = value;
    } else if (flag == "--max-seconds") {
      o.max_seconds = number_flag(flag, value, 0.1, 86'400);
    } else {
      usage_error("unknown flag \"" + flag + "\"");
    }
  }
  if (!have_upstream) usage_error("--upstream HOST:PORT is required");
  return o;
}

class Proxy {
 public:
  explicit Proxy(const Options& options)
      : options_(options), random_(options.seed),
        delay_ns_(0, static_cast<std::int64_t>(options.delay_ms * 1e6)) {}

  int run();

 private:
  void accept_all();
  void open_relay(int client_fd);
  void read_side(Relay& relay, Direction& dir);
  void deliver_due(std::int64_t now);
  void deliver(Direction& dir, std::int64_t now);
  void update_interest(Relay& relay);
  void close_relay(int any_fd);
  void arm_timer();
  void fail_relay(Relay& relay) { doomed_.push_back(relay.up.from); }
  void write_stats();

  Options options_;
  std::mt19937_64 random_;
  std::uniform_int_distribution<std::int64_t> delay_ns_;
  int epoll_fd_ = -1;
  int listen_fd_ = -1;
  int timer_fd_ = -1;
  int signal_fd_ = -1;
  sockaddr_storage upstream_{};
  socklen_t upstream_len_ = 0;
  std::map<int, std::shared_ptr<Relay>> relays_;  // both fds of a relay map to it
  std::vector<int> doomed_;                        // relays to close after this pass
  std::vector<std::int64_t> lateness_ns_;          // per chunk: first write - due time
};

int Proxy::run() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port_text = std::to_string(options_.upstream_port);
  if (getaddrinfo(options_.upstream_host.c_str(), port_text.c_str(), &hints, &found) != 0 || found == nullptr) {
    usage_error("--upstream: cannot resolve \"" + options_.upstream_host + "\"");
  }
  std::memcpy(&upstream_, found->ai_addr, found->ai_addrlen);
  upstream_len_ = found->ai_addrlen;
  freeaddrinfo(found);

  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(options_.port));
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 1024) != 0) {
    std::fprintf(stderr, "racecheck-jitter-proxy: cannot listen on 127.0.0.1:%d: %s\n", options_.port,
                 std::strerror(errno));
    return 1;
  }
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);

  // Delays are due to the microsecond: without this the kernel may fire the
  // timer up to 50 us late (the default timer slack).
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  signal_fd_ = signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
  timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  for (int fd : {listen_fd_, signal_fd_, timer_fd_}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }
  std::printf("listening on http://127.0.0.1:%d\n", ntohs(addr.sin_port));
  std::fflush(stdout);

  const std::int64_t end_ns = monotonic_ns() + static_cast<std::int64_t>(options_.max_seconds * 1e9);
  epoll_event events[64];
  for (;;) {
    const std::int64_t left_ms = (end_ns - monotonic_ns()) / 1'000'000;
    if (left_ms <= 0) break;
    const int n = epoll_wait(epoll_fd_, events, 64, static_cast<int>(std::min<std::int64_t>(left_ms, 1000)));
    if (n < 0 && errno != EINTR) break;
    bool stop = false;
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == signal_fd_) {
        stop = true;
      } else if (fd == listen_fd_) {
        accept_all();
      } else if (fd == timer_fd_) {
        std::uint64_t expirations = 0;
        [[maybe_unused]] auto got = ::read(timer_fd_, &expirations, sizeof(expirations));
      } else if (auto it = relays_.find(fd); it != relays_.end()) {
        const std::shared_ptr<Relay> relay = it->second;
        if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
          read_side(*relay, fd == relay->up.from ? relay->up : relay->down);
        }
        if (events[i].events & EPOLLOUT) {
          (fd == relay->up.to ? relay->up : relay->down).write_blocked = false;
        }
      }
    }
    if (stop) break;
    deliver_due(monotonic_ns());
    for (int fd : doomed_) close_relay(fd);
    doomed_.clear();
    arm_timer();
  }
  write_stats();
  return 0;
}

void Proxy::write_stats() {
  if (options_.stats_path.empty()) return;
  std::sort(lateness_ns_.begin(), lateness_ns_.end());
  auto quantile_us = [&](double q) {
    if (lateness_ns_.empty()) return 0.0;
    const auto rank = static_cast<std::size_t>(q * static_cast<double>(lateness_ns_.size() - 1));
    return static_cast<double>(lateness_ns_[rank]) / 1000.0;
  };
  FILE* out = std::fopen(options_.stats_path.c_str(), "w");
  if (out == nullptr) {
    std::fprintf(stderr, "racecheck-jitter-proxy: --stats: cannot write %s: %s\n", options_.stats_path.c_str(),
                 std::strerror(errno));
    return;
  }
  std::fprintf(out, "chunks %zu late_us_p50 %.1f late_us_p95 %.1f late_us_max %.1f\n", lateness_ns_.size(),
               quantile_us(0.5), quantile_us(0.95), quantile_us(1.0));
  std::fclose(out);
}

void Proxy::accept_all() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    open_relay(fd);
  }
}

void Proxy::open_relay(int client_fd) {
  // A blocking connect: the upstream is on this machine, so it answers at once,
  // and a refused connection simply closes the client's.
  const int upstream_fd = ::socket(upstream_.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (upstream_fd < 0 || ::connect(upstream_fd, reinterpret_cast<sockaddr*>(&upstream_), upstream_len_) != 0) {
    std::fprintf(stderr, "racecheck-jitter-proxy: connect to upstream: %s\n", std::strerror(errno));
    if (upstream_fd >= 0) ::close(upstream_fd);
    ::close(client_fd);
    return;
  }
  fcntl(upstream_fd, F_SETFL, fcntl(upstream_fd, F_GETFL) | O_NONBLOCK);
  int one = 1;
  setsockopt(client_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  setsockopt(upstream_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  auto relay = std::make_shared<Relay>();
  relay->delay_ns = delay_ns_(random_);
  relay->up.from = relay->down.to = client_fd;
  relay->up.to = relay->down.from = upstream_fd;
  relays_[client_fd] = relay;
  relays_[upstream_fd] = relay;
  for (int fd : {client_fd, upstream_fd}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }
}

void Proxy::read_side(Relay& relay, Direction& dir) {
  char buffer[64 * 1024];
  while (!dir.read_eof && dir.queued_bytes < kMaxQueuedBytes) {
    const ssize_t got = ::read(dir.from, buffer, sizeof(buffer));
    if (got > 0) {
      // The delay counts from the moment the bytes were read: one chunk per read.
      dir.queue.push_back({monotonic_ns() + relay.delay_ns, std::string(buffer, static_cast<std::size_t>(got))});
      dir.queued_bytes += static_cast<std::size_t>(got);
    } else if (got == 0) {
      dir.read_eof = true;
    } else if (errno == EINTR) {
      continue;
    } else {
      if (errno != EAGAIN) fail_relay(relay);
      break;
    }
  }
  update_interest(relay);
}

void Proxy::deliver_due(std::int64_t now) {
  // Each relay once, though both of its fds map to it.
  for (auto& [fd, relay] : relays_) {
    if (fd != relay->up.from) continue;
    deliver(relay->up, now);
    deliver(relay->down, now);
    update_interest(*relay);
    const bool up_done = relay->up.shut && relay->up.queue.empty();
    const bool down_done = relay->down.shut && relay->down.queue.empty();
    if (up_done && down_done) doomed_.push_back(fd);
  }
}

void Proxy::deliver(Direction& dir, std::int64_t now) {
  while (!dir.write_blocked && !dir.queue.empty() && dir.queue.front().due_ns <= now) {
    const std::string& bytes = dir.queue.front().bytes;
    // Bounded: a long run keeps the first million samples.
    if (dir.front_written == 0 && lateness_ns_.size() < (1u << 20)) lateness_ns_.push_back(now - dir.queue.front().due_ns);
    const ssize_t wrote = ::send(dir.to, bytes.data() + dir.front_written, bytes.size() - dir.front_written,
                                 MSG_NOSIGNAL);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        dir.write_blocked = true;
      } else {
        doomed_.push_back(dir.from);
        dir.queue.clear();
      }
      return;
    }
    dir.front_written += static_cast<std::size_t>(wrote);
    if (dir.front_written == bytes.size()) {
      dir.queued_bytes -= bytes.size();
      dir.queue.pop_front();
      dir.front_written = 0;
    }
  }
  if (dir.read_eof && dir.queue.empty() && !dir.shut) {
    ::shutdown(dir.to, SHUT_WR);
    dir.shut = true;
  }
}

void Proxy::update_interest(Relay& relay) {
  for (int fd : {relay.up.from, relay.down.from}) {
    const Direction& reading = fd == relay.up.from ? relay.up : relay.down;
    const Direction& writing = fd == relay.up.from ? relay.down : relay.up;
    epoll_event ev{};
    ev.data.fd = fd;
    if (!reading.read_eof && reading.queued_bytes < kMaxQueuedBytes) ev.events |= EPOLLIN;
    if (writing.write_blocked) ev.events |= EPOLLOUT;
    // With no interest left, a hang-up would still wake every epoll_wait while
    // the other direction's data waits out its delay: report it once only.
    if (ev.events == 0) ev.events = EPOLLET;
    std::uint32_t& registered = fd == relay.up.from ? relay.client_events : relay.upstream_events;
    if (ev.events == registered) continue;
    registered = ev.events;
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
  }
}

void Proxy::close_relay(int any_fd) {
  const auto it = relays_.find(any_fd);
  if (it == relays_.end()) return;  // already closed in this pass
  const std::shared_ptr<Relay> relay = it->second;
  for (int fd : {relay->up.from, relay->down.from}) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    relays_.erase(fd);
  }
}

void Proxy::arm_timer() {
  std::int64_t next = std::numeric_limits<std::int64_t>::max();
  for (const auto& [fd, relay] : relays_) {
    for (const Direction* dir : {&relay->up, &relay->down}) {
      if (!dir->write_blocked && !dir->queue.empty()) next = std::min(next, dir->queue.front().due_ns);
    }
  }
  itimerspec spec{};  // all zero: disarmed
  if (next != std::numeric_limits<std::int64_t>::max()) {
    next = std::max<std::int64_t>(next, 1);  // zero would disarm a timer that is already due
    spec.it_value.tv_sec = static_cast<time_t>(next / 1'000'000'000);
    spec.it_value.tv_nsec = static_cast<long>(next % 1'000'000'000);
  }
  timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  Proxy proxy(options);
  return proxy.run();
}
