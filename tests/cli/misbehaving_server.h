// A test-only HTTP/1.1 server on 127.0.0.1 (ephemeral port) that serves a small,
// correct bank for setup and reads, and misbehaves in one chosen way. Raw POSIX
// sockets and one thread per connection, so that it can do what a well-behaved
// HTTP library would not: stop listening mid-run, hang, trickle, answer with
// bytes that are not HTTP, send 100 MB, reset a connection halfway through.
//
// The bank (what tests/cli/misbehaving_target_itest.cpp's spec talks to):
//   POST /accounts {"balance": N}            -> 201 {"id": "a<k>", "balance": N}
//   POST /accounts/<id>/withdraw {"amount"}  -> 200 {"balance": n} | 409 {"error": "insufficient_funds"}
//   GET  /accounts/<id>                      -> 200 {"balance": n}
// Withdrawals are serialized (one mutex): a correct service, so any verdict
// other than pass comes from the misbehaviour.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <optional>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_fixtures.h"

namespace racecheck::test {

// The bank's spec (misbehaving_target_itest.cpp, exec_itest.cpp): one account
// of 100, bursts of 2-4 clients with 1-2 withdrawals each, no keys and no
// retries (so every op is one request), no deliberately lost responses: every
// info outcome comes from the target.
inline nlohmann::json misbehaving_bank_spec(int timeout_ms, int max_body_bytes = 65536) {
  nlohmann::json spec = account_bank_spec("misbehaving bank", 100);
  spec["request"] = {{"timeout_ms", timeout_ms}, {"max_body_bytes", max_body_bytes}};
  spec["headers"] = {{"Accept", "application/json"}};
  add_withdraw_rule(spec, {{"status", "5xx"}, {"outcome", "info"}, {"error", "server-error"}});
  nlohmann::json& generator = spec["generator"];
  generator["clients"] = {2, 4};
  generator["amount"] = {1, 60};
  generator["trials"] = 5;
  generator["budget_s"] = 10;
  return spec;
}

enum class Misbehaviour {
  None,              // the correct bank
  DieAtAccount,      // at the first withdrawal once `die_at_account` accounts exist: stop
                     // listening and drop every connection without an answer
  Hang,              // withdrawals: read the request, never answer
  Trickle,           // withdrawals: headers, then one body byte every 50 ms (slower than any timeout)
  Garbage,           // withdrawals: bytes that are not HTTP, then close
  NotJson,           // withdrawals and reads: the bank's status with an HTML body
  HugeBody,          // withdrawals: the bank's status with a 100 MB body
  ResetMidResponse,  // withdrawals: half a response, then a TCP reset (SO_LINGER 0, close)
  Overdraft,         // withdrawals: applied without checking funds, answered 200 {"balance": n}
  OverdraftNotUtf8,  // withdrawals: applied without checking funds (an overdraft bank), answered
                     // 200 with a body that is not UTF-8; reads stay correct JSON
  LineBreakInId,     // account ids hold CR LF: "a1\r\nX-Injected: 1" (setup captures it)
};

class MisbehavingServer {
 public:
  static constexpr std::size_t kHugeBodyBytes = 100u << 20;

  explicit MisbehavingServer(Misbehaviour mode, int die_at_account = 2)
      : mode_(mode), die_at_account_(die_at_account) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;  // ephemeral
    socklen_t len = sizeof addr;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      const std::string why = std::strerror(errno);
      ::close(listen_fd_);
      throw std::runtime_error("bind/listen on 127.0.0.1: " + why);
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~MisbehavingServer() { stop(); }
  MisbehavingServer(const MisbehavingServer&) = delete;
  MisbehavingServer& operator=(const MisbehavingServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int accounts_created() const { return accounts_created_.load(); }
  int withdrawals_seen() const { return withdrawals_seen_.load(); }
  bool died() const { return died_.load(); }

  // Stops accepting, wakes every connection thread and joins them all.
  void stop() {
    if (stopping_.exchange(true)) return;
    {
      std::lock_guard lock(mu_);
      stop_listening_locked();
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    if (acceptor_.joinable()) acceptor_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

 private:
  // shutdown() wakes the accept() in accept_loop and makes the kernel refuse new
  // connections at once; the acceptor closes the descriptor when it leaves.
  void stop_listening_locked() {
    if (!listening_) return;
    listening_ = false;
    ::shutdown(listen_fd_, SHUT_RDWR);
  }

  void accept_loop() {
    for (;;) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        break;  // shut down
      }
      std::lock_guard lock(mu_);
      if (!listening_ || stopping_) {
        ::close(fd);
        break;
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      open_fds_.push_back(fd);
      threads_.emplace_back([this, fd] { serve(fd); });
    }
    ::close(listen_fd_);
  }

  static bool send_all(int fd, const char* data, std::size_t n) {
    while (n > 0) {
      const ssize_t sent = ::send(fd, data, n, MSG_NOSIGNAL);
      if (sent < 0 && errno == EINTR) continue;
      if (sent <= 0) return false;
      data += sent;
      n -= static_cast<std::size_t>(sent);
    }
    return true;
  }
  static bool send_all(int fd, const std::string& s) { return send_all(fd, s.data(), s.size()); }

  static std::string response(int status, const std::string& reason, const std::string& body,
                              const std::string& content_type = "application/json") {
    return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + content_type +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  struct Request {
    std::string method, path, body;
  };

  // Reads one request (headers, then Content-Length bytes of body) from `fd`,
  // keeping any bytes of the next one in `buffer`. False when the peer closed.
  static bool read_request(int fd, std::string& buffer, Request& out) {
    constexpr std::size_t kMaxRequest = 1 << 20;
    std::size_t header_end;
    char chunk[8192];
    while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (buffer.size() > kMaxRequest) return false;
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
    const std::string head = buffer.substr(0, header_end);
    const auto sp1 = head.find(' '), sp2 = head.find(' ', sp1 + 1);
    if (sp1 == std::string::npos || sp2 == std::string::npos) return false;
    out.method = head.substr(0, sp1);
    out.path = head.substr(sp1 + 1, sp2 - sp1 - 1);
    std::size_t content_length = 0;
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (const auto at = lower.find("\r\ncontent-length:"); at != std::string::npos)
      content_length = std::stoul(lower.substr(at + 17));
    if (content_length > kMaxRequest) return false;
    const std::size_t total = header_end + 4 + content_length;
    while (buffer.size() < total) {
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
    out.body = buffer.substr(header_end + 4, content_length);
    buffer.erase(0, total);
    return true;
  }

  // Drops the target: no more connections, every open one closed unanswered.
  void die() {
    died_ = true;
    std::lock_guard lock(mu_);
    stop_listening_locked();
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }

  // Sends the misbehaving answer to a withdrawal (or, NotJson, a read). NotJson
  // and HugeBody do the bank's work and keep its status (200 applied, 409
  // refused), only the body is wrong; the others leave the balance alone.
  // False: close the connection.
  bool misbehave(int fd, const Request& r) {
    std::string status = "200 OK";
    if (mode_ == Misbehaviour::NotJson || mode_ == Misbehaviour::HugeBody) {
      const std::string real = answer(r);  // "HTTP/1.1 409 Conflict\r\n..."
      status = real.substr(9, real.find("\r\n") - 9);
    }
    switch (mode_) {
      case Misbehaviour::Hang:
        return true;  // no answer; keep reading (the client gives up and closes)
      case Misbehaviour::Trickle: {
        const std::string body = "{\"balance\": 1" + std::string(1000, ' ') + "}";
        if (!send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n"))
          return false;
        for (char c : body) {
          if (stopping_ || !send_all(fd, &c, 1)) return false;
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return true;
      }
      case Misbehaviour::Garbage:
      {
        // A TLS-like prefix, text and a NUL: sized from the literal (it holds a NUL).
        static constexpr char kGarbage[] = "\x16\x03\x01 this is not HTTP at all \x00\xff\xfe\r\n\r\n";
        send_all(fd, std::string(kGarbage, sizeof kGarbage - 1));
      }
        return false;
      case Misbehaviour::NotJson:
        return send_all(fd, "HTTP/1.1 " + status + "\r\nContent-Type: text/html\r\nContent-Length: 57\r\n\r\n" +
                                "<html><body>Service temporarily unavailable</body></html>");
      case Misbehaviour::HugeBody: {
        if (!send_all(fd, "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(kHugeBodyBytes) + "\r\n\r\n"))
          return false;
        const std::string block(64 * 1024, '7');
        for (std::size_t sent = 0; sent < kHugeBodyBytes; sent += block.size()) {
          if (stopping_ || !send_all(fd, block)) return false;
        }
        return true;
      }
      case Misbehaviour::ResetMidResponse: {
        const std::string full = response(200, "OK", "{\"balance\": 12345, \"note\": \"" + std::string(200, 'x') + "\"}");
        send_all(fd, full.substr(0, full.size() / 2));
        const linger hard_close{1, 0};  // close() sends RST instead of FIN
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard_close, sizeof hard_close);
        return false;
      }
      case Misbehaviour::Overdraft:
      case Misbehaviour::OverdraftNotUtf8: {
        const nlohmann::json body = nlohmann::json::parse(r.body.empty() ? "{}" : r.body, nullptr, false);
        const long long amount = amount_of(body).value_or(0);
        std::string id = r.path.substr(10, r.path.size() - 10 - 9);  // "/accounts/<id>/withdraw"
        long long balance = 0;
        {
          std::lock_guard lock(mu_);
          balance = balances_[id] -= amount;
        }
        if (mode_ == Misbehaviour::Overdraft)
          return send_all(fd, response(200, "OK", nlohmann::json{{"balance", balance}}.dump()));
        return send_all(fd, response(200, "OK", std::string("withdrawn \xff\xfe\xc3(\x80 bytes"), "text/plain"));
      }
      case Misbehaviour::None:
      case Misbehaviour::DieAtAccount:
      case Misbehaviour::LineBreakInId:
        break;
    }
    return false;
  }

  // The body's "amount" if it is a positive integer.
  static std::optional<long long> amount_of(const nlohmann::json& body) {
    if (!body.is_object() || !body.contains("amount") || !body["amount"].is_number_integer()) return std::nullopt;
    const long long amount = body["amount"].get<long long>();
    return amount > 0 ? std::optional<long long>(amount) : std::nullopt;
  }

  // The correct bank's answer.
  std::string answer(const Request& r) {
    using nlohmann::json;
    const json body = json::parse(r.body.empty() ? "{}" : r.body, nullptr, false);
    std::lock_guard lock(mu_);
    if (r.method == "POST" && r.path == "/accounts") {
      const long long balance = body.is_object() ? body.value("balance", 0LL) : 0LL;
      const std::string id = "a" + std::to_string(++accounts_created_) +
                             (mode_ == Misbehaviour::LineBreakInId ? "\r\nX-Injected: 1" : "");
      balances_[id] = balance;
      return response(201, "Created", json{{"id", id}, {"balance", balance}}.dump());
    }
    const std::string prefix = "/accounts/";
    if (r.path.rfind(prefix, 0) != 0) return response(404, "Not Found", R"({"error":"not_found"})");
    std::string id = r.path.substr(prefix.size());
    const bool withdraw = r.method == "POST" && id.size() > 9 && id.substr(id.size() - 9) == "/withdraw";
    if (withdraw) id.resize(id.size() - 9);
    const auto account = balances_.find(id);
    if (account == balances_.end()) return response(404, "Not Found", R"({"error":"no_such_account"})");
    if (r.method == "GET") return response(200, "OK", json{{"balance", account->second}}.dump());
    if (!withdraw) return response(404, "Not Found", R"({"error":"not_found"})");
    const std::optional<long long> amount = amount_of(body);
    if (!amount) return response(400, "Bad Request", R"({"error":"amount must be a positive integer"})");
    if (*amount > account->second) return response(409, "Conflict", R"({"error":"insufficient_funds"})");
    account->second -= *amount;
    return response(200, "OK", json{{"balance", account->second}}.dump());
  }

  void serve(int fd) {
    std::string buffer;
    Request r;
    while (!stopping_ && read_request(fd, buffer, r)) {
      const bool is_withdraw = r.method == "POST" && r.path.size() > 9 &&
                               r.path.compare(r.path.size() - 9, 9, "/withdraw") == 0;
      if (is_withdraw) ++withdrawals_seen_;
      if (is_withdraw && mode_ == Misbehaviour::DieAtAccount && accounts_created_ >= die_at_account_) {
        die();
        break;
      }
      const bool misbehaves = mode_ != Misbehaviour::None && mode_ != Misbehaviour::DieAtAccount &&
                              mode_ != Misbehaviour::LineBreakInId &&
                              (is_withdraw || (mode_ == Misbehaviour::NotJson && r.method == "GET"));
      if (misbehaves) {
        if (!misbehave(fd, r)) break;
        continue;
      }
      if (!send_all(fd, answer(r))) break;
    }
    std::lock_guard lock(mu_);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
    ::close(fd);
  }

  const Misbehaviour mode_;
  const int die_at_account_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> died_{false};
  std::atomic<int> accounts_created_{0};
  std::atomic<int> withdrawals_seen_{0};
  std::mutex mu_;  // guards everything below, and the bank's balances
  bool listening_ = true;
  std::vector<int> open_fds_;
  std::vector<std::thread> threads_;
  std::map<std::string, long long> balances_;
  std::thread acceptor_;
};

}  // namespace racecheck::test
