// The sequential parts of a trial: the spec's setup requests before the burst
// (reset the target, create or reset each account, capture ids), and the final
// read of every account once the trial is quiet. Both go one request at a time
// through http_call and record history events, so that a history is
// self-contained: for a model with an initial state (Model::initial_state),
// "open" ops say each account's initial balance, and the final reads say the
// final state (model "account" conventions: value {"account": i, "balance": n}).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/history_writer.h"
#include "harness/spec.h"
#include "harness/spec_protocol.h"

namespace racecheck {

// Setup could not prepare the target: the CLI exits with code 3. The message
// names the step, the URL and what failed; secret values are masked in it.
struct SetupError : std::runtime_error {
  SetupError(std::string step, std::string url, std::string problem);
  std::string step;     // "setup #0 (reset)", "account 1 setup #0 (create account)", "final read of account 0"
  std::string url;
  std::string problem;  // "connection refused to http://...", "status 500 (expected 200-299), body: ...", "no /id in the response"
};

struct SequentialOptions {
  std::int64_t process = -1;  // history process of the setup and final-read events (scenario clients are 0..N-1)
  // Event times. Default: CLOCK_MONOTONIC in ns. Pass the executor's clock (or
  // rebase afterwards) so that these events line up with the scenario's.
  std::function<std::int64_t()> clock_ns;
  int instance = 0;           // base URL that setup requests go to
};

struct TrialSetupResult {
  TrialVariables variables;                  // hand to SpecProtocol (globals + account ids)
  std::vector<std::int64_t> initial_balances;  // per account
  std::vector<json> account_variables;       // per account: what its setup captured (name -> value)
};

// Runs /setup once, then /accounts/setup for each of `account_count` accounts, in
// order, each request to base URL `options.instance`. Account i's initial balance
// is initial_balances[i] when given (else /accounts/initial_balance), unless
// /accounts/balance_variable names a captured value, which then wins.
// When the spec's model has an initial state, appends per account its op (an
// "open" invoke + ok pair with value {"account": i, "balance": initial}) to
// `sink` (if not null); other models hear nothing of setup.
// Throws SetupError on a transport error, a status outside expect_status, a
// capture that is missing from the response, or a captured balance that is not an integer.
TrialSetupResult run_trial_setup(const Spec& spec, int account_count, HistorySink* sink,
                                 const SequentialOptions& options = {},
                                 const std::vector<std::int64_t>& initial_balances = {});

struct FinalReadResult {
  // Per account: the extracted "balance" when the read was ok and had one.
  std::vector<std::optional<std::int64_t>> balances;
  std::vector<Classification> classifications;
  // One line per account whose read did not come back ok with a balance
  // ("account 0: GET http://...: timeout"). Empty = every balance known.
  std::vector<std::string> problems;
  bool complete() const { return problems.empty(); }
};

// Reads every account with the spec's final_read operation (args {"account": i},
// at base URL spec.final_read_instance), classified and extracted by `protocol`.
// A ledger model's read must extract an integer "balance"; for other models
// only a read that is not ok is a problem.
// Appends a "read" (the operation's name) invoke + completion per account to
// `sink`; a transport failure is an info completion with the transport error.
// Never throws for target problems: they are in `problems`. Throws SetupError
// only when the spec has no final read operation.
FinalReadResult run_final_read(const Spec& spec, const SpecProtocol& protocol, int account_count, HistorySink* sink,
                               const SequentialOptions& options = {});

}  // namespace racecheck
