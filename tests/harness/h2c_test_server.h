// A small HTTP/2 server (h2c, prior knowledge) on 127.0.0.1 for the tests of the
// single-packet release, built on nghttp2's server API. It records, per stream,
// in which socket read its END_STREAM arrived, so a test can assert that the
// final frames of a burst came in one read. A connection that does not open
// with the HTTP/2 preface is served as HTTP/1.1 (keep-alive, Content-Length
// bodies), for the requests the executor sends through libcurl. One thread per
// connection; every wait is bounded; the destructor stops and joins everything.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

namespace racecheck::test {

class H2cTestServer {
 public:
  struct Request {
    std::string method;
    std::string path;
    std::string body;
  };
  struct Reply {
    int status = 200;
    std::string body = "{\"ok\":true}";
    bool reset = false;  // answer with RST_STREAM instead of a response
  };
  struct StreamEnd {
    int connection = 0;
    std::int32_t stream_id = 0;
    int read_index = 0;  // the connection's socket read (0-based) that carried END_STREAM
  };

  explicit H2cTestServer(std::uint32_t max_concurrent_streams = 100,
                         std::function<Reply(const Request&)> handler = nullptr)
      : max_concurrent_streams_(max_concurrent_streams), handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
      return;
    }
    port_ = ntohs(address.sin_port);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~H2cTestServer() {
    stopping_ = true;
    if (accept_thread_.joinable()) accept_thread_.join();
    for (auto& t : connection_threads_) t.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }
  H2cTestServer(const H2cTestServer&) = delete;
  H2cTestServer& operator=(const H2cTestServer&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<StreamEnd> stream_ends() const {
    std::lock_guard lock(mutex_);
    return stream_ends_;
  }
  std::vector<Request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int connections() const { return connection_count_.load(); }
  int http1_requests() const { return http1_requests_.load(); }

 private:
  struct Stream {
    Request request;
    std::string response_body;
    std::size_t response_offset = 0;
  };
  struct Connection {
    H2cTestServer* server = nullptr;
    int index = 0;
    int fd = -1;
    int read_index = 0;
    nghttp2_session* session = nullptr;
    std::map<std::int32_t, Stream> streams;
  };

  static ssize_t read_body(nghttp2_session*, std::int32_t stream_id, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source*, void* user) {
    auto* c = static_cast<Connection*>(user);
    Stream& s = c->streams[stream_id];
    const std::size_t n = std::min(length, s.response_body.size() - s.response_offset);
    std::copy_n(s.response_body.data() + s.response_offset, n, buf);
    s.response_offset += n;
    if (s.response_offset == s.response_body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t namelen,
                       const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void* user) {
    auto* c = static_cast<Connection*>(user);
    const std::string n(reinterpret_cast<const char*>(name), namelen);
    const std::string v(reinterpret_cast<const char*>(value), valuelen);
    Stream& s = c->streams[frame->hd.stream_id];
    if (n == ":method") s.request.method = v;
    if (n == ":path") s.request.path = v;
    return 0;
  }

  static int on_data(nghttp2_session*, std::uint8_t, std::int32_t stream_id, const std::uint8_t* data,
                     std::size_t len, void* user) {
    auto* c = static_cast<Connection*>(user);
    c->streams[stream_id].request.body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }

  static int on_frame(nghttp2_session* session, const nghttp2_frame* frame, void* user) {
    auto* c = static_cast<Connection*>(user);
    const bool request_end = (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
                             (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    if (!request_end) return 0;
    const std::int32_t id = frame->hd.stream_id;
    Stream& s = c->streams[id];
    Reply reply;
    if (c->server->handler_) reply = c->server->handler_(s.request);
    {
      std::lock_guard lock(c->server->mutex_);
      c->server->stream_ends_.push_back({c->index, id, c->read_index});
      c->server->requests_.push_back(s.request);
    }
    if (reply.reset) return nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
    s.response_body = reply.body;
    const std::string status = std::to_string(reply.status);
    const std::string length = std::to_string(reply.body.size());
    nghttp2_nv headers[] = {
        {const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(":status")),
         const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(status.c_str())), 7, status.size(),
         NGHTTP2_NV_FLAG_NONE},
        {const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>("content-length")),
         const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(length.c_str())), 14, length.size(),
         NGHTTP2_NV_FLAG_NONE},
    };
    nghttp2_data_provider provider{};
    provider.read_callback = read_body;
    return nghttp2_submit_response(session, id, headers, 2, &provider);
  }

  void accept_loop() {
    while (!stopping_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      const int index = connection_count_++;
      connection_threads_.emplace_back([this, fd, index] { serve(fd, index); });
    }
  }

  void serve(int fd, int index) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    pollfd first{fd, POLLIN, 0};
    char start[4] = {};
    if (::poll(&first, 1, 2000) > 0 && ::recv(fd, start, sizeof start, MSG_PEEK) == 4 &&
        std::string(start, 4) != "PRI ") {
      if (std::isupper(static_cast<unsigned char>(start[0]))) serve_http1(fd);  // else not HTTP (a TLS hello): close
      ::close(fd);
      return;
    }
    Connection c;
    c.server = this;
    c.index = index;
    c.fd = fd;
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame);
    nghttp2_session_server_new(&c.session, callbacks, &c);
    nghttp2_session_callbacks_del(callbacks);
    nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, max_concurrent_streams_}};
    nghttp2_submit_settings(c.session, NGHTTP2_FLAG_NONE, settings, 1);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    bool open = true;
    while (open && !stopping_ && std::chrono::steady_clock::now() < give_up) {
      open = flush(c);
      if (!open) break;
      if (!nghttp2_session_want_read(c.session) && !nghttp2_session_want_write(c.session)) break;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      std::uint8_t buffer[65536];
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      if (nghttp2_session_mem_recv(c.session, buffer, static_cast<std::size_t>(n)) < 0) break;
      ++c.read_index;
    }
    nghttp2_session_del(c.session);
    ::close(fd);
  }

  void serve_http1(int fd) {
    std::string buffer;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!stopping_ && std::chrono::steady_clock::now() < give_up) {
      const std::size_t header_end = buffer.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        const std::string head = buffer.substr(0, header_end);
        std::size_t length = 0;
        const std::size_t at = lowercase(head).find("content-length:");
        if (at != std::string::npos) length = std::stoul(head.substr(at + 15));
        if (buffer.size() >= header_end + 4 + length) {
          Request request;
          request.method = head.substr(0, head.find(' '));
          request.path = head.substr(head.find(' ') + 1, head.find(' ', head.find(' ') + 1) - head.find(' ') - 1);
          request.body = buffer.substr(header_end + 4, length);
          buffer.erase(0, header_end + 4 + length);
          const Reply reply = handler_ ? handler_(request) : Reply{};
          ++http1_requests_;
          const std::string response = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\nContent-Length: " +
                                       std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body;
          if (::send(fd, response.data(), response.size(), MSG_NOSIGNAL) < 0) return;
          continue;
        }
      }
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char chunk[16384];
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return;
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
  }

  static std::string lowercase(std::string text) {
    for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return text;
  }

  static bool flush(Connection& c) {
    for (;;) {
      const std::uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(c.session, &data);
      if (n < 0) return false;
      if (n == 0) return true;
      if (::send(c.fd, data, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) return false;
    }
  }

  std::uint32_t max_concurrent_streams_;
  std::function<Reply(const Request&)> handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connection_count_{0};
  std::atomic<int> http1_requests_{0};
  std::thread accept_thread_;
  std::vector<std::thread> connection_threads_;  // touched by the accept thread only, then joined
  mutable std::mutex mutex_;
  std::vector<StreamEnd> stream_ends_;
  std::vector<Request> requests_;
};

}  // namespace racecheck::test
