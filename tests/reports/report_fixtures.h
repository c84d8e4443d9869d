// Synthetic report inputs for the renderer tests: a passing run, a failing run
// (a lost update over six requests with a retry, a duplicate key and a hostile
// response body) and a large history.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "reports/reports.h"

namespace racecheck::test {

// Whether `text` contains every one of `needles`; a failure names the missing ones.
inline ::testing::AssertionResult contains_all(const std::string& text, const std::vector<std::string>& needles) {
  std::string missing;
  for (const auto& n : needles)
    if (text.find(n) == std::string::npos) missing += "\n  missing: " + n;
  if (missing.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "the text lacks" << missing;
}

// Whether `text` contains none of `needles`; a failure names the ones present.
inline ::testing::AssertionResult contains_none(const std::string& text, const std::vector<std::string>& needles) {
  std::string present;
  for (const auto& n : needles)
    if (text.find(n) != std::string::npos) present += "\n  present: " + n;
  if (present.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "the text has" << present;
}

inline constexpr const char* kSecret = "s3cr3t-token-XYZ";
inline constexpr const char* kAuthValue = "Bearer abc.def.ghi";
inline constexpr const char* kScriptBody = "<script>alert(1)</script>";

struct OpSpec {
  int process;
  std::string f;
  json input;
  json output;  // null for info
  Outcome outcome;
  std::string error;
  std::int64_t call_ns, ret_ns;  // ret_ns: completion event time (also for info)
  std::string key;
  int attempt;
  int status;
  std::string body;
};

// Builds matching events and operations (ids in invoke order, times in ns).
inline void add_ops(ReportInput& in, std::vector<OpSpec> specs) {
  std::sort(specs.begin(), specs.end(), [](const OpSpec& a, const OpSpec& b) { return a.call_ns < b.call_ns; });
  struct Stamp { std::int64_t t; int op; bool invoke; };
  std::vector<Stamp> stamps;
  for (int i = 0; i < static_cast<int>(specs.size()); ++i) {
    stamps.push_back({specs[i].call_ns, i, true});
    stamps.push_back({specs[i].ret_ns, i, false});
  }
  std::stable_sort(stamps.begin(), stamps.end(), [](const Stamp& a, const Stamp& b) { return a.t < b.t; });
  in.ops.resize(specs.size());
  for (const Stamp& s : stamps) {
    const OpSpec& spec = specs[s.op];
    Event e;
    e.index = static_cast<std::int64_t>(in.history.size());
    e.process = spec.process;
    e.f = spec.f;
    e.key = spec.key;
    e.attempt = spec.attempt;
    e.time_ns = s.t;
    Operation& op = in.ops[s.op];
    if (s.invoke) {
      e.type = EventType::Invoke;
      e.value = spec.input;
      e.sent_ns = s.t + 20'000;
      op.id = s.op;
      op.process = spec.process;
      op.f = spec.f;
      op.input = spec.input;
      op.output = spec.output;
      op.outcome = spec.outcome;
      op.error = spec.error;
      op.call = spec.call_ns;
      op.ret = spec.outcome == Outcome::Info ? kNever : spec.ret_ns;
      op.key = spec.key;
      op.attempt = spec.attempt;
      op.status = spec.status;
      op.body = spec.body;
      op.invoke_event = e.index;
    } else {
      e.type = spec.outcome == Outcome::Ok ? EventType::Ok : spec.outcome == Outcome::Fail ? EventType::Fail : EventType::Info;
      e.value = spec.output.is_null() ? spec.input : spec.output;
      e.status = spec.status;
      e.body = spec.body;
      e.error = spec.error;
      op.complete_event = e.index;
    }
    in.history.push_back(std::move(e));
  }
}

inline ReportInput passing_input() {
  ReportInput in;
  in.title = "demo bank: withdraw";
  in.target = "http://127.0.0.1:18080";
  in.command = "racecheck run targets/demo/spec.json --seed 7";
  in.spec_path = "targets/demo/spec.json";
  in.seed = 7;
  in.started_at = "2024-05-01T12:00:00Z";
  in.verdicts.verdicts = {
      {"no-overdraft", Status::Pass, "4 observed balances, none negative", {}, 0.12},
      {"conservation", Status::Pass, "final balance 0 = 100 - 2 x 50", {}, 0.31},
      {"idempotency", Status::Skipped, "no idempotency keys in this history", {}, 0.01},
  };
  add_ops(in, {
      {0, "withdraw", {{"amount", 50}}, {{"amount", 50}, {"balance", 50}}, Outcome::Ok, "", 0, 1'200'000, "", 1, 200, R"({"balance":50})"},
      {1, "withdraw", {{"amount", 50}}, {{"amount", 50}, {"balance", 0}}, Outcome::Ok, "", 50'000, 2'100'000, "", 1, 200, R"({"balance":0})"},
      {2, "withdraw", {{"amount", 50}}, nullptr, Outcome::Fail, "insufficient-funds", 90'000, 2'500'000, "", 1, 402, R"({"error":"insufficient funds"})"},
      {0, "read", json::object(), {{"balance", 0}}, Outcome::Ok, "", 3'000'000, 3'400'000, "", 1, 200, R"({"balance":0})"},
  });
  in.minimal_scenario = {{"clients", json::array()}, {"release", "burst"}};
  in.stats = {12, 48, 0.8, -1, {0.9, 1.1, 1.3, 2.0, 2.2, 5.5}, {{"withdraw", {{"ok", 24}, {"fail", 12}}}, {"read", {{"ok", 12}}}}};
  in.burst_spread_ns = 180'000;
  return in;
}

inline ReportInput failing_input() {
  ReportInput in;
  in.title = "express: read-then-write withdraw";
  in.target = "http://127.0.0.1:18081";
  in.command = std::string("racecheck run targets/express/rw.json --seed 42 --header 'Authorization: ") + kAuthValue +
               "' --token " + kSecret;
  in.spec_path = "targets/express/rw.json";
  in.seed = 42;
  in.secrets = {kSecret};
  add_ops(in, {
      {0, "withdraw", {{"amount", 50}}, {{"amount", 50}, {"balance", 50}}, Outcome::Ok, "", 0, 2'000'000, "c0-op0", 1, 200, R"({"balance":50})"},
      {1, "withdraw", {{"amount", 50}}, {{"amount", 50}, {"balance", 50}}, Outcome::Ok, "", 100'000, 2'200'000, "c1-op0", 1, 200,
       std::string(R"({"balance":50,"note":")") + kScriptBody + "\"}"},
      {2, "deposit", {{"amount", 30}}, nullptr, Outcome::Info, "lost-response", 200'000, 1'500'000, "c2-op0", 1, 0, ""},
      {2, "deposit", {{"amount", 30}}, {{"amount", 30}, {"balance", 80}}, Outcome::Ok, "", 2'500'000, 3'000'000, "c2-op0", 2, 200,
       std::string(R"({"balance":80,"echo":")") + kSecret + "\"}"},
      {3, "withdraw", {{"amount", 50}}, nullptr, Outcome::Fail, "key-in-flight", 150'000, 900'000, "c1-op0", 1, 409,
       R"({"error":"request with this key in progress"})"},
      {0, "read", json::object(), {{"balance", 80}}, Outcome::Ok, "", 3'500'000, 3'800'000, "", 1, 200, R"({"balance":80})"},
  });
  Violation lost;
  lost.invariant = "conservation";
  lost.explanation = "2 withdrawals of 50 succeeded from 100 but the balance fell by 50: one update was lost (ops 0, 1, overlapping 1.90 ms)";
  lost.ops = {0, 1, 5};
  Violation lin;
  lin.invariant = "linearizability";
  lin.explanation = "withdraw 50 (op 1) returned balance 50, but after op 0 the balance was already 50";
  lin.ops = {0, 1};
  lin.linearized_prefix = {0};
  lin.prefix_states = {"balance 100", "balance 50"};
  lin.unplaceable_op = 1;
  in.verdicts.verdicts = {
      {"no-overdraft", Status::Pass, "5 observed balances, none negative", {}, 0.05},
      {"conservation", Status::Fail, "final balance 80, expected 30 (100 - 2 x 50 + 30)", {lost}, 0.4},
      {"linearizability", Status::Fail, "no linearization of 6 ops", {lin}, 1.7},
      {"idempotency", Status::Pass, "3 keys, each applied at most once", {}, 0.1},
  };
  in.minimal_scenario = json::parse(std::string(R"({"clients":[
      {"ops":[{"f":"withdraw","args":{"amount":50},"key":"c0-op0","max_attempts":1}],"instance":-1},
      {"ops":[{"f":"withdraw","args":{"amount":50,"token":")") + kSecret + R"("},"key":"c1-op0","max_attempts":2,"lose_response":true}],"instance":-1}],
    "release":"burst","stagger_us":0})");
  in.repro_runs = 10;
  in.repro_failures = 7;
  in.repro_requests = {
      {0, "POST", "http://127.0.0.1:18081/accounts/1/withdraw",
       {{"Content-Type", "application/json"}, {"Authorization", kAuthValue}, {"Idempotency-Key", "c0-op0"}}, R"({"amount":50})"},
      {1, "POST", "http://127.0.0.1:18081/accounts/1/withdraw",
       {{"Content-Type", "application/json"}, {"Cookie", "session=abc123"}, {"Idempotency-Key", "c1-op0"}},
       std::string(R"({"amount":50,"token":")") + kSecret + "\"}"},
  };
  in.stats = {40, 212, 3.2, 1.5, {}, {{"withdraw", {{"ok", 90}, {"fail", 30}, {"info", 2}}}, {"deposit", {{"ok", 50}, {"info", 8}}}, {"read", {{"ok", 32}}}}};
  for (int i = 0; i < 212; ++i) in.stats.latencies_ms.push_back(0.5 + (i * 37 % 100) / 25.0 + (i % 50 == 0 ? 9.0 : 0.0));
  in.burst_spread_ns = 240'000;
  return in;
}

// 3,000 requests over 24 clients; a lost update deep inside (ops around the middle).
inline ReportInput large_input() {
  ReportInput in = failing_input();
  in.history.clear();
  in.ops.clear();
  std::vector<OpSpec> specs;
  constexpr int kClients = 24, kOps = 3000;
  std::vector<std::int64_t> clock(kClients, 0);
  for (int i = 0; i < kOps; ++i) {
    const int p = i % kClients;
    const std::int64_t start = clock[p] + 10'000 + (i * 7919 % 50'000);
    const std::int64_t end = start + 200'000 + (i * 104729 % 900'000);
    clock[p] = end;
    const Outcome outcome = i % 17 == 0 ? Outcome::Fail : i % 53 == 0 ? Outcome::Info : Outcome::Ok;
    specs.push_back({p, i % 5 == 0 ? "read" : "withdraw", {{"amount", 1 + i % 9}},
                     outcome == Outcome::Info ? json(nullptr) : json{{"balance", 10'000 - i}}, outcome,
                     outcome == Outcome::Fail ? "insufficient-funds" : outcome == Outcome::Info ? "timeout" : "", start, end,
                     i % 11 == 0 ? "k" + std::to_string(i / 2) : "", 1, outcome == Outcome::Fail ? 402 : outcome == Outcome::Ok ? 200 : 0,
                     R"({"balance":1})"});
  }
  add_ops(in, std::move(specs));
  for (auto& v : in.verdicts.verdicts)
    for (auto& x : v.violations) {
      for (int& id : x.ops) id += 1500;
      for (int& id : x.linearized_prefix) id += 1500;
      if (x.unplaceable_op >= 0) x.unplaceable_op += 1500;
    }
  return in;
}

}  // namespace racecheck::test
