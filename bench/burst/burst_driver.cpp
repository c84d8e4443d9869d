// Burst-spread benchmark: how close together do N requests' final bytes reach
// the server? Server-side kernel receive timestamps (timestamp_server.h), all on
// 127.0.0.1, connections reused (one warm-up burst first). For each N, the median
// over `--bursts` bursts of (last arrival - first arrival) for:
//   executor  racecheck's Executor, Release::Burst (last-byte synchronization)
//   multi     plain concurrent curl multi: add N POSTs, perform (no sync)
//   floor     one thread writing each connection's last byte with send() in a loop
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <curl/curl.h>

#include "bench/burst/timestamp_server.h"
#include "harness/executor.h"

namespace rb = racecheck::bench;
using racecheck::json;

namespace {

const std::string kBody = R"({"account":0,"amount":50,"pad":"0123456789"})";

std::int64_t spread_of(const std::vector<std::int64_t>& arrivals) {
  // A request whose final packet carried no kernel timestamp (-1) would fake a
  // zero spread: such a burst is not counted.
  if (arrivals.empty() || *std::min_element(arrivals.begin(), arrivals.end()) < 0) return -1;
  const auto [lo, hi] = std::minmax_element(arrivals.begin(), arrivals.end());
  return *hi - *lo;
}

std::int64_t median(std::vector<std::int64_t> v) {
  v.erase(std::remove(v.begin(), v.end(), -1), v.end());
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v[v.size() / 2];
}

// Waits (bounded) until the server has seen `n` requests, then takes them.
std::vector<std::int64_t> collect(rb::TimestampServer& server, std::size_t n) {
  for (int i = 0; i < 2000 && server.arrival_count() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return server.take_arrivals();
}

class BenchProtocol : public racecheck::Protocol {
 public:
  explicit BenchProtocol(std::string url) : url_(std::move(url)) {}
  int instance_count() const override { return 1; }
  int pick_instance(int, int) override { return 0; }
  racecheck::HttpRequest render(const racecheck::ScenarioOp&, int) const override {
    racecheck::HttpRequest r;
    r.method = "POST";
    r.url = url_;
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = kBody;
    return r;
  }
  racecheck::Classification classify(const racecheck::ScenarioOp&, const racecheck::HttpResponse& r) const override {
    racecheck::Classification c;
    c.outcome = r.status == 200 ? racecheck::Outcome::Ok : racecheck::Outcome::Info;
    return c;
  }

 private:
  std::string url_;
};

class NullSink : public racecheck::HistorySink {
 public:
  void append(racecheck::Event) override {}
};

struct Measured {
  std::int64_t server_median_ns = -1;
  std::int64_t client_median_ns = -1;  // executor only: its own last-byte spread
};

Measured measure_executor(rb::TimestampServer& server, const std::string& url, int n, int bursts) {
  racecheck::Executor executor;
  BenchProtocol protocol(url);
  racecheck::Scenario scenario;
  for (int i = 0; i < n; ++i) {
    racecheck::ClientProgram p;
    racecheck::ScenarioOp op;
    op.f = "withdraw";
    p.ops.push_back(op);
    scenario.clients.push_back(p);
  }
  NullSink sink;
  std::vector<std::int64_t> server_spreads, client_spreads;
  for (int b = 0; b <= bursts; ++b) {
    server.take_arrivals();
    const auto result = executor.run(scenario, protocol, sink);
    const auto arrivals = collect(server, static_cast<std::size_t>(n));
    if (b == 0) continue;  // warm-up: opens the connections
    if (result.ok != n || arrivals.size() != static_cast<std::size_t>(n)) {
      throw std::runtime_error("executor burst incomplete");
    }
    server_spreads.push_back(spread_of(arrivals));
    client_spreads.push_back(result.burst_spread_ns);
  }
  return {median(server_spreads), median(client_spreads)};
}

Measured measure_plain_multi(rb::TimestampServer& server, const std::string& url, int n, int bursts) {
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(std::max(64, 2 * n)));
  curl_slist* headers = curl_slist_append(nullptr, "Expect:");
  headers = curl_slist_append(headers, "Content-Type: application/json");
  auto discard = +[](char*, size_t s, size_t c, void*) -> size_t { return s * c; };
  std::vector<std::int64_t> spreads;
  for (int b = 0; b <= bursts; ++b) {
    server.take_arrivals();
    std::vector<CURL*> easies;
    for (int i = 0; i < n; ++i) {
      CURL* h = curl_easy_init();
      curl_easy_setopt(h, CURLOPT_URL, url.c_str());
      curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, kBody.c_str());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(kBody.size()));
      curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
      curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
      curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
      curl_multi_add_handle(multi, h);
      easies.push_back(h);
    }
    int running = 1;
    while (running > 0) {
      curl_multi_perform(multi, &running);
      if (running > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
    }
    for (CURL* h : easies) {
      curl_multi_remove_handle(multi, h);
      curl_easy_cleanup(h);
    }
    const auto arrivals = collect(server, static_cast<std::size_t>(n));
    if (b == 0) continue;
    if (arrivals.size() != static_cast<std::size_t>(n)) throw std::runtime_error("multi burst incomplete");
    spreads.push_back(spread_of(arrivals));
  }
  curl_slist_free_all(headers);
  curl_multi_cleanup(multi);
  return {median(spreads), -1};
}

Measured measure_floor(rb::TimestampServer& server, int port, int n, int bursts) {
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) throw std::runtime_error("connect failed");
    fds.push_back(fd);
  }
  const std::string request = "POST /withdraw HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                              "Content-Length: " + std::to_string(kBody.size()) + "\r\n\r\n" + kBody;
  std::vector<std::int64_t> spreads;
  char buf[4096];
  for (int b = 0; b <= bursts; ++b) {
    server.take_arrivals();
    for (int fd : fds) {
      if (::send(fd, request.data(), request.size() - 1, MSG_NOSIGNAL) < 0) throw std::runtime_error("send failed");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // everything but the last byte is there
    for (int fd : fds) ::send(fd, request.data() + request.size() - 1, 1, MSG_NOSIGNAL);
    for (int fd : fds) {
      // The response is short and arrives in one piece on loopback.
      if (::recv(fd, buf, sizeof(buf), 0) <= 0) throw std::runtime_error("recv failed");
    }
    const auto arrivals = collect(server, static_cast<std::size_t>(n));
    if (b == 0) continue;
    if (arrivals.size() != static_cast<std::size_t>(n)) throw std::runtime_error("floor burst incomplete");
    spreads.push_back(spread_of(arrivals));
  }
  for (int fd : fds) ::close(fd);
  return {median(spreads), -1};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"burst spread: server-side arrival spread of N synchronized requests"};
  std::vector<int> sizes{8, 32, 128};
  int bursts = 20;
  app.add_option("--sizes", sizes, "burst sizes");
  app.add_option("--bursts", bursts, "bursts per measurement (median)")->check(CLI::Range(1, 200));
  CLI11_PARSE(app, argc, argv);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  try {
    std::printf("%5s  %-10s %14s %14s %10s\n", "N", "method", "server_us", "client_us", "x_floor");
    for (int n : sizes) {
      if (n < 1 || n > 512) throw std::runtime_error("burst size must be 1..512");
      rb::TimestampServer server;
      const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/withdraw";
      const Measured floor = measure_floor(server, server.port(), n, bursts);
      const Measured exec = measure_executor(server, url, n, bursts);
      const Measured multi = measure_plain_multi(server, url, n, bursts);
      auto row = [&](const char* name, const Measured& m) {
        std::printf("%5d  %-10s %14.1f %14s %10.2f\n", n, name, static_cast<double>(m.server_median_ns) / 1000.0,
                    m.client_median_ns < 0 ? "-" : std::to_string(m.client_median_ns / 1000).c_str(),
                    floor.server_median_ns > 0 ? static_cast<double>(m.server_median_ns) / static_cast<double>(floor.server_median_ns) : 0.0);
      };
      row("floor", floor);
      row("executor", exec);
      row("multi", multi);
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "burst bench: %s\n", e.what());
    curl_global_cleanup();
    return 1;
  }
  curl_global_cleanup();
  return 0;
}
