// Self-check of the jitter benchmark's tools (bench/jitter): the arrival
// recorder counts every request of a burst, over HTTP/1.1 and HTTP/2, and the
// jitter proxy relays bytes unchanged and in order, both ways, FIN included.
// No timing is asserted: the machine running the tests may be busy.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "bench/jitter/arrival_recorder.h"
#include "bench/jitter/child_process.h"

namespace rb = racecheck::bench;

namespace {

// A connected socket to 127.0.0.1:port whose reads give up after 5 s.
int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval limit{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    ASSERT_GT(n, 0) << std::strerror(errno);
    sent += static_cast<std::size_t>(n);
  }
}

struct Received {
  std::string bytes;
  bool peer_closed = false;  // false: a read timed out (or failed) first
};

// Reads until the peer closes or a read times out.
Received receive_until_closed(int fd) {
  Received got;
  char buffer[16 * 1024];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      got.peer_closed = n == 0;
      return got;
    }
    got.bytes.append(buffer, static_cast<std::size_t>(n));
  }
}

// Reads one HTTP/1.1 response with a Content-Length body.
std::string read_http1_response(int fd) {
  std::string got;
  char buffer[4096];
  for (;;) {
    const auto end = got.find("\r\n\r\n");
    if (end != std::string::npos) {
      const auto at = got.find("Content-Length: ");
      const std::size_t length = at == std::string::npos ? 0 : std::stoul(got.substr(at + 16));
      if (got.size() >= end + 4 + length) return got;
    }
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return got;
    got.append(buffer, static_cast<std::size_t>(n));
  }
}

std::string post(const std::string& path, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

std::string proxy_binary() { return RACECHECK_JITTER_PROXY; }

TEST(ArrivalRecorder, CountsEveryRequestOfAnHttp1Burst) {
  rb::ArrivalRecorder recorder;
  constexpr int kClients = 5;
  std::vector<int> fds;
  for (int i = 0; i < kClients; ++i) fds.push_back(connect_to(recorder.port()));
  for (int fd : fds) ASSERT_GE(fd, 0);
  // Everything but the last byte, then the last bytes: a request counts once, when complete.
  const std::string request = post("/withdraw", R"({"amount": 1})");
  for (int fd : fds) send_all(fd, request.substr(0, request.size() - 1));
  for (int fd : fds) send_all(fd, request.substr(request.size() - 1));
  for (int fd : fds) EXPECT_NE(read_http1_response(fd).find("200 OK"), std::string::npos);
  // A second request on the same connection counts too (keep-alive).
  send_all(fds[0], request);
  EXPECT_NE(read_http1_response(fds[0]).find("200 OK"), std::string::npos);
  EXPECT_EQ(recorder.arrival_count(), static_cast<std::size_t>(kClients + 1));

  // GET /arrivals lists them (without counting itself) and clears them.
  send_all(fds[1], "GET /arrivals HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  const std::string listing = read_http1_response(fds[1]);
  std::size_t listed = 0;
  for (auto at = listing.find("\"ns\""); at != std::string::npos; at = listing.find("\"ns\"", at + 1)) ++listed;
  EXPECT_EQ(listed, static_cast<std::size_t>(kClients + 1)) << listing;
  EXPECT_NE(listing.find("\"protocol\": \"http/1.1\""), std::string::npos) << listing;
  EXPECT_EQ(recorder.arrival_count(), 0u);
  for (int fd : fds) ::close(fd);
}

// A minimal HTTP/2 client (nghttp2): N POST streams on one connection, every
// byte of them written in one send, then the responses read.
struct Http2Client {
  nghttp2_session* session = nullptr;
  int completed = 0;  // streams closed without an error
  std::string body = "x=1";
  std::size_t body_sent = 0;

  ~Http2Client() {
    if (session != nullptr) nghttp2_session_del(session);
  }
};

ssize_t send_body(nghttp2_session*, std::int32_t, std::uint8_t* buf, std::size_t length, std::uint32_t* flags,
                  nghttp2_data_source* source, void*) {
  const auto* text = static_cast<const std::string*>(source->ptr);
  const std::size_t n = std::min(length, text->size());
  std::memcpy(buf, text->data(), n);
  *flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

TEST(ArrivalRecorder, CountsEveryStreamOfAnHttp2BurstOnOneConnection) {
  rb::ArrivalRecorder recorder;
  constexpr int kStreams = 8;
  Http2Client client;
  nghttp2_session_callbacks* callbacks = nullptr;
  ASSERT_EQ(nghttp2_session_callbacks_new(&callbacks), 0);
  nghttp2_session_callbacks_set_on_stream_close_callback(
      callbacks, [](nghttp2_session*, std::int32_t, std::uint32_t error_code, void* user) {
        if (error_code == NGHTTP2_NO_ERROR) ++static_cast<Http2Client*>(user)->completed;
        return 0;
      });
  ASSERT_EQ(nghttp2_session_client_new(&client.session, callbacks, &client), 0);
  nghttp2_session_callbacks_del(callbacks);
  ASSERT_EQ(nghttp2_submit_settings(client.session, NGHTTP2_FLAG_NONE, nullptr, 0), 0);
  const std::string authority = "127.0.0.1:" + std::to_string(recorder.port());
  auto nv = [](const char* name, const std::string& value) {
    return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name)),
                      reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.c_str())), std::strlen(name),
                      value.size(), NGHTTP2_NV_FLAG_NONE};
  };
  const std::string method = "POST", scheme = "http", path = "/withdraw";
  const nghttp2_nv headers[] = {nv(":method", method), nv(":scheme", scheme), nv(":authority", authority),
                                nv(":path", path)};
  for (int i = 0; i < kStreams; ++i) {
    nghttp2_data_provider provider{};
    provider.source.ptr = &client.body;
    provider.read_callback = send_body;
    ASSERT_GT(nghttp2_submit_request(client.session, nullptr, headers, 4, &provider, nullptr), 0);
  }
  std::string out;  // the session writes the client preface itself
  for (const std::uint8_t* data = nullptr;;) {
    const ssize_t n = nghttp2_session_mem_send(client.session, &data);
    ASSERT_GE(n, 0);
    if (n == 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  const int fd = connect_to(recorder.port());
  ASSERT_GE(fd, 0);
  send_all(fd, out);
  char buffer[16 * 1024];
  for (int reads = 0; client.completed < kStreams && reads < 1000; ++reads) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    ASSERT_GE(nghttp2_session_mem_recv(client.session, reinterpret_cast<std::uint8_t*>(buffer),
                                       static_cast<std::size_t>(n)),
              0);
  }
  ::close(fd);
  EXPECT_EQ(client.completed, kStreams);
  const auto arrivals = recorder.take_arrivals();
  ASSERT_EQ(arrivals.size(), static_cast<std::size_t>(kStreams));
  for (const auto& a : arrivals) {
    EXPECT_TRUE(a.http2);
    EXPECT_EQ(a.connection, arrivals.front().connection);
  }
}

// An upstream that echoes every connection's bytes back, and closes its side
// when the client has closed its own (after echoing everything).
class EchoServer {
 public:
  EchoServer() : listen_fd_(rb::listen_on_loopback(0, &port_, false)) {
    acceptor_ = std::thread([this] {
      for (;;) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0 || stopping_) {
          if (fd >= 0) ::close(fd);
          return;
        }
        echoes_.emplace_back([fd] {
          char buffer[8192];
          for (ssize_t n; (n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0;) {
            if (::send(fd, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) break;
          }
          ::close(fd);
        });
      }
    });
  }
  ~EchoServer() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept
    acceptor_.join();
    for (auto& t : echoes_) t.join();
    ::close(listen_fd_);
  }
  int port() const { return port_; }

 private:
  int port_ = 0;  // before listen_fd_: its initializer sets it
  int listen_fd_;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::vector<std::thread> echoes_;
};

TEST(JitterProxy, RelaysEveryConnectionsBytesInOrderBothWays) {
  EchoServer echo;
  rb::ServerProcess proxy({proxy_binary(), "--upstream", "127.0.0.1:" + std::to_string(echo.port()), "--delay-ms",
                           "2", "--seed", "7", "--max-seconds", "60"});
  constexpr int kConnections = 4;
  constexpr std::size_t kBytes = 300 * 1024;
  std::vector<std::string> sent(kConnections);
  std::vector<Received> received(kConnections);
  std::vector<std::thread> clients;
  for (int c = 0; c < kConnections; ++c) {
    clients.emplace_back([&, c] {
      // Pseudo-random bytes in writes of pseudo-random sizes: order and content
      // both show in the echo. Each connection its own stream.
      std::mt19937 random(static_cast<unsigned>(c + 1));
      std::string& bytes = sent[static_cast<std::size_t>(c)];
      for (std::size_t i = 0; i < kBytes; ++i) bytes.push_back(static_cast<char>(random() & 0xff));
      const int fd = connect_to(proxy.port());
      if (fd < 0) return;
      std::thread reader([&, fd] { received[static_cast<std::size_t>(c)] = receive_until_closed(fd); });
      for (std::size_t at = 0; at < kBytes;) {
        const std::size_t size = std::min<std::size_t>(1 + random() % 20000, kBytes - at);
        if (::send(fd, bytes.data() + at, size, MSG_NOSIGNAL) <= 0) break;
        at += size;
      }
      ::shutdown(fd, SHUT_WR);  // the FIN must reach the echo server for it to close, and come back
      reader.join();
      ::close(fd);
    });
  }
  for (auto& t : clients) t.join();
  for (int c = 0; c < kConnections; ++c) {
    const Received& echoed = received[static_cast<std::size_t>(c)];
    EXPECT_EQ(echoed.bytes.size(), kBytes) << "connection " << c;
    EXPECT_TRUE(echoed.bytes == sent[static_cast<std::size_t>(c)]) << "connection " << c << ": bytes differ";
    EXPECT_TRUE(echoed.peer_closed) << "connection " << c << ": the echo server's close did not come through";
  }
}

TEST(JitterProxy, CarriesAnHttp1BurstToTheRecorderAndCountsItsChunks) {
  rb::ArrivalRecorder recorder;
  const std::string stats_path = ::testing::TempDir() + "jitter-proxy-stats.txt";
  std::remove(stats_path.c_str());
  constexpr int kClients = 6;
  {
    rb::ServerProcess proxy({proxy_binary(), "--upstream", "127.0.0.1:" + std::to_string(recorder.port()),
                             "--delay-ms", "1", "--max-seconds", "60", "--stats", stats_path});
    std::vector<int> fds;
    for (int i = 0; i < kClients; ++i) fds.push_back(connect_to(proxy.port()));
    for (int fd : fds) ASSERT_GE(fd, 0);
    for (int fd : fds) send_all(fd, post("/withdraw", "{}"));
    for (int fd : fds) EXPECT_NE(read_http1_response(fd).find("200 OK"), std::string::npos);
    EXPECT_EQ(recorder.arrival_count(), static_cast<std::size_t>(kClients));
    for (int fd : fds) ::close(fd);
  }  // SIGTERM: the proxy writes its figures as it exits
  std::ifstream stats(stats_path);
  std::string word;
  std::size_t chunks = 0;
  stats >> word >> chunks;
  EXPECT_EQ(word, "chunks");
  // At least one request and one response per client went through it.
  EXPECT_GE(chunks, static_cast<std::size_t>(2 * kClients));
}

TEST(JitterProxy, RefusesABadFlagNamingIt) {
  const std::string err_path = ::testing::TempDir() + "jitter-proxy-bad-flag.err";
  const rb::CommandResult missing = rb::run_command({proxy_binary(), "--delay-ms", "1"}, err_path, std::chrono::seconds(10));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--upstream HOST:PORT is required"), std::string::npos) << missing.err;
  const rb::CommandResult negative =
      rb::run_command({proxy_binary(), "--upstream", "127.0.0.1:1", "--delay-ms", "-3"}, err_path, std::chrono::seconds(10));
  EXPECT_EQ(negative.exit_code, 2);
  EXPECT_NE(negative.err.find("--delay-ms: expected a number"), std::string::npos) << negative.err;
}

}  // namespace
