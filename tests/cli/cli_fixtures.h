// What the integration tests of the `racecheck` binary share: its path, how a
// finished run is described in a failure message, and the account-bank spec
// they run against their own loopback servers.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "tests/reports/test_process.h"

namespace racecheck::test {

inline const std::string kRacecheck = RACECHECK_BINARY_DIR "/cli/racecheck";

// Exit code, signal, wall time and both streams: enough to see why a run failed.
inline std::string describe(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) + (r.timed_out ? " (timed out)" : "") + " signal " +
         std::to_string(r.term_signal) + " after " + std::to_string(r.wall_s) + " s\nstdout:\n" + r.out +
         "\nstderr:\n" + r.err;
}

// A bank of one account of `initial_balance`, created by POST /accounts (201,
// id at /id), read by GET /accounts/{id}, with withdrawals whose 2xx is ok and
// 409 is insufficient-funds; bursts of 2-3 clients with 1-2 withdrawals each, no
// keys, no retries and no deliberately lost responses, so every op is one
// request and every info outcome comes from the target; no hostile argument
// values (their own tests send them). Each test adjusts the fields its case is
// about (more classify rules, amounts, clients, budgets).
inline nlohmann::json account_bank_spec(const std::string& name, int initial_balance) {
  using nlohmann::json;
  return {{"name", name},
          {"base_urls", {"http://127.0.0.1:9"}},  // replaced by --target
          {"request", {{"timeout_ms", 2000}}},
          {"accounts",
           {{"count", 1},
            {"initial_balance", initial_balance},
            {"setup",
             {{{"name", "create account"},
               {"method", "POST"},
               {"path", "/accounts"},
               {"body", {{"balance", "{initial_balance}"}}},
               {"expect_status", 201},
               {"capture", {{"id", "/id"}}}}}},
            {"id", "{id}"}}},
          {"operations",
           {{"withdraw",
             {{"method", "POST"},
              {"path", "/accounts/{account}/withdraw"},
              {"body", {{"amount", "{amount}"}}},
              {"classify",
               {{{"status", {200, 299}}, {"outcome", "ok"}},
                {{"status", 409}, {"outcome", "fail"}, {"error", "insufficient-funds"}}}},
              {"extract", {{"balance", "/balance"}}}}},
            {"read",
             {{"method", "GET"},
              {"path", "/accounts/{account}"},
              {"classify", {{{"status", 200}, {"outcome", "ok"}}}},
              {"extract", {{"balance", "/balance"}}}}}}},
          {"final_read", {{"operation", "read"}, {"instance", 0}}},
          {"model", "account"},
          {"invariants", {"no-overdraft", "conservation", "linearizability"}},
          {"generator",
           {{"clients", {2, 3}},
            {"ops_per_client", {1, 2}},
            {"accounts", 1},
            {"op_mix", {{"withdraw", 1}}},
            {"amount", {5, 20}},
            {"key_policy", {{"none", 1}}},
            {"retry_max_attempts", 1},
            {"lost_response_probability", 0},
            {"release", {{"burst", 1}}},
            {"trials", 3},
            {"budget_s", 20},
            {"hostile", false}}}};
}

// Appends a classify rule to the spec's withdraw operation (rules are tried in order).
inline void add_withdraw_rule(nlohmann::json& spec, nlohmann::json rule) {
  spec["operations"]["withdraw"]["classify"].push_back(std::move(rule));
}

}  // namespace racecheck::test
