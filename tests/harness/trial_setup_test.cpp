// Setup and final read against a local cpp-httplib server (127.0.0.1, port 0).
#include <atomic>
#include <chrono>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "harness/history_writer.h"
#include "harness/trial_setup.h"
#include "tests/harness/httplib_test_server.h"
#include "tests/harness/refusing_port.h"

namespace racecheck {
namespace {

// A tiny bank with a reset that hands out a tenant. Knobs make it misbehave.
class FakeBank {
 public:
  FakeBank() {
    server_.Post("/reset", [this](const httplib::Request& req, httplib::Response& res) {
      ++resets;
      {
        std::lock_guard<std::mutex> lock(mu_);
        last_authorization_ = req.get_header_value("Authorization");
      }
      res.status = reset_status.load();
      res.set_content(R"({"tenant": "t1"})", "application/json");
    });
    server_.Post("/t/t1/accounts", [this](const httplib::Request& req, httplib::Response& res) {
      json body = json::parse(req.body, nullptr, false);
      std::lock_guard<std::mutex> lock(mu_);
      std::string id = "acc-" + std::to_string(accounts_.size() + 1);
      std::int64_t balance = body.value("balance", 0) + balance_bonus.load();
      accounts_[id] = balance;
      labels_.push_back(body.value("label", ""));
      res.status = 201;
      json out = {{"balance", balance}};
      if (opening_beyond_int64) out["balance"] = std::numeric_limits<std::uint64_t>::max();
      if (!omit_id) out["id"] = id;
      res.set_content(out.dump(), "application/json");
    });
    server_.Get(R"(/t/t1/accounts/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      std::string id = req.matches[1];
      if (id == broken_account_) {
        res.status = 500;
        res.set_content("boom", "text/plain");
        return;
      }
      auto it = accounts_.find(id);
      if (it == accounts_.end()) {
        res.status = 404;
        res.set_content(R"({"error": "no_such_account"})", "application/json");
        return;
      }
      res.status = 200;
      res.set_content(json({{"id", id}, {"balance", it->second}}).dump(), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_.emplace(server_, port_);
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~FakeBank() { thread_.reset(); }  // stops the server promptly (tests/harness/httplib_test_server.h)
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void set_balance(const std::string& id, std::int64_t b) {
    std::lock_guard<std::mutex> lock(mu_);
    accounts_[id] = b;
  }

  std::atomic<int> resets{0};
  std::atomic<int> reset_status{200};
  std::atomic<std::int64_t> balance_bonus{0};
  std::atomic<bool> omit_id{false};
  std::atomic<bool> opening_beyond_int64{false};  // the created account's balance is 2^64-1
  // Shared with the server thread: behind mu_ (TSan cannot see the socket round trip as a sync).
  void set_broken_account(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    broken_account_ = id;
  }
  std::string last_authorization() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_authorization_;
  }
  std::vector<std::string> labels() {
    std::lock_guard<std::mutex> lock(mu_);
    return labels_;
  }

 private:
  httplib::Server server_;
  std::optional<test::ServerThread> thread_;
  int port_ = 0;
  std::mutex mu_;
  std::map<std::string, std::int64_t> accounts_;
  std::string broken_account_;
  std::string last_authorization_;
  std::vector<std::string> labels_;
};

json bank_spec(const std::string& url) {
  json j = json::parse(R"({
    "base_urls": ["URL"],
    "request": {"timeout_ms": 2000},
    "secrets": {"token": {"env": "RACECHECK_SETUP_TEST_TOKEN"}},
    "setup": [{"name": "reset", "method": "POST", "path": "/reset",
               "headers": {"Authorization": "Bearer {secret:token}"},
               "expect_status": 200, "capture": {"tenant": "/tenant"}}],
    "accounts": {
      "initial_balance": 100,
      "setup": [{"name": "create", "method": "POST", "path": "/t/{tenant}/accounts",
                 "body": {"balance": "{initial_balance}", "label": "a{index}"},
                 "expect_status": 201, "capture": {"id": "/id", "opening": "/balance"}}],
      "id": "{id}"
    },
    "operations": {
      "read": {"method": "GET", "path": "/t/{tenant}/accounts/{account}",
               "classify": [{"status": 200, "outcome": "ok"}, {"status": 404, "outcome": "fail", "error": "no-such-account"},
                            {"status": "5xx", "outcome": "info", "error": "server-error"}],
               "extract": {"balance": "/balance"}}
    },
    "model": "account"
  })");
  j["base_urls"] = {url};
  return j;
}

class TrialSetupTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv("RACECHECK_SETUP_TEST_TOKEN", "tok-123", 1); }
  FakeBank bank;
};

TEST_F(TrialSetupTest, CapturesVariablesAndRecordsOpenOps) {
  Spec spec = parse_spec(bank_spec(bank.url()), "bank.json");
  MemorySink sink;
  SequentialOptions options;
  options.process = -1;
  TrialSetupResult r = run_trial_setup(spec, 3, &sink, options, {100, 0, 7});
  EXPECT_EQ(bank.resets.load(), 1);
  EXPECT_EQ(bank.last_authorization(), "Bearer tok-123");
  EXPECT_EQ(r.variables.variables, json({{"tenant", "t1"}}));
  EXPECT_EQ(r.variables.account_ids, (std::vector<json>{"acc-1", "acc-2", "acc-3"}));
  EXPECT_EQ(r.initial_balances, (std::vector<std::int64_t>{100, 0, 7}));
  EXPECT_EQ(r.account_variables[2], json({{"id", "acc-3"}, {"opening", 7}}));
  EXPECT_EQ(bank.labels(), (std::vector<std::string>{"a0", "a1", "a2"}));

  const auto& events = sink.events();
  ASSERT_EQ(events.size(), 6u);
  for (int a = 0; a < 3; ++a) {
    const Event& invoke = events[2 * a];
    const Event& ok = events[2 * a + 1];
    EXPECT_EQ(invoke.type, EventType::Invoke);
    EXPECT_EQ(ok.type, EventType::Ok);
    EXPECT_EQ(invoke.f, "open");
    EXPECT_EQ(invoke.process, -1);
    EXPECT_EQ(invoke.value, json({{"account", a}, {"balance", r.initial_balances[a]}}));
    EXPECT_EQ(ok.value, invoke.value);
    EXPECT_LE(invoke.time_ns, ok.time_ns);
    EXPECT_GE(invoke.time_ns, 0);
  }
  EXPECT_EQ(pair_operations(events).problems.size(), 0u);
}

TEST_F(TrialSetupTest, BalanceVariableWinsOverTheRequestedBalance) {
  json j = bank_spec(bank.url());
  j["accounts"]["balance_variable"] = "opening";
  Spec spec = parse_spec(j, "bank.json");
  bank.balance_bonus = 5;  // the server opens accounts with 5 more than asked
  TrialSetupResult r = run_trial_setup(spec, 2, nullptr);
  EXPECT_EQ(r.initial_balances, (std::vector<std::int64_t>{105, 105}));
}

// 2^64-1 must not become the balance -1 (a false overdraft, a false lost update).
TEST_F(TrialSetupTest, CapturedBalanceBeyondInt64IsASetupError) {
  json j = bank_spec(bank.url());
  j["accounts"]["balance_variable"] = "opening";
  Spec spec = parse_spec(j, "bank.json");
  bank.opening_beyond_int64 = true;
  try {
    run_trial_setup(spec, 1, nullptr);
    FAIL() << "a balance of 2^64-1 was accepted";
  } catch (const SetupError& e) {
    EXPECT_NE(e.problem.find("18446744073709551615, beyond a 64-bit signed balance"), std::string::npos) << e.what();
  }
}

TEST_F(TrialSetupTest, UnexpectedStatusIsASetupErrorNamingUrlAndStatus) {
  Spec spec = parse_spec(bank_spec(bank.url()), "bank.json");
  bank.reset_status = 503;
  try {
    run_trial_setup(spec, 1, nullptr);
    FAIL();
  } catch (const SetupError& e) {
    EXPECT_EQ(e.step, "setup #0 (reset)");
    EXPECT_EQ(e.url, "POST " + bank.url() + "/reset");
    EXPECT_NE(e.problem.find("status 503 (expected 200)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(bank.url() + "/reset"), std::string::npos);
  }
}

TEST_F(TrialSetupTest, MissingCaptureIsASetupError) {
  Spec spec = parse_spec(bank_spec(bank.url()), "bank.json");
  bank.omit_id = true;
  try {
    run_trial_setup(spec, 1, nullptr);
    FAIL();
  } catch (const SetupError& e) {
    EXPECT_EQ(e.step, "account 0 setup #0 (create)");
    EXPECT_NE(e.problem.find("no /id in the response to capture as {id}"), std::string::npos) << e.what();
  }
}

TEST_F(TrialSetupTest, UnreachableTargetIsASetupError) {
  test::RefusingPort port;
  Spec spec = parse_spec(bank_spec(port.base_url()), "bank.json");
  try {
    run_trial_setup(spec, 1, nullptr);
    FAIL();
  } catch (const SetupError& e) {
    EXPECT_EQ(e.step, "setup #0 (reset)");
    EXPECT_NE(e.problem.find("connection refused"), std::string::npos) << e.problem;
    EXPECT_EQ(e.problem.find("tok-123"), std::string::npos);
  }
}

TEST_F(TrialSetupTest, SecretsAreMaskedInErrors) {
  json j = bank_spec(bank.url());
  j["setup"][0]["path"] = "/reset/{secret:token}";  // no such route: 404
  Spec spec = parse_spec(j, "bank.json");
  try {
    run_trial_setup(spec, 1, nullptr);
    FAIL();
  } catch (const SetupError& e) {
    EXPECT_EQ(std::string(e.what()).find("tok-123"), std::string::npos) << e.what();
    EXPECT_NE(e.url.find("[secret]"), std::string::npos) << e.what();
  }
}

TEST_F(TrialSetupTest, FinalReadRecordsReadOpsAndBalances) {
  Spec spec = parse_spec(bank_spec(bank.url()), "bank.json");
  MemorySink sink;
  TrialSetupResult setup = run_trial_setup(spec, 3, &sink);
  bank.set_balance("acc-1", 40);
  bank.set_broken_account("acc-3");
  SpecProtocol protocol(spec, setup.variables);
  FinalReadResult r = run_final_read(spec, protocol, 3, &sink);
  ASSERT_EQ(r.balances.size(), 3u);
  EXPECT_EQ(r.balances[0], 40);
  EXPECT_EQ(r.balances[1], 100);
  EXPECT_FALSE(r.balances[2].has_value());
  EXPECT_FALSE(r.complete());
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("account 2"), std::string::npos) << r.problems[0];
  EXPECT_NE(r.problems[0].find("server-error"), std::string::npos) << r.problems[0];

  const auto& events = sink.events();
  ASSERT_EQ(events.size(), 12u);  // 3 open pairs, 3 read pairs
  const Event& read0 = events[7];
  EXPECT_EQ(events[6].type, EventType::Invoke);
  EXPECT_EQ(events[6].f, "read");
  EXPECT_EQ(events[6].value, json({{"account", 0}}));
  EXPECT_EQ(read0.type, EventType::Ok);
  EXPECT_EQ(read0.status, 200);
  EXPECT_EQ(read0.value, json({{"account", 0}, {"balance", 40}}));
  const Event& read2 = events[11];
  EXPECT_EQ(read2.type, EventType::Info);
  EXPECT_EQ(read2.error, "server-error");
  EXPECT_EQ(read2.status, 500);
  EXPECT_EQ(read2.body, "boom");
  PairingResult paired = pair_operations(events);
  EXPECT_TRUE(paired.problems.empty());
  EXPECT_EQ(paired.ops.size(), 6u);
}

TEST_F(TrialSetupTest, FinalReadOfAnUnreachableTargetIsInfo) {
  Spec spec = parse_spec(bank_spec(bank.url()), "bank.json");
  TrialSetupResult setup = run_trial_setup(spec, 1, nullptr);
  test::RefusingPort port;
  override_base_urls(spec, {port.base_url()});
  SpecProtocol protocol(spec, setup.variables);
  MemorySink sink;
  FinalReadResult r = run_final_read(spec, protocol, 1, &sink);
  EXPECT_FALSE(r.complete());
  ASSERT_EQ(sink.events().size(), 2u);
  EXPECT_EQ(sink.events()[1].type, EventType::Info);
  EXPECT_EQ(sink.events()[1].status, 0);
  // The executor's label for the same failure (harness/http_request.h), not a sentence.
  EXPECT_EQ(sink.events()[1].error, "connection-refused");
  EXPECT_FALSE(sink.events()[1].error.empty());
}

}  // namespace
}  // namespace racecheck
