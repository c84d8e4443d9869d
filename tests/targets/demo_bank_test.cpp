// The demo bank in-process: each mode shows (or provably avoids) its bug under
// real concurrent HTTP requests. Every loop is bounded in tries and time.
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "targets/demo/bank.h"
#include "tests/targets/demo_http.h"

namespace racecheck::demo {
namespace {

using testing::BankClient;
using testing::burst;
using testing::Reply;

std::unique_ptr<DemoBank> started(DemoBankConfig config) {
  auto bank = std::make_unique<DemoBank>(config);
  bank->start();
  return bank;
}

TEST(DemoBankModes, ParsesAndNamesEveryMode) {
  for (const char* name : {"racy", "safe"}) EXPECT_EQ(to_string(parse_balance_mode(name)), name);
  for (const char* name : {"none", "racy-cache", "correct"}) {
    EXPECT_EQ(to_string(parse_idempotency_mode(name)), name);
  }
  EXPECT_THROW(parse_balance_mode("fast"), std::invalid_argument);
  EXPECT_THROW(parse_idempotency_mode("racy_cache"), std::invalid_argument);
}

TEST(DemoBankLifecycle, StartsOnAFreePortAndServesHealth) {
  auto bank = started({});
  EXPECT_GT(bank->port(), 0);
  EXPECT_EQ(bank->base_url(), "http://127.0.0.1:" + std::to_string(bank->port()));
  BankClient client(bank->port());
  Reply health = client.get("/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json(), nlohmann::json({{"ok", true}}));
}

TEST(DemoBankLifecycle, StartThrowsWhenThePortIsTaken) {
  auto first = started({});
  DemoBank second({});
  try {
    second.start("127.0.0.1", first->port());
    FAIL() << "second bank bound a port that is in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(first->port())), std::string::npos)
        << e.what();
  }
}

TEST(DemoBankLifecycle, StopReturnsPromptlyWithIdleKeepAliveConnections) {
  auto bank = started({});
  std::vector<std::unique_ptr<BankClient>> idle;
  for (int i = 0; i < 16; ++i) {
    idle.push_back(std::make_unique<BankClient>(bank->port()));
    ASSERT_EQ(idle.back()->get("/health").status, 200);
  }
  // httplib's keep-alive timeout is 5 s: without closing idle connections,
  // stop() would wait that long.
  const auto begin = std::chrono::steady_clock::now();
  bank->stop();
  const auto took = std::chrono::steady_clock::now() - begin;
  EXPECT_LT(took, std::chrono::milliseconds(3000));  // ~50 ms unloaded; generous for sanitizers
  bank->stop();  // idempotent
}

TEST(DemoBankLifecycle, Holds256ConcurrentKeepAliveConnections) {
  auto bank = started({});
  std::vector<std::unique_ptr<BankClient>> clients;
  // Each connection stays open (and occupies a server thread) while the next
  // ones are opened; with httplib's default pool the later ones would stall.
  for (int i = 0; i < 256; ++i) {
    clients.push_back(std::make_unique<BankClient>(bank->port()));
    ASSERT_EQ(clients.back()->get("/health").status, 200) << "connection " << i;
  }
  for (int i = 0; i < 256; ++i) {
    ASSERT_EQ(clients[i]->get("/health").status, 200) << "reused connection " << i;
  }
  bank->stop();
}

TEST(DemoBankApi, AccountLifecycleAndShapes) {
  auto bank = started({.balance = BalanceMode::Safe, .race_window_us = 0, .work_us = 0});
  BankClient client(bank->port());
  Reply created = client.post("/accounts", R"({"balance": 100})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];
  EXPECT_EQ(created.json(), nlohmann::json({{"id", id}, {"balance", 100}}));
  EXPECT_EQ(client.get("/accounts/" + id).json(), nlohmann::json({{"id", id}, {"balance", 100}}));

  Reply withdrawn = client.withdraw(id, 30);
  ASSERT_EQ(withdrawn.status, 200);
  nlohmann::json body = withdrawn.json();
  EXPECT_EQ(body["id"], id);
  EXPECT_EQ(body["balance"], 70);
  EXPECT_EQ(body["amount"], 30);
  EXPECT_TRUE(body["request_id"].is_string());
  EXPECT_TRUE(body["processed_at_ns"].is_number_integer());

  Reply deposited = client.deposit(id, 5);
  ASSERT_EQ(deposited.status, 200);
  EXPECT_EQ(deposited.json()["balance"], 75);
  EXPECT_NE(deposited.json()["request_id"], body["request_id"]);

  Reply refused = client.withdraw(id, 76);
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.json(), nlohmann::json({{"error", "insufficient_funds"}, {"balance", 75}}));

  EXPECT_EQ(client.get("/accounts/acc-999").status, 404);
  EXPECT_EQ(client.withdraw("acc-999", 1).json(), nlohmann::json({{"error", "no_such_account"}}));
  EXPECT_EQ(client.get("/no/such/route").status, 404);

  nlohmann::json stats = client.stats();
  EXPECT_EQ(stats["withdraw_executions"], 2);  // the refusal was executed too
  EXPECT_EQ(stats["deposit_executions"], 1);
}

TEST(DemoBankApi, BadInputsGet400WithADetailNamingTheField) {
  auto bank = started({.work_us = 0});
  BankClient client(bank->port());
  const std::string id = client.create_account(100);
  struct Case {
    std::string body;
    std::string detail_contains;
  };
  const std::vector<Case> cases = {
      {R"({})", "/amount is missing"},
      {R"({"amount": -5})", "/amount must not be negative"},
      {R"({"amount": 2.5})", "/amount must be an integer"},
      {R"({"amount": "10"})", "/amount must be an integer"},
      {R"({"amount": null})", "/amount must be an integer"},
      {R"({"amount": 10000000000000000})", "/amount must be at most"},
      {R"({"amount": 1)", "not valid JSON"},
      {"", "not valid JSON"},
      {R"([1])", "must be a JSON object"},
  };
  for (const char* operation : {"withdraw", "deposit"}) {
    for (const Case& c : cases) {
      Reply reply = client.post("/accounts/" + id + "/" + operation, c.body);
      EXPECT_EQ(reply.status, 400) << operation << " " << c.body;
      nlohmann::json body = reply.json();
      EXPECT_EQ(body.value("error", ""), "bad_request") << c.body;
      EXPECT_NE(body.value("detail", "").find(c.detail_contains), std::string::npos)
          << c.body << " -> " << reply.body;
    }
  }
  Reply bad_account = client.post("/accounts", R"({"balance": -1})");
  EXPECT_EQ(bad_account.status, 400);
  EXPECT_NE(bad_account.body.find("/balance must not be negative"), std::string::npos);
  EXPECT_EQ(client.balance(id), 100);
  EXPECT_EQ(client.stats()["withdraw_executions"], 0);
}

// ---- balance modes: the race and the lock ----

struct BurstOutcome {
  long long initial = 0;
  long long withdrawn = 0;  // sum of amounts answered 200
  long long final_balance = 0;
  long long lowest_reported = 0;
  bool lost_update() const { return final_balance != initial - withdrawn; }
  bool overdraft() const { return withdrawn > initial || lowest_reported < 0 || final_balance < 0; }
};

BurstOutcome withdraw_burst(int port, long long initial, long long amount, int clients) {
  BankClient setup(port);
  const std::string id = setup.create_account(initial);
  std::vector<Reply> replies =
      burst(port, clients, [&](int, BankClient& client) { return client.withdraw(id, amount); });
  BurstOutcome outcome{initial, 0, setup.balance(id), initial};
  for (const Reply& reply : replies) {
    EXPECT_TRUE(reply.status == 200 || reply.status == 409) << reply.status << " " << reply.body;
    if (reply.status == 200) {
      outcome.withdrawn += amount;
      outcome.lowest_reported = std::min<long long>(outcome.lowest_reported, reply.json()["balance"]);
    }
  }
  return outcome;
}

TEST(DemoBankBalance, RacyModeLosesUpdatesUnderConcurrentWithdrawals) {
  auto bank = started({.balance = BalanceMode::Racy, .race_window_us = 2000, .work_us = 200});
  int tries = 0;
  bool broken = false;
  while (!broken && tries < 20) {
    ++tries;
    // 8 withdrawals of 60 from 100: only one may succeed.
    BurstOutcome outcome = withdraw_burst(bank->port(), 100, 60, 8);
    broken = outcome.lost_update() || outcome.overdraft();
    if (broken) {
      RecordProperty("withdrawn_from_100", std::to_string(outcome.withdrawn));
      RecordProperty("final_balance", std::to_string(outcome.final_balance));
    }
  }
  EXPECT_TRUE(broken) << "no lost update or overdraft in " << tries << " bursts";
}

TEST(DemoBankBalance, SafeModeNeverLosesUpdates) {
  auto bank = started({.balance = BalanceMode::Safe, .race_window_us = 500, .work_us = 200});
  for (int round = 0; round < 8; ++round) {
    BurstOutcome one_fits = withdraw_burst(bank->port(), 100, 60, 8);
    EXPECT_EQ(one_fits.withdrawn, 60);
    EXPECT_FALSE(one_fits.lost_update()) << "final " << one_fits.final_balance;
    EXPECT_FALSE(one_fits.overdraft());

    BurstOutcome five_fit = withdraw_burst(bank->port(), 50, 10, 8);
    EXPECT_EQ(five_fit.withdrawn, 50);
    EXPECT_EQ(five_fit.final_balance, 0);
    EXPECT_FALSE(five_fit.overdraft());
  }
}

TEST(DemoBankBalance, SafeModeConservesMoneyWithMixedDepositsAndWithdrawals) {
  auto bank = started({.balance = BalanceMode::Safe, .race_window_us = 300, .work_us = 100});
  BankClient setup(bank->port());
  const std::string id = setup.create_account(20);
  std::vector<Reply> replies = burst(bank->port(), 12, [&](int i, BankClient& client) {
    return i % 2 == 0 ? client.deposit(id, 7) : client.withdraw(id, 9);
  });
  long long expected = 20;
  for (int i = 0; i < 12; ++i) {
    if (replies[i].status == 200) expected += i % 2 == 0 ? 7 : -9;
    if (replies[i].status == 200) {
      EXPECT_GE(replies[i].json()["balance"], 0);
    }
  }
  EXPECT_EQ(setup.balance(id), expected);
}

// ---- idempotency modes ----

struct DuplicateOutcome {
  std::vector<Reply> replies;
  long long executions = 0;
  long long max_in_flight = 0;
};

DuplicateOutcome duplicate_burst(int port, const std::string& key, int clients) {
  BankClient setup(port);
  const std::string id = setup.create_account(1000);
  DuplicateOutcome outcome;
  outcome.replies = burst(port, clients,
                          [&](int, BankClient& client) { return client.withdraw(id, 10, key); });
  nlohmann::json stats = setup.stats();
  outcome.executions = stats["executions_by_key"].value(key, 0LL);
  outcome.max_in_flight = stats["max_concurrent_in_flight_by_key"].value(key, 0LL);
  EXPECT_EQ(setup.balance(id), 1000 - 10 * outcome.executions);
  return outcome;
}

TEST(DemoBankIdempotency, NoneModeExecutesEveryRetry) {
  auto bank = started({.idempotency = IdempotencyMode::None, .work_us = 0});
  BankClient client(bank->port());
  const std::string id = client.create_account(100);
  EXPECT_EQ(client.withdraw(id, 10, "retry-me").status, 200);
  EXPECT_EQ(client.withdraw(id, 10, "retry-me").status, 200);
  EXPECT_EQ(client.balance(id), 80);
  EXPECT_EQ(client.stats()["executions_by_key"]["retry-me"], 2);
}

TEST(DemoBankIdempotency, RacyCacheExecutesConcurrentDuplicatesTwice) {
  auto bank = started({.balance = BalanceMode::Safe,
                       .idempotency = IdempotencyMode::RacyCache,
                       .race_window_us = 0,
                       .work_us = 3000});
  int tries = 0;
  DuplicateOutcome outcome;
  while (outcome.executions < 2 && tries < 20) {
    outcome = duplicate_burst(bank->port(), "dup-" + std::to_string(++tries), 4);
  }
  EXPECT_GE(outcome.executions, 2) << "duplicates never executed twice in " << tries << " bursts";
  EXPECT_GE(outcome.max_in_flight, 2);
  // Sequential replays work in this mode: the bug is only the concurrent gap.
  BankClient client(bank->port());
  const std::string id = client.create_account(100);
  Reply first = client.withdraw(id, 10, "sequential");
  EXPECT_EQ(client.withdraw(id, 10, "sequential").body, first.body);
}

TEST(DemoBankIdempotency, CorrectModeExecutesConcurrentDuplicatesOnce) {
  auto bank = started({.balance = BalanceMode::Safe,
                       .idempotency = IdempotencyMode::Correct,
                       .race_window_us = 0,
                       .work_us = 5000});
  bool saw_overlap = false;
  bool saw_key_in_flight = false;
  for (int round = 0; round < 6; ++round) {
    DuplicateOutcome outcome = duplicate_burst(bank->port(), "once-" + std::to_string(round), 4);
    EXPECT_EQ(outcome.executions, 1) << "round " << round;
    std::set<std::string> success_bodies;
    for (const Reply& reply : outcome.replies) {
      if (reply.status == 200) {
        success_bodies.insert(reply.body);
      } else {
        EXPECT_EQ(reply.status, 409) << reply.body;
        EXPECT_EQ(reply.json(), nlohmann::json({{"error", "key_in_flight"}}));
        saw_key_in_flight = true;
      }
    }
    EXPECT_EQ(success_bodies.size(), 1u) << "every 200 is the same (replayed) response";
    saw_overlap = saw_overlap || outcome.max_in_flight >= 2;
  }
  EXPECT_TRUE(saw_overlap) << "duplicates never overlapped: the test proved nothing";
  EXPECT_TRUE(saw_key_in_flight);
}

TEST(DemoBankIdempotency, CorrectModeReplaysByteIdenticalResponses) {
  auto bank = started({.idempotency = IdempotencyMode::Correct, .work_us = 0});
  BankClient client(bank->port());
  const std::string id = client.create_account(100);
  Reply first = client.withdraw(id, 30, "k");
  ASSERT_EQ(first.status, 200);
  for (int i = 0; i < 3; ++i) {
    Reply again = client.withdraw(id, 30, "k");
    EXPECT_EQ(again.status, first.status);
    EXPECT_EQ(again.body, first.body);  // same request_id and processed_at_ns
  }
  EXPECT_EQ(client.balance(id), 70);
  EXPECT_EQ(client.stats()["executions_by_key"]["k"], 1);
  // Keys are scoped per account and operation: the same key elsewhere is new.
  EXPECT_EQ(client.deposit(id, 30, "k").json()["balance"], 100);
  const std::string other = client.create_account(5);
  EXPECT_EQ(client.withdraw(other, 5, "k").json()["balance"], 0);
  EXPECT_EQ(client.stats()["executions_by_key"]["k"], 3);
}

TEST(DemoBankIdempotency, CorrectModeReplaysRefusals) {
  auto bank = started({.idempotency = IdempotencyMode::Correct, .work_us = 0});
  BankClient client(bank->port());
  const std::string id = client.create_account(10);
  Reply refused = client.withdraw(id, 50, "too-much");
  ASSERT_EQ(refused.status, 409);
  ASSERT_EQ(refused.json(), nlohmann::json({{"error", "insufficient_funds"}, {"balance", 10}}));
  ASSERT_EQ(client.deposit(id, 100).status, 200);
  // Funds suffice now, but the key's outcome was the refusal: replay it.
  Reply replayed = client.withdraw(id, 50, "too-much");
  EXPECT_EQ(replayed.status, 409);
  EXPECT_EQ(replayed.body, refused.body);
  EXPECT_EQ(client.balance(id), 110);
}

TEST(DemoBankIdempotency, CorrectModeRefusesAKeyReusedWithADifferentPayload) {
  auto bank = started({.idempotency = IdempotencyMode::Correct, .work_us = 0});
  BankClient client(bank->port());
  const std::string id = client.create_account(100);
  ASSERT_EQ(client.withdraw(id, 10, "same-key").status, 200);
  Reply reused = client.withdraw(id, 11, "same-key");
  EXPECT_EQ(reused.status, 422);
  EXPECT_EQ(reused.json(), nlohmann::json({{"error", "key_reused"}}));
  EXPECT_EQ(client.balance(id), 90);
  // Whitespace and key order are not a different payload.
  Reply same = client.post("/accounts/" + id + "/withdraw", "{ \"amount\" : 10 }", "same-key");
  EXPECT_EQ(same.status, 200);
  EXPECT_EQ(client.balance(id), 90);
}

}  // namespace
}  // namespace racecheck::demo
