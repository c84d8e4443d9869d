// Test helpers: talk to the demo bank with cpp-httplib's client, alone or in a
// synchronized burst of threads (one client per thread: httplib::Client is not
// meant to be shared between threads).
#pragma once

#include <barrier>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace racecheck::demo::testing {

struct Reply {
  int status = -1;    // -1: transport error, detail in body
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

class BankClient {
 public:
  explicit BankClient(int port) : client_("127.0.0.1", port) {
    client_.set_keep_alive(true);
    client_.set_tcp_nodelay(true);  // else Nagle + delayed ACK add 40 ms per POST
    client_.set_connection_timeout(2, 0);
    client_.set_read_timeout(5, 0);
    client_.set_write_timeout(5, 0);
  }

  Reply get(const std::string& path) { return to_reply(client_.Get(path)); }

  Reply post(const std::string& path, const std::string& body,
             const std::string& idempotency_key = "") {
    httplib::Headers headers;
    if (!idempotency_key.empty()) headers.emplace("Idempotency-Key", idempotency_key);
    return to_reply(client_.Post(path, headers, body, "application/json"));
  }

  std::string create_account(long long balance) {
    Reply reply = post("/accounts", nlohmann::json{{"balance", balance}}.dump());
    return reply.json().value("id", std::string{});
  }

  long long balance(const std::string& id) {
    return get("/accounts/" + id).json().value("balance", -1'000'000LL);
  }

  Reply withdraw(const std::string& id, long long amount, const std::string& key = "") {
    return post("/accounts/" + id + "/withdraw", nlohmann::json{{"amount", amount}}.dump(), key);
  }

  Reply deposit(const std::string& id, long long amount, const std::string& key = "") {
    return post("/accounts/" + id + "/deposit", nlohmann::json{{"amount", amount}}.dump(), key);
  }

  nlohmann::json stats() { return get("/admin/stats").json(); }

 private:
  static Reply to_reply(const httplib::Result& result) {
    if (!result) return {-1, httplib::to_string(result.error())};
    return {result->status, result->body};
  }
  httplib::Client client_;
};

// Runs request(i, client) on `n` threads, each with its own warmed-up
// keep-alive connection, all released together. Returns the replies by index.
inline std::vector<Reply> burst(int port, int n,
                                const std::function<Reply(int, BankClient&)>& request) {
  std::vector<Reply> replies(n);
  std::barrier release(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      BankClient client(port);
      client.get("/health");  // open the connection before the release
      release.arrive_and_wait();
      replies[i] = request(i, client);
    });
  }
  for (auto& thread : threads) thread.join();
  return replies;
}

}  // namespace racecheck::demo::testing
