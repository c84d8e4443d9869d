// racecheck-demo-target: the demo bank as a standalone server, for tests and
// benchmarks that start it as a process and stop it by pid (SIGTERM/SIGINT).
// Prints "listening on http://HOST:PORT" once it accepts connections.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "targets/demo/bank.h"

namespace {

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace racecheck::demo;
  CLI::App app{"racecheck demo bank: an HTTP bank with switchable concurrency bugs"};
  std::string host = "127.0.0.1";
  int port = 0;
  std::string balance_mode = "racy";
  std::string idempotency_mode = "none";
  std::string key_scope = "account";
  bool allow_non_loopback = false;
  DemoBankConfig config;
  app.add_option("--host", host, "address to listen on (loopback only unless --allow-non-loopback)");
  app.add_option("--port", port, "port to listen on; 0 picks a free port")
      ->check(CLI::Range(0, 65535));
  app.add_option("--balance", balance_mode, "balance updates: racy | safe")
      ->check(CLI::IsMember({"racy", "safe"}));
  app.add_option("--idempotency", idempotency_mode,
                 "Idempotency-Key handling: none | racy-cache | correct")
      ->check(CLI::IsMember({"none", "racy-cache", "correct"}));
  app.add_option("--key-scope", key_scope,
                 "where Idempotency-Keys live: account (per account and operation) | global (one store, "
                 "kept for the life of the process, as real services keep theirs)")
      ->check(CLI::IsMember({"account", "global"}));
  app.add_option("--race-window-us", config.race_window_us,
                 "gap between reading and writing a balance, microseconds (0 = yield)")
      ->check(CLI::Range(0, 10'000'000));
  app.add_option("--work-us", config.work_us, "simulated processing per request, microseconds")
      ->check(CLI::Range(0, 10'000'000));
  app.add_option("--threads", config.threads, "worker threads = concurrent connections")
      ->check(CLI::Range(1, 4096));
  app.add_flag("--allow-non-loopback", allow_non_loopback,
               "allow --host to be a non-loopback address (the bank is deliberately buggy)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message
    return 2;     // bad usage, as racecheck's own exit codes
  }

  if (!allow_non_loopback && !is_loopback(host)) {
    std::cerr << "racecheck-demo-target: --host " << host
              << " is not a loopback address; pass --allow-non-loopback to serve on it\n";
    return 2;
  }
  config.balance = parse_balance_mode(balance_mode);
  config.idempotency = parse_idempotency_mode(idempotency_mode);
  config.key_scope = parse_key_scope(key_scope);

  // Block the stop signals in every thread (server threads inherit this mask)
  // so that main receives them synchronously with sigwait and stops cleanly.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  DemoBank bank(config);
  try {
    bank.start(host, port);
  } catch (const std::exception& e) {
    std::cerr << "racecheck-demo-target: " << e.what() << "\n";
    return 3;
  }
  std::cout << "listening on " << bank.base_url() << std::endl;  // flushed: a parent reads it

  int received = 0;
  sigwait(&stop_signals, &received);
  bank.stop();
  std::cerr << "racecheck-demo-target: stopped on signal " << received << "\n";
  return 0;
}
