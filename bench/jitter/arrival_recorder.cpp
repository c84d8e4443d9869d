#include "bench/jitter/arrival_recorder.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace racecheck::bench {
namespace {

constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr std::string_view kArrivalsPath = "/arrivals";

// steady_clock is CLOCK_MONOTONIC on Linux: the clock racecheck's history uses.
std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Stream {
  std::string method;
  std::string path;
  std::string response;       // the body being sent
  std::size_t response_sent = 0;
};

struct Connection {
  enum class Protocol { Unknown, Http1, Http2 };

  ArrivalRecorder* recorder = nullptr;
  int fd = -1;
  std::uint64_t id = 0;
  Protocol protocol = Protocol::Unknown;
  std::string in;    // bytes read and not yet parsed (HTTP/1.1, or before the protocol is known)
  std::string out;   // bytes waiting for the socket
  bool continue_sent = false;  // "100 Continue" already sent for the request being read
  std::int64_t read_ns = 0;    // when the bytes being parsed were read
  nghttp2_session* session = nullptr;
  std::map<std::int32_t, Stream> streams;

  // Closing the socket also drops it from the epoll set.
  ~Connection() {
    if (session != nullptr) nghttp2_session_del(session);
    if (fd >= 0) ::close(fd);
  }
};

// The request being answered: GET /arrivals gets the arrivals, anything else is
// recorded and gets "ok". Returns the response body and its content type.
std::pair<std::string, const char*> answer(Connection& c, std::string_view method, std::string_view path) {
  if (method == "GET" && path == kArrivalsPath) return {c.recorder->take_arrivals_json(), "application/json"};
  c.recorder->record({c.read_ns, c.id, c.protocol == Connection::Protocol::Http2});
  return {"ok", "text/plain"};
}

// ---- HTTP/1.1 ---------------------------------------------------------------

// The value of header `name` (lower case, with the colon) in a header block, or "".
std::string header_value(std::string_view headers, std::string_view name) {
  std::size_t pos = 0;
  while ((pos = headers.find("\r\n", pos)) != std::string_view::npos) {
    pos += 2;
    if (headers.size() - pos >= name.size() && strncasecmp(headers.data() + pos, name.data(), name.size()) == 0) {
      const std::size_t start = headers.find_first_not_of(' ', pos + name.size());
      const std::size_t end = headers.find("\r\n", pos);
      if (start == std::string_view::npos || start >= end) return "";
      return std::string(headers.substr(start, end - start));
    }
  }
  return "";
}

// Answers every complete request in c.in. Returns false when the connection
// must close (a body it cannot frame).
bool serve_http1(Connection& c) {
  for (;;) {
    const auto header_end = c.in.find("\r\n\r\n");
    if (header_end == std::string::npos) return true;
    const std::string_view headers(c.in.data(), header_end + 2);
    if (!header_value(headers, "transfer-encoding:").empty()) {
      c.out += "HTTP/1.1 411 Length Required\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      return false;
    }
    const std::string length_text = header_value(headers, "content-length:");
    const std::size_t length = length_text.empty() ? 0 : std::strtoul(length_text.c_str(), nullptr, 10);
    const std::size_t total = header_end + 4 + length;
    if (c.in.size() < total) {
      if (!c.continue_sent && strcasecmp(header_value(headers, "expect:").c_str(), "100-continue") == 0) {
        c.out += "HTTP/1.1 100 Continue\r\n\r\n";
        c.continue_sent = true;
      }
      return true;
    }
    const std::string_view request_line(c.in.data(), c.in.find("\r\n"));
    const auto space1 = request_line.find(' ');
    const auto space2 = request_line.find(' ', space1 + 1);
    const std::string_view method = request_line.substr(0, space1);
    const std::string_view path = space1 == std::string_view::npos ? std::string_view{}
                                                                   : request_line.substr(space1 + 1, space2 - space1 - 1);
    const auto [body, type] = answer(c, method, path);
    c.out += "HTTP/1.1 200 OK\r\nContent-Type: " + std::string(type) + "\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
    c.in.erase(0, total);
    c.continue_sent = false;
  }
}

// ---- HTTP/2 (nghttp2) --------------------------------------------------------

ssize_t read_response(nghttp2_session*, std::int32_t, std::uint8_t* buf, std::size_t length,
                            std::uint32_t* data_flags, nghttp2_data_source* source, void*) {
  auto* stream = static_cast<Stream*>(source->ptr);
  const std::size_t n = std::min(length, stream->response.size() - stream->response_sent);
  std::memcpy(buf, stream->response.data() + stream->response_sent, n);
  stream->response_sent += n;
  if (stream->response_sent == stream->response.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  auto& c = *static_cast<Connection*>(user_data);
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) c.streams[frame->hd.stream_id];
  return 0;
}

int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t name_length,
              const std::uint8_t* value, std::size_t value_length, std::uint8_t, void* user_data) {
  auto& c = *static_cast<Connection*>(user_data);
  const auto it = c.streams.find(frame->hd.stream_id);
  if (it == c.streams.end()) return 0;
  const std::string_view header(reinterpret_cast<const char*>(name), name_length);
  const std::string text(reinterpret_cast<const char*>(value), value_length);
  if (header == ":method") it->second.method = text;
  if (header == ":path") it->second.path = text;
  return 0;
}

nghttp2_nv header_pair(const char* name, const std::string& value) {
  return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name)),
          reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.c_str())), std::strlen(name), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

int on_frame_recv(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
  auto& c = *static_cast<Connection*>(user_data);
  const bool request_complete = (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
                                (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  if (!request_complete) return 0;
  const auto it = c.streams.find(frame->hd.stream_id);
  if (it == c.streams.end()) return 0;
  Stream& stream = it->second;
  auto [body, type] = answer(c, stream.method, stream.path);
  stream.response = std::move(body);
  const std::string status = "200", content_type = type, length = std::to_string(stream.response.size());
  const nghttp2_nv headers[] = {header_pair(":status", status), header_pair("content-type", content_type),
                                header_pair("content-length", length)};
  nghttp2_data_provider provider{};
  provider.source.ptr = &stream;
  provider.read_callback = read_response;
  return nghttp2_submit_response(session, frame->hd.stream_id, headers, 3, &provider) == 0 ? 0
                                                                                          : NGHTTP2_ERR_CALLBACK_FAILURE;
}

int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t, void* user_data) {
  static_cast<Connection*>(user_data)->streams.erase(stream_id);
  return 0;
}

bool start_http2(Connection& c) {
  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) return false;
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);
  const int created = nghttp2_session_server_new(&c.session, callbacks, &c);
  nghttp2_session_callbacks_del(callbacks);
  if (created != 0) return false;
  // Room for the largest burst of the benchmark as streams of one connection.
  const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 256}};
  return nghttp2_submit_settings(c.session, NGHTTP2_FLAG_NONE, settings, 1) == 0;
}

// Feeds c.in to the session and queues what it answers. False: close.
bool serve_http2(Connection& c) {
  const auto used = nghttp2_session_mem_recv(c.session, reinterpret_cast<const std::uint8_t*>(c.in.data()), c.in.size());
  if (used < 0) return false;
  c.in.clear();
  for (;;) {
    const std::uint8_t* data = nullptr;
    const auto n = nghttp2_session_mem_send(c.session, &data);
    if (n < 0) return false;
    if (n == 0) break;
    c.out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  return nghttp2_session_want_read(c.session) != 0 || nghttp2_session_want_write(c.session) != 0 || !c.out.empty();
}

// Parses what has arrived; false when the connection must close.
bool serve_bytes(Connection& c) {
  if (c.protocol == Connection::Protocol::Unknown) {
    const std::size_t n = std::min(c.in.size(), kHttp2Preface.size());
    if (c.in.compare(0, n, kHttp2Preface.substr(0, n)) != 0) {
      c.protocol = Connection::Protocol::Http1;
    } else if (n == kHttp2Preface.size()) {
      c.protocol = Connection::Protocol::Http2;
      if (!start_http2(c)) return false;
    } else {
      return true;  // a prefix of the preface so far
    }
  }
  return c.protocol == Connection::Protocol::Http1 ? serve_http1(c) : serve_http2(c);
}

// Writes what it can of c.out; false on a broken connection.
bool flush(Connection& c) {
  while (!c.out.empty()) {
    const ssize_t wrote = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (wrote < 0) return errno == EAGAIN || errno == EINTR;
    c.out.erase(0, static_cast<std::size_t>(wrote));
  }
  return true;
}

// Reads what `c` has for us, answers it, and says whether to keep it open.
bool read_and_answer(Connection& c, std::uint32_t ready) {
  char buffer[64 * 1024];
  bool keep = true;
  while (keep && (ready & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
    const ssize_t got = ::recv(c.fd, buffer, sizeof(buffer), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) break;
    if (got <= 0) return false;  // the peer closed or the connection broke
    c.read_ns = steady_ns();
    c.in.append(buffer, static_cast<std::size_t>(got));
    keep = serve_bytes(c);
  }
  // A refusal (keep == false) still goes out before the close, as far as it can.
  return flush(c) && keep;
}

}  // namespace

int listen_on_loopback(int port, int* bound_port, bool nonblocking) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  int reuse = 1;
  const bool listening = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse)) == 0 &&
                         ::bind(fd, reinterpret_cast<sockaddr*>(&address), size) == 0 && ::listen(fd, 1024) == 0 &&
                         ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0;
  if (!listening) {
    const std::string reason = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + reason);
  }
  if (bound_port != nullptr) *bound_port = ntohs(address.sin_port);
  return fd;
}

ArrivalRecorder::ArrivalRecorder(int port)
    : listen_fd_(listen_on_loopback(port, &port_, true)),
      poll_fd_(epoll_create1(EPOLL_CLOEXEC)),
      wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  watch(listen_fd_, EPOLL_CTL_ADD, EPOLLIN);
  watch(wake_fd_, EPOLL_CTL_ADD, EPOLLIN);
  thread_ = std::thread([this] { serve(); });
}

ArrivalRecorder::~ArrivalRecorder() {
  // Any write to the eventfd makes the loop return; it closes its connections.
  const std::uint64_t stop = 1;
  while (::write(wake_fd_, &stop, sizeof(stop)) < 0 && errno == EINTR) {
  }
  thread_.join();
  for (int fd : {wake_fd_, poll_fd_, listen_fd_}) ::close(fd);
}

void ArrivalRecorder::watch(int fd, int operation, std::uint32_t events) {
  epoll_event interest{};
  interest.events = events;
  interest.data.fd = fd;
  epoll_ctl(poll_fd_, operation, fd, &interest);
}

void ArrivalRecorder::record(const Arrival& arrival) {
  std::lock_guard lock(mutex_);
  arrivals_.push_back(arrival);
}

std::vector<Arrival> ArrivalRecorder::take_arrivals() {
  std::lock_guard lock(mutex_);
  return std::exchange(arrivals_, {});
}

std::size_t ArrivalRecorder::arrival_count() {
  std::lock_guard lock(mutex_);
  return arrivals_.size();
}

std::string ArrivalRecorder::take_arrivals_json() {
  std::string json = "{\"arrivals\": [";
  bool first = true;
  for (const Arrival& a : take_arrivals()) {
    json += first ? "" : ", ";
    json += "{\"ns\": " + std::to_string(a.ns) + ", \"connection\": " + std::to_string(a.connection) +
            ", \"protocol\": \"" + (a.http2 ? "h2" : "http/1.1") + "\"}";
    first = false;
  }
  return json + "]}\n";
}

void ArrivalRecorder::serve() {
  std::map<int, std::unique_ptr<Connection>> open;  // by socket; destroying one closes it
  std::uint64_t accepted = 0;
  for (;;) {
    epoll_event ready[64];
    const int count = epoll_wait(poll_fd_, ready, 64, -1);
    for (int i = 0; i < count; ++i) {
      const int fd = ready[i].data.fd;
      if (fd == wake_fd_) return;
      if (fd != listen_fd_) {
        const auto it = open.find(fd);
        if (it == open.end()) continue;
        if (!read_and_answer(*it->second, ready[i].events)) {
          open.erase(it);
        } else {
          watch(fd, EPOLL_CTL_MOD, EPOLLIN | (it->second->out.empty() ? 0u : static_cast<std::uint32_t>(EPOLLOUT)));
        }
        continue;
      }
      for (int socket; (socket = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0;) {
        int nodelay = 1;
        setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof(nodelay));
        auto c = std::make_unique<Connection>();
        c->recorder = this;
        c->fd = socket;
        c->id = ++accepted;
        open[socket] = std::move(c);
        watch(socket, EPOLL_CTL_ADD, EPOLLIN);
      }
    }
  }
}

}  // namespace racecheck::bench
