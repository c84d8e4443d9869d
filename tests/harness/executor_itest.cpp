// Executor against a real HTTP server on loopback (cpp-httplib started in the
// test, one thread per connection), driven by a hand-written Protocol.
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include "harness/executor.h"
#include "harness/history_writer.h"
#include "harness/http_client.h"
#include "properties/history.h"

extern char** environ;
#include "tests/harness/httplib_test_server.h"
#include "tests/sanitizer_build.h"

namespace racecheck {
namespace {

using namespace std::chrono_literals;

// Sanitizers slow everything down several times: the timing bounds widen.
constexpr std::int64_t kSlowdown = test::kSanitizerBuild ? 5 : 1;

// cpp-httplib 0.11 (compiled into Debian's libcpp-httplib) listens with a
// backlog of 5: a burst of 32 fresh connections overflows it and some get reset.
// listen(2) again on the bound socket raises the backlog (Linux allows it).
void widen_listen_backlog(int port) {
  DIR* dir = opendir("/proc/self/fd");
  ASSERT_NE(dir, nullptr);
  while (dirent* entry = readdir(dir)) {
    const int fd = std::atoi(entry->d_name);
    if (fd <= 2) continue;
    int listening = 0;
    socklen_t len = sizeof(listening);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_in addr{};
    socklen_t addr_len = sizeof(addr);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0) continue;
    if (addr.sin_family == AF_INET && ntohs(addr.sin_port) == port) ::listen(fd, 1024);
  }
  closedir(dir);
}

// Routes: POST /burst (arrival time), POST /flaky (503 twice per key, then 200),
// POST /apply (counts, then answers after apply_delay), POST /dup (records the
// interval it was being served), GET /sleep, GET /big (5 MB), POST /echo.
class TestServer {
 public:
  // Fixed before the server's threads start: a request reaches a handler through
  // a socket, which gives TSan no happens-before edge, so the handlers may only
  // read what was written before the listening thread was created.
  const std::chrono::milliseconds apply_delay;

  explicit TestServer(std::chrono::milliseconds delay = 300ms) : apply_delay(delay) {
    server_.new_task_queue = [] { return new httplib::ThreadPool(256); };
    server_.set_keep_alive_max_count(1000000);
    // Headers and body go out in separate writes: without NODELAY, Nagle plus the
    // client's delayed ACK adds 40 ms to every response.
    server_.set_tcp_nodelay(true);
    server_.Post("/burst", [this](const httplib::Request& req, httplib::Response& res) {
      // The handler runs once the whole body (its last byte) was read.
      const std::int64_t now = monotonic_ns();
      {
        std::lock_guard lock(mutex_);
        burst_arrivals_ns.push_back(now);
        burst_bodies.push_back(req.body);
      }
      res.set_content("{\"ok\":true}", "application/json");
    });
    server_.Post("/flaky", [this](const httplib::Request& req, httplib::Response& res) {
      int seen = 0;
      {
        std::lock_guard lock(mutex_);
        seen = ++flaky_count[req.get_header_value("Idempotency-Key")];
      }
      res.status = seen <= 2 ? 503 : 200;
      res.set_content("{}", "application/json");
    });
    server_.Post("/apply", [this](const httplib::Request&, httplib::Response& res) {
      ++applied;
      std::this_thread::sleep_for(apply_delay);
      res.set_content("{\"applied\":true}", "application/json");
    });
    server_.Post("/dup", [this](const httplib::Request& req, httplib::Response& res) {
      const std::int64_t start = monotonic_ns();
      std::this_thread::sleep_for(100ms);
      const std::int64_t end = monotonic_ns();
      std::lock_guard lock(mutex_);
      dup_intervals.push_back({req.get_header_value("Idempotency-Key"), start, end});
      res.set_content("{}", "application/json");
    });
    server_.Get("/sleep", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(1000ms);
      res.set_content("late", "text/plain");
    });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(5 * 1024 * 1024, 'x'), "text/plain");
    });
    server_.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.body, "application/json");
    });
    port = server_.bind_to_any_port("127.0.0.1");
    widen_listen_backlog(port);
    thread_.emplace(server_, port);
    wait_until_serving();
  }
  // The accept loop starts only after the thread pool exists (slow under TSan):
  // probe until a request is answered, so no test measures the server's start-up.
  void wait_until_serving() {
    for (int i = 0; i < 100; ++i) {
      HttpRequest probe;
      probe.method = "POST";
      probe.url = base_url() + "/echo";
      probe.body = "{}";
      if (http_call(probe, 1000, 1024).status == 200) return;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "test server did not start";
  }
  ~TestServer() { thread_.reset(); }  // stops the server promptly (tests/harness/httplib_test_server.h)
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port); }

  struct Interval {
    std::string key;
    std::int64_t start_ns;
    std::int64_t end_ns;
  };
  template <typename F>
  auto locked(F f) {
    std::lock_guard lock(mutex_);
    return f();
  }

  int port = 0;
  std::atomic<int> applied{0};
  std::vector<std::int64_t> burst_arrivals_ns;
  std::vector<std::string> burst_bodies;
  std::map<std::string, int> flaky_count;
  std::vector<Interval> dup_intervals;

 private:
  httplib::Server server_;
  std::optional<test::ServerThread> thread_;
  std::mutex mutex_;
};

// op.f is the path; op.args["method"] the method (default POST, JSON body = args).
class TestProtocol : public Protocol {
 public:
  explicit TestProtocol(std::string base) : base_(std::move(base)) {}
  int instance_count() const override { return 1; }
  int pick_instance(int, int) override { return 0; }
  HttpRequest render(const ScenarioOp& op, int) const override {
    HttpRequest r;
    r.method = op.args.value("method", "POST");
    r.url = base_ + "/" + op.f;
    if (!op.key.empty()) r.headers.emplace_back("Idempotency-Key", op.key);
    if (r.method == "POST") {
      r.headers.emplace_back("Content-Type", "application/json");
      r.body = op.args.dump();
    }
    return r;
  }
  Classification classify(const ScenarioOp&, const HttpResponse& response) const override {
    Classification c;
    c.extracted = {{"bytes", response.body.size()}, {"truncated", response.body_truncated}};
    if (response.status >= 200 && response.status < 300) {
      c.outcome = Outcome::Ok;
    } else if (response.status >= 500) {
      c.outcome = Outcome::Info;
      c.error = "server-error";
    } else {
      c.outcome = Outcome::Fail;
      c.error = "refused";
    }
    return c;
  }

 private:
  std::string base_;
};

ScenarioOp make_op(std::string f, json args = json::object(), std::string key = "") {
  ScenarioOp op;
  op.f = std::move(f);
  op.args = std::move(args);
  op.key = std::move(key);
  return op;
}

Scenario one_op_per_client(int clients, const ScenarioOp& op) {
  Scenario s;
  for (int i = 0; i < clients; ++i) {
    ClientProgram p;
    ScenarioOp o = op;
    if (o.args.is_object() && !o.args.contains("method")) o.args["client"] = i;
    p.ops.push_back(o);
    s.clients.push_back(p);
  }
  return s;
}

std::vector<Event> of_type(const std::vector<Event>& events, EventType type) {
  std::vector<Event> out;
  for (const auto& e : events) {
    if (e.type == type) out.push_back(e);
  }
  return out;
}

TEST(ExecutorITest, SynchronizedBurstOf32PostsArrivesTogether) {
  TestServer server;
  TestProtocol protocol(server.base_url());
  Executor executor;
  const Scenario scenario = one_op_per_client(32, make_op("burst", {{"amount", 5}}));

  // A first burst opens the connections; the measured one reuses them, as every
  // trial after the first does.
  MemorySink warmup_history;
  const ExecutorResult warmup = executor.run(scenario, protocol, warmup_history);
  ASSERT_EQ(warmup.ok, 32);
  const auto warm_arrivals = server.locked([&] { return server.burst_arrivals_ns; });
  const auto [wlo, whi] = std::minmax_element(warm_arrivals.begin(), warm_arrivals.end());
  std::cerr << "cold burst of 32: client last-byte spread " << static_cast<double>(warmup.burst_spread_ns) / 1000.0
            << " us, server arrival spread " << static_cast<double>(*whi - *wlo) / 1000.0 << " us\n";
  server.locked([&] {
    server.burst_arrivals_ns.clear();
    server.burst_bodies.clear();
    return 0;
  });

  MemorySink history;
  const ExecutorResult result = executor.run(scenario, protocol, history);
  EXPECT_EQ(result.new_connections, 0);

  EXPECT_EQ(result.ok, 32);
  EXPECT_EQ(result.burst_synchronized, 32);
  EXPECT_EQ(result.burst_unsynchronized, 0);
  EXPECT_FALSE(result.burst_park_timed_out);
  ASSERT_GE(result.burst_spread_ns, 0);
  EXPECT_LT(result.burst_spread_ns, kSlowdown * 20'000'000);
  const auto invokes = of_type(history.events(), EventType::Invoke);
  ASSERT_EQ(invokes.size(), 32u);
  for (const auto& e : invokes) {
    EXPECT_GE(e.sent_ns, e.time_ns);
    EXPECT_EQ(e.release, "last-byte");
  }
  for (const auto& e : of_type(history.events(), EventType::Ok)) EXPECT_EQ(e.protocol, "http/1.1");
  const auto arrivals = server.locked([&] { return server.burst_arrivals_ns; });
  ASSERT_EQ(arrivals.size(), 32u);
  const auto [lo, hi] = std::minmax_element(arrivals.begin(), arrivals.end());
  EXPECT_LT(*hi - *lo, kSlowdown * 20'000'000) << "server-side arrival spread";
  // Every body arrived whole.
  const auto bodies = server.locked([&] { return server.burst_bodies; });
  for (const auto& b : bodies) EXPECT_EQ(json::parse(b).at("amount"), 5);
  std::cerr << "burst of 32: client last-byte spread " << static_cast<double>(result.burst_spread_ns) / 1000.0
            << " us, server arrival spread " << static_cast<double>(*hi - *lo) / 1000.0 << " us\n";
}

TEST(ExecutorITest, BodylessFirstRequestsAreReleasedUnsynchronizedAndCounted) {
  TestServer server;
  TestProtocol protocol(server.base_url());
  Executor executor;
  Scenario scenario = one_op_per_client(2, make_op("burst", {{"amount", 1}}));
  ClientProgram reader;
  reader.ops.push_back(make_op("big", {{"method", "GET"}}));
  scenario.clients.push_back(reader);
  MemorySink history;
  const ExecutorResult result = executor.run(scenario, protocol, history);
  EXPECT_EQ(result.ok, 3);
  EXPECT_EQ(result.burst_synchronized, 2);
  EXPECT_EQ(result.burst_unsynchronized, 1);
  for (const auto& e : of_type(history.events(), EventType::Invoke)) {
    EXPECT_GE(e.sent_ns, 0);
    // Only the requests held by their last byte were released together.
    EXPECT_EQ(e.release, e.f == "burst" ? "last-byte" : "") << e.f;
  }
}

TEST(ExecutorITest, RetriesCarryTheSameKeyAndIncreasingAttempts) {
  TestServer server;
  TestProtocol protocol(server.base_url());
  Executor executor;
  ScenarioOp op = make_op("flaky", {{"amount", 1}}, "retry-key");
  op.max_attempts = 3;
  const Scenario scenario = one_op_per_client(1, op);
  MemorySink history;
  const ExecutorResult result = executor.run(scenario, protocol, history);

  EXPECT_EQ(result.requests_sent, 3);
  EXPECT_EQ(result.info, 2);
  EXPECT_EQ(result.ok, 1);
  const auto& events = history.events();
  ASSERT_EQ(events.size(), 6u);
  const EventType expected_types[] = {EventType::Invoke, EventType::Info, EventType::Invoke,
                                      EventType::Info,   EventType::Invoke, EventType::Ok};
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].index, static_cast<std::int64_t>(i));
    EXPECT_EQ(events[i].type, expected_types[i]) << i;
    EXPECT_EQ(events[i].key, "retry-key");
    EXPECT_EQ(events[i].attempt, static_cast<int>(i / 2) + 1);
  }
  EXPECT_EQ(events[1].error, "server-error");
  EXPECT_EQ(events[1].status, 503);
  EXPECT_EQ(events[5].status, 200);
  EXPECT_EQ(server.locked([&] { return server.flaky_count["retry-key"]; }), 3);
}

TEST(ExecutorITest, LostResponseIsExecutedByTheServerRecordedAsInfoThenRetried) {
  TestServer server;
  TestProtocol protocol(server.base_url());
  ExecutorOptions options;
  options.lost_response_grace_ms = 75;
  Executor executor(options);
  ScenarioOp op = make_op("apply", {{"amount", 7}}, "lost-key");
  op.lose_response = true;
  op.max_attempts = 2;
  MemorySink history;
  const ExecutorResult result = executor.run(one_op_per_client(1, op), protocol, history);

  EXPECT_EQ(server.applied.load(), 2) << "both attempts reached the server";
  const auto& events = history.events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].type, EventType::Invoke);
  EXPECT_EQ(events[1].type, EventType::Info);
  EXPECT_EQ(events[1].error, "lost-response");
  EXPECT_EQ(events[1].status, 0);
  // Abandoned after the grace period, long before the server's 300 ms answer.
  EXPECT_LT(events[1].time_ns - events[0].sent_ns, 250'000'000);
  EXPECT_EQ(events[2].type, EventType::Invoke);
  EXPECT_EQ(events[2].attempt, 2);
  EXPECT_EQ(events[3].type, EventType::Ok);
  for (const auto& e : events) EXPECT_EQ(e.key, "lost-key");
  EXPECT_EQ(result.info_reasons.at("lost-response"), 1);
}

TEST(ExecutorITest, LostResponseEndsWhenItsResponseStartsArrivingNotAfterTheGrace) {
  TestServer server(0ms);
  TestProtocol protocol(server.base_url());
  ExecutorOptions options;
  options.lost_response_grace_ms = 2000;  // the response comes first
  Executor executor(options);
  ScenarioOp op = make_op("apply", {{"amount", 1}}, "fast-key");
  op.lose_response = true;
  MemorySink history;
  const ExecutorResult result = executor.run(one_op_per_client(1, op), protocol, history);
  EXPECT_EQ(server.applied.load(), 1);
  EXPECT_EQ(result.info_reasons.at("lost-response"), 1);
  EXPECT_LT(result.elapsed_ns, 1'500'000'000) << "ended when the response arrived (read unseen), not after the grace";
  ASSERT_EQ(history.events().size(), 2u) << "max_attempts 1: no retry";
}

TEST(ExecutorITest, ALostResponseThatArrivesIsReadUnseenAndItsConnectionReused) {
  TestServer server(0ms);
  TestProtocol protocol(server.base_url());
  ExecutorOptions options;
  options.lost_response_grace_ms = 2000;  // the response comes first
  Executor executor(options);
  MemorySink warm_up;
  executor.run(one_op_per_client(1, make_op("apply", {{"amount", 1}}, "warm-key")), protocol, warm_up);
  ScenarioOp op = make_op("apply", {{"amount", 1}}, "drained-key");
  op.lose_response = true;
  op.max_attempts = 2;
  MemorySink history;
  const ExecutorResult result = executor.run(one_op_per_client(1, op), protocol, history);

  EXPECT_EQ(server.applied.load(), 3) << "the warm-up and both attempts reached the server";
  EXPECT_EQ(result.info_reasons.at("lost-response"), 1);
  EXPECT_EQ(result.ok, 1);
  EXPECT_EQ(result.new_connections, 0) << "the lost response was read to its end: its connection stayed open";
  const auto& events = history.events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1].error, "lost-response");
  EXPECT_EQ(events[1].status, 0) << "the client never learns the outcome";
  EXPECT_TRUE(events[1].body.empty());
  // The retry is not held: its body goes out with the header, in the write
  // whose start its sent_ns marks (CURLOPT_PREREQFUNCTION).
  EXPECT_EQ(events[2].attempt, 2);
  EXPECT_GE(events[2].sent_ns, events[2].time_ns);
}

TEST(ExecutorITest, DuplicateKeysReachTheServerConcurrently) {
  TestServer server;
  TestProtocol protocol(server.base_url());
  Executor executor;
  const Scenario scenario = one_op_per_client(2, make_op("dup", {{"amount", 10}}, "same-key"));
  MemorySink history;
  const ExecutorResult result = executor.run(scenario, protocol, history);
  EXPECT_EQ(result.ok, 2);
  const auto intervals = server.locked([&] { return server.dup_intervals; });
  ASSERT_EQ(intervals.size(), 2u);
  EXPECT_EQ(intervals[0].key, "same-key");
  EXPECT_EQ(intervals[1].key, "same-key");
  const std::int64_t latest_start = std::max(intervals[0].start_ns, intervals[1].start_ns);
  const std::int64_t earliest_end = std::min(intervals[0].end_ns, intervals[1].end_ns);
  EXPECT_LT(latest_start, earliest_end) << "the two requests overlapped on the server";
}

TEST(ExecutorITest, TimeoutsFireAsInfo) {
  TestServer server;
  TestProtocol protocol(server.base_url());
  ExecutorOptions options;
  options.request_timeout_ms = 200;
  Executor executor(options);
  MemorySink history;
  const auto start = std::chrono::steady_clock::now();
  const ExecutorResult result =
      executor.run(one_op_per_client(1, make_op("sleep", {{"method", "GET"}})), protocol, history);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.info, 1);
  EXPECT_EQ(result.info_reasons.at("timeout"), 1);
  ASSERT_EQ(history.events().size(), 2u);
  EXPECT_EQ(history.events()[1].error, "timeout");
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 800ms * kSlowdown);
}

TEST(ExecutorITest, ResponseBodyIsCapped) {
  TestServer server;
  TestProtocol protocol(server.base_url());
  ExecutorOptions options;
  options.max_body_bytes = 64 * 1024;
  Executor executor(options);
  MemorySink history;
  const ExecutorResult result =
      executor.run(one_op_per_client(1, make_op("big", {{"method", "GET"}})), protocol, history);
  EXPECT_EQ(result.ok, 1);
  const Event& done = history.events().at(1);
  EXPECT_EQ(done.body.size(), 64u * 1024);
  EXPECT_EQ(done.value.at("truncated"), true);
  EXPECT_EQ(done.value.at("bytes"), 64 * 1024);
}

TEST(ExecutorITest, SecondScenarioReusesConnections) {
  TestServer server;
  TestProtocol protocol(server.base_url());
  Executor executor;
  const Scenario scenario = one_op_per_client(8, make_op("burst", {{"amount", 1}}));
  MemorySink first_history;
  const ExecutorResult first = executor.run(scenario, protocol, first_history);
  EXPECT_EQ(first.ok, 8);
  EXPECT_EQ(first.new_connections, 8);
  MemorySink second_history;
  const ExecutorResult second = executor.run(scenario, protocol, second_history);
  EXPECT_EQ(second.ok, 8);
  EXPECT_EQ(second.new_connections, 0);
}

TEST(ExecutorITest, StaggeredReleaseSpacesClientsOut) {
  TestServer server;
  TestProtocol protocol(server.base_url());
  Executor executor;
  Scenario scenario = one_op_per_client(3, make_op("burst", {{"amount", 1}}));
  scenario.release = Release::Staggered;
  scenario.stagger_us = 30'000;
  MemorySink history;
  const ExecutorResult result = executor.run(scenario, protocol, history);
  EXPECT_EQ(result.ok, 3);
  EXPECT_EQ(result.burst_spread_ns, -1);
  std::map<std::int64_t, std::int64_t> invoke_by_client;
  for (const auto& e : of_type(history.events(), EventType::Invoke)) invoke_by_client[e.process] = e.time_ns;
  ASSERT_EQ(invoke_by_client.size(), 3u);
  // Times count from the run's start: client i is never sent before i x 30 ms.
  // (The gap between two clients can be shorter when the earlier one was late
  // on a loaded machine; the schedule itself is what the executor guarantees.)
  EXPECT_GE(invoke_by_client[0], 0);
  EXPECT_GE(invoke_by_client[1], 30'000'000);
  EXPECT_GE(invoke_by_client[2], 60'000'000);
  // And not all at once: client 2 goes out after client 0 by most of its stagger.
  EXPECT_GT(invoke_by_client[2] - invoke_by_client[0], 30'000'000);
}

TEST(ExecutorITest, ClientsRunTheirOpsInOrderClosedLoop) {
  TestServer server;
  TestProtocol protocol(server.base_url());
  Executor executor;
  Scenario scenario;
  for (int c = 0; c < 4; ++c) {
    ClientProgram p;
    for (int i = 0; i < 5; ++i) p.ops.push_back(make_op("echo", {{"client", c}, {"i", i}}));
    scenario.clients.push_back(p);
  }
  MemorySink history;
  const ExecutorResult result = executor.run(scenario, protocol, history);
  EXPECT_EQ(result.ok, 20);
  EXPECT_EQ(result.latencies_ns.size(), 20u);
  const PairingResult paired = pair_operations(history.events());
  EXPECT_TRUE(paired.problems.empty());
  std::map<std::int64_t, int> next_i;
  for (const auto& e : of_type(history.events(), EventType::Invoke)) {
    EXPECT_EQ(e.value.at("i"), next_i[e.process]++) << "client " << e.process;
  }
}

// --- killed mid-run: the child half runs before main() when the env var is set.

constexpr const char* kChildEnv = "RACECHECK_EXEC_ITEST_KILL_CHILD";

int run_kill_child_if_requested() {
  const char* spec = std::getenv(kChildEnv);
  if (spec == nullptr) return 0;
  const std::string s(spec);
  const auto colon = s.find(':');
  const std::string port = s.substr(0, colon);
  const std::string path = s.substr(colon + 1);
  TestProtocol protocol("http://127.0.0.1:" + port);
  Scenario scenario;
  for (int c = 0; c < 4; ++c) {
    ClientProgram p;
    // Thousands of round trips: seconds of work, killed after 200 events. (A
    // larger scenario takes longer to build under ASan than the parent waits.)
    for (int i = 0; i < 10000; ++i) p.ops.push_back(make_op("echo", {{"client", c}, {"i", i}}));
    scenario.clients.push_back(p);
  }
  {
    JsonlFileSink sink(path);
    Executor executor;
    executor.run(scenario, protocol, sink);  // long enough to be killed first
  }
  _exit(0);
}
const int kill_child_mode = run_kill_child_if_requested();

TEST(ExecutorITest, HistoryFileStaysValidJsonlWhenKilledMidRun) {
  TestServer server;
  const std::string path = ::testing::TempDir() + "racecheck_killed_" + std::to_string(getpid()) + ".jsonl";
  const std::string env = std::string(kChildEnv) + "=" + std::to_string(server.port) + ":" + path;
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
  envp.push_back(const_cast<char*>(env.c_str()));
  envp.push_back(nullptr);
  char self[] = "/proc/self/exe";
  char* argv[] = {self, nullptr};
  pid_t child = 0;
  ASSERT_EQ(posix_spawn(&child, "/proc/self/exe", nullptr, nullptr, argv, envp.data()), 0);

  // Kill it once it has written a good number of events (bounded wait).
  std::string text;
  for (int i = 0; i < 500 * kSlowdown; ++i) {
    std::this_thread::sleep_for(20ms);
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
    if (std::count(text.begin(), text.end(), '\n') >= 200) break;
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));

  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  text = buffer.str();
  std::remove(path.c_str());
  ASSERT_GE(std::count(text.begin(), text.end(), '\n'), 200);
  ParsedHistory parsed;
  ASSERT_NO_THROW(parsed = parse_history_jsonl(text));
  EXPECT_GE(parsed.events.size(), 200u);
  std::int64_t expected_index = 0;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (lines.eof()) break;  // the last piece had no '\n': allowed to be partial
    const json j = json::parse(line);
    EXPECT_EQ(j.at("index"), expected_index++);
  }
  const PairingResult paired = pair_operations(parsed.events);
  EXPECT_TRUE(paired.problems.empty());
}

}  // namespace
}  // namespace racecheck
