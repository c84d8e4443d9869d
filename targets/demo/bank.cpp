// DemoBank: HTTP routes and server lifecycle. The business state lives in
// AccountStore (balances), IdempotencyStore (remembered responses) and
// ExecutionStats (what the server really executed).
#include "targets/demo/bank.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <stdexcept>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "targets/demo/account_store.h"
#include "targets/demo/connection_closer.h"
#include "targets/demo/execution_stats.h"
#include "targets/demo/idempotency_store.h"
#include "targets/demo/request_body.h"

namespace racecheck::demo {
namespace {

using Json = nlohmann::ordered_json;  // fields in the documented order
constexpr const char* kJson = "application/json";
constexpr std::size_t kMaxBodyBytes = 64 * 1024;

void send_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(), kJson);
}

void send_error(httplib::Response& res, int status, const std::string& error) {
  send_json(res, status, Json{{"error", error}});
}

void send_bad_request(httplib::Response& res, const std::string& detail) {
  send_json(res, 400, Json{{"error", "bad_request"}, {"detail", detail}});
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct DemoBank::Impl {
  explicit Impl(DemoBankConfig bank_config)
      : config(bank_config), accounts(bank_config.balance, bank_config.race_window_us) {}

  DemoBankConfig config;
  AccountStore accounts;
  IdempotencyStore idempotency;
  ExecutionStats stats;
  std::atomic<std::uint64_t> next_request_id{1};

  httplib::Server server;
  std::thread listener;
  std::atomic<bool> listener_done{false};
  std::atomic<bool> pool_started{false};  // the worker threads exist: accepted connections get served
  std::string host;
  int port = 0;

  void install_routes();
  void create_account(const httplib::Request& req, httplib::Response& res);
  void get_account(const httplib::Request& req, httplib::Response& res);
  void change_balance(Operation op, const httplib::Request& req, httplib::Response& res);
  StoredResponse execute(Operation op, const std::string& id, std::int64_t amount,
                         const std::string& key);
};

void DemoBank::Impl::install_routes() {
  server.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, Json{{"ok", true}});
  });
  server.Get("/admin/stats", [this](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content(stats.to_json().dump(), kJson);
  });
  server.Post("/accounts", [this](const httplib::Request& req, httplib::Response& res) {
    create_account(req, res);
  });
  server.Get(R"(/accounts/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    get_account(req, res);
  });
  server.Post(R"(/accounts/([^/]+)/withdraw)",
              [this](const httplib::Request& req, httplib::Response& res) {
                change_balance(Operation::Withdraw, req, res);
              });
  server.Post(R"(/accounts/([^/]+)/deposit)",
              [this](const httplib::Request& req, httplib::Response& res) {
                change_balance(Operation::Deposit, req, res);
              });
  // Unmatched routes and methods get a JSON body too; handlers' own error
  // bodies are left alone.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        send_error(res, res.status, res.status == 404 ? "not_found" : "error");
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
        std::string detail = "unknown exception";
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          detail = e.what();
        } catch (...) {
        }
        send_json(res, 500, Json{{"error", "internal"}, {"detail", detail}});
      });
}

void DemoBank::Impl::create_account(const httplib::Request& req, httplib::Response& res) {
  std::int64_t balance = 0;
  try {
    balance = parse_money_field(req.body, "balance", /*required=*/false, 0);
  } catch (const BadRequest& e) {
    return send_bad_request(res, e.what());
  }
  const std::string id = accounts.create(balance);
  send_json(res, 201, Json{{"id", id}, {"balance", balance}});
}

void DemoBank::Impl::get_account(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  auto balance = accounts.balance(id);
  if (!balance) return send_error(res, 404, "no_such_account");
  send_json(res, 200, Json{{"id", id}, {"balance", *balance}});
}

StoredResponse DemoBank::Impl::execute(Operation op, const std::string& id,
                                       std::int64_t amount, const std::string& key) {
  // Simulated processing (validation, fraud checks, a database round trip):
  // long enough for duplicates of one key to overlap in every mode.
  if (config.work_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(config.work_us));
  stats.record_execution(op, key);
  std::optional<BalanceChange> change =
      op == Operation::Withdraw ? accounts.withdraw(id, amount) : accounts.deposit(id, amount);
  if (!change) return {404, Json{{"error", "no_such_account"}}.dump()};
  switch (change->result) {
    case BalanceChange::Result::InsufficientFunds:
      return {409, Json{{"error", "insufficient_funds"}, {"balance", change->balance}}.dump()};
    case BalanceChange::Result::WouldOverflow:
      return {400, Json{{"error", "bad_request"},
                        {"detail", "/amount would take the balance above " +
                                       std::to_string(kMaxMoney)}}
                       .dump()};
    case BalanceChange::Result::Applied:
      break;
  }
  return {200, Json{{"id", id},
                    {"balance", change->balance},
                    {"amount", amount},
                    {"request_id", "req-" + std::to_string(next_request_id.fetch_add(1))},
                    {"processed_at_ns", now_ns()}}
                   .dump()};
}

void DemoBank::Impl::change_balance(Operation op, const httplib::Request& req,
                                    httplib::Response& res) {
  const std::string id = req.matches[1];
  const bool has_key = req.has_header("Idempotency-Key");
  const std::string key = req.get_header_value("Idempotency-Key");
  ExecutionStats::InFlight in_flight(stats, key);

  if (!accounts.exists(id)) return send_error(res, 404, "no_such_account");
  std::int64_t amount = 0;
  try {
    amount = parse_money_field(req.body, "amount", /*required=*/true);
  } catch (const BadRequest& e) {
    return send_bad_request(res, e.what());
  }
  auto send = [&res](const StoredResponse& response) {
    res.status = response.status;
    res.set_content(response.body, kJson);
  };

  if (config.idempotency == IdempotencyMode::None || !has_key) {
    return send(execute(op, id, amount, key));
  }
  if (key.empty()) return send_bad_request(res, "Idempotency-Key header is empty");

  const std::string operation = op == Operation::Withdraw ? "withdraw" : "deposit";
  const bool global = config.key_scope == KeyScope::Global;
  const std::string scoped_key = global ? key : id + '\n' + operation + '\n' + key;
  // The payload, canonical. In the global scope, as in common middleware, the
  // fingerprint covers the operation and the body, not the account in the path.
  const std::string fingerprint = (global ? operation + '\n' : std::string()) + std::to_string(amount);
  const bool correct = config.idempotency == IdempotencyMode::Correct;
  IdempotencyStore::Claim claim = idempotency.claim(scoped_key, fingerprint, correct);
  switch (claim.decision) {
    case IdempotencyStore::Decision::Replay:
      return send(claim.replay);
    case IdempotencyStore::Decision::InFlight:
      return send_error(res, 409, "key_in_flight");
    case IdempotencyStore::Decision::Reused:
      return send_error(res, 422, "key_reused");
    case IdempotencyStore::Decision::Execute:
      break;
  }
  StoredResponse response;
  try {
    response = execute(op, id, amount, key);
  } catch (...) {
    idempotency.abandon(scoped_key);
    throw;
  }
  // Refusals (409 insufficient_funds) are outcomes too and are replayed.
  idempotency.complete(scoped_key, fingerprint, response);
  send(response);
}

DemoBank::DemoBank(DemoBankConfig config) : impl_(std::make_unique<Impl>(config)) {
  if (config.threads < 1) throw std::invalid_argument("DemoBankConfig.threads must be >= 1");
  if (config.race_window_us < 0 || config.work_us < 0) {
    throw std::invalid_argument("DemoBankConfig race_window_us and work_us must be >= 0");
  }
  impl_->install_routes();
}

DemoBank::~DemoBank() { stop(); }

int DemoBank::start(const std::string& host, int port) {
  Impl& bank = *impl_;
  if (bank.listener.joinable() || bank.port != 0) {
    throw std::logic_error("DemoBank::start called twice");
  }
  // A client that hangs up before its response is written must not kill us.
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    std::signal(SIGPIPE, SIG_IGN);
  }
  // Every keep-alive connection occupies one pool thread for its lifetime, so
  // the pool size is the number of concurrent connections the bank can hold.
  const int threads = bank.config.threads;
  // httplib reports is_running() before it builds the pool; building 256
  // threads takes seconds under TSan on a busy machine, and a client's first
  // request would wait for it. start() returns once the pool exists.
  bank.server.new_task_queue = [threads, &bank] {
    auto* pool = new httplib::ThreadPool(threads);
    bank.pool_started.store(true);
    return pool;
  };
  bank.server.set_keep_alive_max_count(1'000'000);
  bank.server.set_payload_max_length(kMaxBodyBytes);
  bank.server.set_tcp_nodelay(true);
  // httplib's default sets SO_REUSEPORT, which lets a second server bind the
  // same port and silently share its connections. SO_REUSEADDR only allows a
  // quick restart on a port whose old connections are in TIME_WAIT.
  bank.server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });

  const int bound = port == 0 ? bank.server.bind_to_any_port(host)
                              : (bank.server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    throw std::runtime_error("demo bank cannot listen on " + host + ":" + std::to_string(port) +
                             " (address in use, not local, or not permitted)");
  }
  bank.host = host;
  bank.port = bound;
  bank.listener = std::thread([&bank] {
    bank.server.listen_after_bind();
    bank.listener_done.store(true);
  });
  // stop() is a no-op until the server runs, so wait for it and its worker
  // threads (bounded).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!(bank.server.is_running() && bank.pool_started.load()) && !bank.listener_done.load()) {
    if (std::chrono::steady_clock::now() > deadline) {
      stop();
      throw std::runtime_error("demo bank did not start serving within 30 s");
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return bound;
}

void DemoBank::stop() {
  Impl& bank = *impl_;
  if (!bank.listener.joinable()) return;
  // Server::stop() only acts once the server runs; start() waited for that.
  bank.server.stop();
  while (!bank.listener_done.load()) {
    shutdown_reads_of_accepted_sockets(bank.port);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  bank.listener.join();
}

int DemoBank::port() const { return impl_->port; }

std::string DemoBank::base_url() const {
  const std::string& host = impl_->host;
  const bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(impl_->port);
}

const DemoBankConfig& DemoBank::config() const { return impl_->config; }

}  // namespace racecheck::demo
