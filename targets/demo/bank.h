// The embedded demo bank: a small HTTP bank service (cpp-httplib, real threads)
// whose concurrency behaviour can be switched between classic request-handling
// races and their fixes, so racecheck has something to find (or not).
// See targets/demo/README.md for the HTTP API and what each mode demonstrates.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace racecheck::demo {

// How a balance change is applied.
enum class BalanceMode {
  Racy,  // read, wait race_window_us, write back: lost updates under concurrency
  Safe,  // the same read-wait-write, serialized by a per-account mutex
};

// What an Idempotency-Key header does (scoped as DemoBankConfig::key_scope says).
enum class IdempotencyMode {
  None,       // the header is ignored: every retry executes again
  RacyCache,  // check the cache, process, store: concurrent duplicates both execute
  Correct,    // atomic in-flight marker; 409 key_in_flight, byte-identical replay, 422 key_reused
};

// Where an Idempotency-Key is looked up.
enum class KeyScope {
  Account,  // per account and operation: a new account starts with no keys
  Global,   // one store for the whole service, as real services keep theirs (per API
            // client, for hours). The fingerprint is the operation and the body, as in
            // common middleware: the same key and amount for another account is answered
            // with the stored response; another operation or amount is a reuse (422)
};

struct DemoBankConfig {
  BalanceMode balance = BalanceMode::Racy;
  IdempotencyMode idempotency = IdempotencyMode::None;
  KeyScope key_scope = KeyScope::Account;
  int race_window_us = 500;  // gap between read and write; 0 = just yield the thread
  int work_us = 200;         // simulated processing per withdraw/deposit, in every mode
  int threads = 256;         // server worker threads = concurrent keep-alive connections
};

// Mode names used by CLIs and specs: "racy", "safe", "none", "racy-cache", "correct".
// parse_* throw std::invalid_argument naming the accepted values.
BalanceMode parse_balance_mode(std::string_view name);
IdempotencyMode parse_idempotency_mode(std::string_view name);
KeyScope parse_key_scope(std::string_view name);  // "account" or "global"
std::string to_string(BalanceMode mode);
std::string to_string(IdempotencyMode mode);

class DemoBank {
 public:
  explicit DemoBank(DemoBankConfig config);
  ~DemoBank();  // stops the server if it is running
  DemoBank(const DemoBank&) = delete;
  DemoBank& operator=(const DemoBank&) = delete;

  // Binds host:port (port 0 = a free port), serves on a background thread and
  // returns the bound port once the server accepts connections. Call once.
  // Throws std::runtime_error naming host and port if it cannot bind.
  // Side effect: sets SIGPIPE to ignored if it was at its default (a client that
  // hangs up mid-response must not kill the process).
  int start(const std::string& host = "127.0.0.1", int port = 0);

  // Stops accepting, closes idle keep-alive connections, lets requests in
  // progress finish, and joins the server threads. Idempotent.
  void stop();

  int port() const;              // 0 before start()
  std::string base_url() const;  // "http://127.0.0.1:PORT"
  const DemoBankConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace racecheck::demo
