// Multi-request operations against a versioned key-value server on loopback
// (cpp-httplib started in the test): captures (body and ETag header), the
// guard, conflict re-runs, lost responses and retries, a burst of CAS writers,
// each recorded as one logical op with its steps.
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include "harness/executor.h"
#include "harness/history_writer.h"
#include "harness/spec_protocol.h"
#include "tests/harness/httplib_test_server.h"

namespace racecheck {
namespace {

// GET /kv/k -> {"value": V}, ETag "<version>"; PUT /kv/k If-Match: checked and
// written under one lock (412 on a mismatch). The first `forced_conflicts` PUTs
// answer 412 whatever the version.
class KvServer {
 public:
  explicit KvServer(int forced_conflicts) : forced_conflicts_(forced_conflicts) {
    server_.new_task_queue = [] { return new httplib::ThreadPool(32); };
    server_.Get("/kv/k", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      keys_seen_.push_back(req.get_header_value("Idempotency-Key"));
      res.set_header("ETag", "\"" + std::to_string(version_) + "\"");
      res.set_content(json{{"value", value_}}.dump(), "application/json");
    });
    server_.Put("/kv/k", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      keys_seen_.push_back(req.get_header_value("Idempotency-Key"));
      ++puts_;
      const std::string expected = "\"" + std::to_string(version_) + "\"";
      if (forced_conflicts_ > 0 || req.get_header_value("If-Match") != expected) {
        --forced_conflicts_;
        res.status = 412;
        res.set_content(R"({"error":"precondition_failed"})", "application/json");
        return;
      }
      value_ = json::parse(req.body).at("value").get<std::int64_t>();
      ++version_;
      res.set_content(json{{"value", value_}}.dump(), "application/json");
    });
    port = server_.bind_to_any_port("127.0.0.1");
    thread_.emplace(server_, port);
    for (int i = 0; i < 200 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  std::int64_t value() {
    std::lock_guard lock(mutex_);
    return value_;
  }
  int puts() {
    std::lock_guard lock(mutex_);
    return puts_;
  }
  std::vector<std::string> keys_seen() {
    std::lock_guard lock(mutex_);
    return keys_seen_;
  }

  int port = 0;

 private:
  std::mutex mutex_;
  std::int64_t value_ = 100;
  int version_ = 1;
  int forced_conflicts_;
  int puts_ = 0;
  std::vector<std::string> keys_seen_;
  httplib::Server server_;
  std::optional<test::ServerThread> thread_;
};

Spec kv_spec(int port, int max_conflict_attempts) {
  json spec = json::parse(R"({
    "base_urls": ["http://127.0.0.1:1"],
    "operations": {
      "withdraw": {
        "steps": [
          {"method": "GET", "path": "/kv/{account}", "capture": {"balance": "/value", "etag": {"header": "etag"}}},
          {"refuse_if": {"less": ["{balance}", "{amount}"]}, "error": "insufficient-funds"},
          {"method": "PUT", "path": "/kv/{account}", "headers": {"If-Match": "{etag}"},
           "body": {"value": "{balance-amount}"}}
        ],
        "conflict": {"status": [412]},
        "classify": [{"status": 200, "outcome": "ok"}, {"status": 412, "outcome": "fail", "error": "conflict"}],
        "extract": {"balance": "/value"}
      },
      "read": {"method": "GET", "path": "/kv/{account}", "classify": [{"status": 200, "outcome": "ok"}],
               "extract": {"balance": "/value"}}
    }
  })");
  spec["base_urls"][0] = "http://127.0.0.1:" + std::to_string(port);
  spec["operations"]["withdraw"]["conflict"]["max_attempts"] = max_conflict_attempts;
  return parse_spec(spec, "kv.json");
}

ScenarioOp withdraw(int amount, const std::string& key = "") {
  ScenarioOp op;
  op.f = "withdraw";
  op.args = {{"account", 0}, {"amount", amount}};
  op.key = key;
  return op;
}

std::vector<Event> run_ops(KvServer& server, int max_conflict_attempts, const std::vector<ScenarioOp>& ops,
                           Release release = Release::Staggered) {
  TrialVariables variables;
  variables.account_ids = {json("k")};
  SpecProtocol protocol(kv_spec(server.port, max_conflict_attempts), variables);
  Scenario scenario;
  scenario.release = release;
  for (const ScenarioOp& op : ops) scenario.clients.push_back(ClientProgram{{op}, -1});
  Executor executor;
  MemorySink sink;
  executor.run(scenario, protocol, sink);
  return sink.take_events();
}

const Event& completion(const std::vector<Event>& events) {
  for (const Event& e : events)
    if (e.type != EventType::Invoke) return e;
  throw std::runtime_error("no completion");
}

TEST(OpSteps, ReadCheckWriteIsOneOpWithItsSteps) {
  KvServer server(0);
  const std::vector<Event> events = run_ops(server, 3, {withdraw(30, "same-key")});
  ASSERT_EQ(events.size(), 2u);  // one invoke, one completion
  EXPECT_EQ(events[0].type, EventType::Invoke);
  const Event& done = completion(events);
  EXPECT_EQ(done.type, EventType::Ok) << done.error;
  EXPECT_EQ(done.value["balance"], 70);  // extract judges the last step's response
  EXPECT_EQ(server.value(), 70);
  ASSERT_TRUE(done.steps.is_array());
  ASSERT_EQ(done.steps.size(), 2u);
  EXPECT_EQ(done.steps[0]["method"], "GET");
  EXPECT_EQ(done.steps[0]["path"], "/kv/k");
  EXPECT_EQ(done.steps[0]["status"], 200);
  EXPECT_EQ(done.steps[1]["method"], "PUT");
  EXPECT_EQ(done.steps[1]["status"], 200);
  // The invoke is the first request's send; the steps follow each other in time.
  EXPECT_EQ(events[0].sent_ns, done.steps[0]["sent_ns"].get<std::int64_t>());
  EXPECT_LE(done.steps[0]["done_ns"].get<std::int64_t>(), done.steps[1]["sent_ns"].get<std::int64_t>());
  EXPECT_LE(done.steps[1]["done_ns"].get<std::int64_t>(), done.time_ns);
  // Every step of the logical op carries the same idempotency key.
  EXPECT_EQ(server.keys_seen(), (std::vector<std::string>{"same-key", "same-key"}));
}

TEST(OpSteps, ConflictReRunsTheSequenceFromTheFirstStep) {
  KvServer server(2);
  const Event done = completion(run_ops(server, 3, {withdraw(10)}));
  EXPECT_EQ(done.type, EventType::Ok) << done.error;
  ASSERT_EQ(done.steps.size(), 6u);
  const std::vector<int> statuses = {200, 412, 200, 412, 200, 200};
  const std::vector<int> rounds = {1, 1, 2, 2, 3, 3};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(done.steps[i]["status"], statuses[i]) << i;
    EXPECT_EQ(done.steps[i]["round"], rounds[i]) << i;
  }
  EXPECT_EQ(server.value(), 90);
}

TEST(OpSteps, ConflictAttemptsRunOutAndClassifyJudgesTheLastResponse) {
  KvServer server(10);
  const Event done = completion(run_ops(server, 2, {withdraw(10)}));
  EXPECT_EQ(done.type, EventType::Fail);
  EXPECT_EQ(done.error, "conflict");
  EXPECT_EQ(done.status, 412);
  EXPECT_EQ(done.steps.size(), 4u);
  EXPECT_EQ(server.value(), 100);
}

TEST(OpSteps, GuardRefusesWithoutSendingTheWrite) {
  KvServer server(0);
  const Event done = completion(run_ops(server, 3, {withdraw(500)}));
  EXPECT_EQ(done.type, EventType::Fail);
  EXPECT_EQ(done.error, "insufficient-funds");
  ASSERT_EQ(done.steps.size(), 1u);
  EXPECT_EQ(done.steps[0]["method"], "GET");
  EXPECT_EQ(server.puts(), 0);
  EXPECT_EQ(server.value(), 100);
}

TEST(OpSteps, LostResponseAppliesToTheFinalStepAndTheRetryReRunsTheSequence) {
  KvServer server(0);
  ScenarioOp op = withdraw(30, "lost");
  op.lose_response = true;
  op.max_attempts = 2;
  const std::vector<Event> events = run_ops(server, 3, {op});
  ASSERT_EQ(events.size(), 4u);  // two attempts: invoke + completion each
  EXPECT_EQ(events[1].type, EventType::Info);
  EXPECT_EQ(events[1].error, "lost-response");
  ASSERT_EQ(events[1].steps.size(), 2u);
  EXPECT_EQ(events[1].steps[0]["status"], 200);  // the GET's response was seen
  EXPECT_EQ(events[1].steps[1]["status"], 0);    // the PUT's was lost
  EXPECT_EQ(events[1].steps[1]["error"], "lost-response");
  EXPECT_EQ(events[3].type, EventType::Ok) << events[3].error;
  EXPECT_EQ(events[3].attempt, 2);
  // The lost PUT took effect; the retry read the new balance and withdrew again.
  EXPECT_EQ(server.value(), 40);
}

TEST(OpSteps, BurstOfCasWritersLosesNoUpdate) {
  KvServer server(0);
  std::vector<ScenarioOp> ops(6, withdraw(10));
  const std::vector<Event> events = run_ops(server, 20, ops, Release::Burst);
  ASSERT_EQ(events.size(), 12u);
  int ok = 0;
  for (const Event& e : events) ok += e.type == EventType::Ok ? 1 : 0;
  EXPECT_EQ(ok, 6);
  EXPECT_EQ(server.value(), 100 - 6 * 10);
}

}  // namespace
}  // namespace racecheck
