// Every model from `racecheck run`: a TrialRunner drives register, counter, kv
// and set specs against a small linearizable in-memory server on loopback, and
// each trial is checked (not "not checked"): the history records the model's
// operations (with the spec's name in "op" where "as" renames one), the kv key
// field carries the resource's id, and only models with an initial state get
// "open" ops.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "harness/spec.h"
#include "harness/trial.h"
#include "tests/harness/httplib_test_server.h"

namespace racecheck {
namespace {

// One register, one counter, one set and a map of keys, each behind one mutex
// (so every operation is atomic: linearizable).
class ModelServer {
 public:
  ModelServer() {
    server_.Post("/reset", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      register_ = nullptr;
      counter_ = 0;
      set_.clear();
      kv_.clear();
      res.status = 204;
    });
    server_.Put("/register", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      register_ = json::parse(req.body).at("value");
      res.set_content("{}", "application/json");
    });
    server_.Get("/register", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      res.set_content(json({{"value", register_}}).dump(), "application/json");
    });
    server_.Post("/counter/increment", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      ++counter_;
      res.set_content("{}", "application/json");
    });
    server_.Get("/counter", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      res.set_content(json({{"count", counter_}}).dump(), "application/json");
    });
    server_.Put(R"(/kv/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      kv_[req.matches[1]] = json::parse(req.body).at("value").dump();  // stored as text
      res.set_content("{}", "application/json");
    });
    server_.Get(R"(/kv/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = kv_.find(req.matches[1]);
      res.set_content(json({{"value", it == kv_.end() ? json() : json(it->second)}}).dump(), "application/json");
    });
    server_.Post("/set/add", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      set_.insert(json::parse(req.body).at("value").get<int>());
      res.set_content("{}", "application/json");
    });
    server_.Get("/set", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      json items = json::array();
      for (auto it = set_.rbegin(); it != set_.rend(); ++it) items.push_back(*it);  // any order will do
      res.set_content(json({{"items", items}}).dump(), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_.emplace(server_, port_);
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~ModelServer() { thread_.reset(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::optional<test::ServerThread> thread_;
  std::mutex mu_;
  json register_;
  std::int64_t counter_ = 0;
  std::set<int> set_;
  std::map<std::string, std::string> kv_;
};

const json kOk = json::array({{{"status", 200}, {"outcome", "ok"}}});

json spec_of(const std::string& url, const std::string& model, json operations, json extra = json::object()) {
  json spec = {{"base_urls", {url}},
               {"setup", {{{"method", "POST"}, {"path", "/reset"}, {"expect_status", 204}}}},
               {"operations", std::move(operations)},
               {"model", model}};
  spec.update(extra);
  return spec;
}

json op(const std::string& method, const std::string& path, json extra = json::object()) {
  json o = {{"method", method}, {"path", path}, {"classify", kOk}, {"idempotency", "none"}};
  o.update(extra);
  return o;
}

// Two clients, each doing `first` then `second`, sent as a burst.
Scenario two_clients(const ScenarioOp& first, const ScenarioOp& second) {
  Scenario s;
  s.clients.resize(2);
  for (auto& c : s.clients) c.ops = {first, second};
  return s;
}

ScenarioOp scenario_op(const std::string& f, json args = json::object()) {
  ScenarioOp o;
  o.f = f;
  o.args = std::move(args);
  return o;
}

TrialEvidence run_once(const json& spec_json, const Scenario& scenario) {
  TrialRunner runner(parse_spec(spec_json, "models.json"), 7, 5000, "");
  return runner.run(scenario);
}

// Linearizability judged the trial and passed it; nothing was inconclusive.
void expect_checked_pass(const TrialEvidence& t) {
  bool linearizable = false;
  for (const auto& v : t.report.verdicts) {
    EXPECT_TRUE(v.status == Status::Pass || v.status == Status::Skipped) << v.invariant << ": " << v.summary;
    linearizable = linearizable || (v.invariant == "linearizability" && v.status == Status::Pass);
  }
  EXPECT_TRUE(linearizable);
}

TEST(ModelsFromRun, RegisterWithoutAccountsIsCheckedAndHasNoOpenOps) {
  ModelServer server;
  json spec = spec_of(server.url(), "register",
                      {{"write", op("PUT", "/register", {{"body", {{"value", "{value}"}}}})},
                       {"read", op("GET", "/register", {{"extract", {{"value", "/value"}}}})}});
  const TrialEvidence t = run_once(spec, two_clients(scenario_op("write", {{"value", 5}}), scenario_op("read")));
  expect_checked_pass(t);
  int final_reads = 0;
  for (const auto& e : t.events) {
    EXPECT_NE(e.f, "open");
    final_reads += e.process == kFinalReadProcess && e.type == EventType::Ok;
  }
  EXPECT_EQ(final_reads, 1);
}

TEST(ModelsFromRun, CounterIsCheckedWithASeparateReadRecordedAsRead) {
  ModelServer server;
  json spec = spec_of(server.url(), "counter",
                      {{"increment", op("POST", "/counter/increment")},
                       {"count", op("GET", "/counter", {{"as", "read"}, {"extract", {{"value", "/count"}}}})}},
                      {{"final_read", {{"operation", "count"}}}});
  const TrialEvidence t = run_once(spec, two_clients(scenario_op("increment"), scenario_op("count")));
  expect_checked_pass(t);
  bool renamed = false;
  for (const auto& e : t.events) {
    EXPECT_NE(e.f, "count");
    renamed = renamed || (e.f == "read" && e.op == "count");
  }
  EXPECT_TRUE(renamed);
  // The final read saw both increments.
  EXPECT_EQ(t.events.back().value.value("value", -1), 2);
}

TEST(ModelsFromRun, KvOpsCarryTheResourceIdAsTheirKey) {
  ModelServer server;
  json spec = spec_of(server.url(), "kv",
                      {{"put", op("PUT", "/kv/{resource}", {{"body", {{"value", "{value}"}}}})},
                       {"get", op("GET", "/kv/{resource}", {{"extract", {{"value", "/value"}}}})}},
                      {{"accounts", {{"id", "k{index}"}, {"count", 2}}}, {"final_read", {{"operation", "get"}}}});
  const TrialEvidence t =
      run_once(spec, two_clients(scenario_op("put", {{"account", 1}, {"value", 3}}), scenario_op("get", {{"account", 1}})));
  expect_checked_pass(t);
  std::set<std::string> keys;
  for (const auto& e : t.events)
    if (e.value.contains("key")) keys.insert(e.value["key"].get<std::string>());
  EXPECT_EQ(keys, (std::set<std::string>{"k0", "k1"}));  // k0 from its final read
}

TEST(ModelsFromRun, SetReadsInAnyOrderPass) {
  ModelServer server;
  json spec = spec_of(server.url(), "set",
                      {{"add", op("POST", "/set/add", {{"body", {{"value", "{value}"}}}})},
                       {"read", op("GET", "/set", {{"extract", {{"value", "/items"}}}})}});
  const TrialEvidence t = run_once(spec, two_clients(scenario_op("add", {{"value", 1}}), scenario_op("add", {{"value", 2}})));
  expect_checked_pass(t);
  EXPECT_EQ(t.events.back().f, "read");
  EXPECT_EQ(t.events.back().value.at("value"), json::array({2, 1}));
}

}  // namespace
}  // namespace racecheck
