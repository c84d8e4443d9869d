// The target spec: how to talk to one HTTP service (base URLs, setup requests,
// one request template per operation, how to classify responses), which model
// and invariants to check, and the generator's settings. docs/spec.md describes
// the JSON format; this header is its validated, in-memory form.
//
// Loading never reads or writes any other file and never runs anything: the
// only outside input a spec can name is an environment variable (a secret).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/history.h"
#include "properties/idempotency.h"
#include "properties/invariants.h"
#include "harness/transport_options.h"
#include "harness/release_method.h"

namespace racecheck {

using json = nlohmann::json;

// "<file>: <JSON pointer>: <reason>", e.g.
// "bank.json: /operations/withdraw/classify/2/status: expected an integer 100-599 or [lo, hi]".
struct SpecError : std::runtime_error {
  SpecError(std::string file, std::string pointer, std::string reason);
  std::string file;
  std::string pointer;  // "" for a whole-file problem (unreadable, not JSON)
  std::string reason;
};

struct Range {
  std::int64_t lo = 0;
  std::int64_t hi = 0;
};

// A set of HTTP statuses: a union of inclusive ranges (an exact status is [s, s]).
struct StatusSet {
  std::vector<std::pair<int, int>> ranges;
  bool contains(int status) const;
};

// One condition on a response body: JSON pointer equals a value, or a regex
// (ECMAScript without back-references, searched anywhere in the raw body, in
// linear time).
struct BodyMatcher {
  std::string pointer;            // set for "equals" matchers
  json equals;                    // the expected value at `pointer`
  std::string regex_source;       // set for "regex" matchers, as written in the spec
  std::optional<std::regex> regex;  // regex_source wrapped to match the whole body
  // parsed_body: the body as JSON (null if it is not JSON); only "equals" matchers read it.
  bool matches(const std::string& raw_body, const json* parsed_body) const;
  bool needs_json() const { return !regex.has_value(); }
};

// status AND every body matcher must match; the first matching rule wins.
struct ClassifyRule {
  StatusSet status;
  std::vector<BodyMatcher> body;
  Outcome outcome = Outcome::Info;
  std::string error;              // label recorded in the history ("" for a plain ok)
};

// A request template. Placeholders: "{name}", "{name|filter}", "{a-b}" (see
// docs/spec.md). At most one of body, form and raw is set.
struct RequestTemplate {
  std::string method = "GET";
  std::string path;               // begins with '/', appended to the instance's base URL
  std::vector<std::pair<std::string, std::string>> headers;  // in spec order
  std::optional<json> body;       // JSON template; none = no body
  // application/x-www-form-urlencoded: field -> value template, in spec order
  std::optional<std::vector<std::pair<std::string, std::string>>> form;
  std::optional<std::string> raw;  // sent as rendered (Content-Type from headers, default text/plain)
  std::vector<std::pair<std::string, std::string>> query;  // name -> value template, appended to the URL
};

// Where an operation's output field comes from: a JSON pointer into the body,
// or a response header (name matched case-insensitively); then each conversion
// in order (harness/conversions.h).
struct Extraction {
  std::string pointer;            // used when header is empty
  std::string header;
  std::vector<std::string> convert;
  bool operator==(const Extraction&) const = default;
};

// The domain of a declared argument ("arguments" in the spec).
enum class ArgumentType { Integer, String, Uuid, Bytes, Decimal };
struct ArgumentSpec {
  ArgumentType type = ArgumentType::Integer;
  std::int64_t min = 0;           // integer: the values; decimal: in units of 10^-scale
  std::int64_t max = 0;
  std::vector<std::string> choices;  // string: one of these (shrinks toward the first)
  Range length{1, 8};             // string (without choices) and bytes
  int scale = 0;                  // decimal places
};

struct SetupRequest {
  std::string name;               // for error messages ("create account", ...); defaults to "#i"
  RequestTemplate request;
  StatusSet expect_status;        // default 200-299
  std::vector<std::pair<std::string, std::string>> capture;  // variable name -> JSON pointer
};

// Multi-request operations (docs/spec.md, "Multi-request operations"): one
// step of an operation's "steps", a request or a guard.
struct StepCapture {
  std::string name;               // the placeholder later steps use
  std::string pointer;            // JSON pointer into the response body, or
  std::string header;             // a response header (case-insensitive); one of the two is set
};

// "refuse_if": {"less" | "greater" | "equal": [left, right]}: both sides are
// templates ("{balance}", "{amount}", 5) compared as integers ("equal": as JSON).
struct StepGuard {
  std::string comparison;         // "less", "greater" or "equal"
  json left;
  json right;
  std::string error;              // the fail label when it refuses
};

struct OperationStep {
  std::optional<RequestTemplate> request;  // none for a guard step
  std::optional<StepGuard> guard;
  StatusSet expect_status{{{200, 299}}};  // a request step's other statuses end the op (classified)
  std::vector<StepCapture> capture;
};

// "conflict": a status that re-runs the whole sequence from its first step.
struct ConflictRule {
  StatusSet status;               // empty: no conflict rule
  int max_attempts = 1;           // sequence runs in all, the first included
};

// Whether an operation takes an idempotency key (docs/spec.md, "Per-operation
// idempotency"). Required: every op of this kind is sent with a key; Optional:
// the generator's key_policy decides; None: never a key (the service ignores them).
enum class Idempotency { Required, Optional, None };

struct OperationSpec {
  std::string name;
  RequestTemplate request;
  std::vector<ClassifyRule> classify;
  std::vector<std::pair<std::string, Extraction>> extract;  // output field -> where and how
  std::vector<std::string> volatile_fields;                  // JSON pointers ignored when replays are compared
  std::vector<std::string> args;  // scenario args the template needs ("amount", "account"), derived from it
  // Default: None for GET, HEAD and OPTIONS (idempotent by HTTP semantics), Optional otherwise.
  Idempotency idempotency = Idempotency::Optional;
  bool idempotency_given = false;  // written in the spec (not the method's default)
  bool uses_key = false;           // the template has a {key} placeholder
  bool uses_account = false;       // the template has an {account} (or {resource}) placeholder
  // The model operation this one is recorded as in the history (its "f"): the
  // name itself, or what "as" says (spec op "quorum_get" with "as": "read").
  std::string model_op;
  int instance = -1;               // "instance": always sent to base URL #instance; -1 = the distribution's pick
  // A multi-request operation: empty for an operation of one request. `request`
  // then holds the last request step (its method gives the idempotency default).
  std::vector<OperationStep> steps;
  ConflictRule conflict;
};

// How the idempotency key of one logical operation is spelled (docs/spec.md,
// "Idempotency keys"). Keys are assigned when a trial runs, never frozen in a
// scenario: {run} is random per run, {trial} counts this run's trials, {client}
// and {op} place the key's first operation in the scenario, {uuid} is a UUID
// (version 4 layout) derived from all four.
struct IdempotencyKeySpec {
  std::string key_template = "rc-{run}-t{trial}-c{client}-op{op}";
  std::size_t max_length = 255;
};

struct AccountsSpec {
  int count = 1;                  // default number of accounts per trial
  std::int64_t initial_balance = 100;
  std::vector<SetupRequest> setup;  // run once per account
  // Template resolving to the account's id ({account} in operations). Without
  // an "accounts" section the one resource is named by its index, 0.
  std::string id = "{index}";
  std::string balance_variable;   // if set: captured variable holding the server's initial balance
};

enum class Distribution { RoundRobin, Random, Pinned };

// "generator": {"hostile": ...}: hostile argument values (docs/spec.md, "Hostile
// values"). Off: false. Default: on for the model's money operations.
struct HostileSpec {
  std::optional<bool> enabled;    // unset: on when the model keeps a ledger
  double probability = 0.1;       // chance that one eligible argument is hostile
  std::vector<std::string> operations;  // empty: every operation the model writes with
  std::vector<json> values;       // added to the built-in set, sent as written
  std::vector<std::string> invalid_errors = {"bad-request", "invalid-input"};  // refusal labels of invalid input
};

// Consumed by the property-based run; validated here so typos fail at load.
struct GeneratorSpec {
  Range clients{2, 8};
  Range ops_per_client{1, 4};
  Range accounts{1, 1};
  std::vector<std::pair<std::string, double>> op_mix;       // operation -> weight
  Range amount{1, 100};
  // none, fresh, concurrent-duplicate, sequential-replay, different-payload -> weight
  std::vector<std::pair<std::string, double>> key_policy;
  int retry_max_attempts = 1;
  double lost_response_probability = 0.0;
  double burst_weight = 1.0;      // release: burst vs staggered
  double staggered_weight = 0.0;
  Range stagger_us{0, 1000};
  Range delay_us{0, 0};           // think time between a client's ops
  int trials = 100;
  double budget_s = 60.0;
  HostileSpec hostile;
};

inline const std::vector<std::string>& key_policy_names() {
  static const std::vector<std::string> names = {
      "none", "fresh", "concurrent-duplicate", "sequential-replay", "different-payload"};
  return names;
}

// How the idempotency oracle reads this service's answers (docs/spec.md).
// "money": {"scale": N}: amounts and balances have N decimal places and are
// recorded as whole minor units (harness/money_recording.h, docs/spec.md "Money").
struct MoneySpec {
  bool declared = false;  // false: integers recorded as they are
  int scale = 0;
};

struct IdempotencySpec {
  // Error labels of refusals that mean "did not run" (key in flight, key reused,
  // busy): not responses to replay. Every other fail is a completed response.
  std::vector<std::string> not_executed = default_not_executed_errors();
  // false for services that promise to replay successes only: a refusal not
  // replayed is then a SHOULD-level deviation (warn) instead of a violation.
  bool replay_refusals = true;
};

struct Spec {
  std::string file_name;          // as given to the loader (used in error messages)
  std::string name;
  std::vector<std::string> base_urls;  // no trailing '/'
  Distribution distribution = Distribution::RoundRobin;
  int request_timeout_ms = 5000;
  std::size_t max_body_bytes = 1 << 20;
  TransportOptions transport;     // "request"/"http_version" and "tls"; the CLI's flags override them
  ReleaseMethod release_method = ReleaseMethod::LastByte;  // the CLI's --release (no spec key)
  std::vector<std::pair<std::string, std::string>> headers;  // sent with every request
  std::string idempotency_header = "Idempotency-Key";  // "" (null in the spec): keys only through {key}
  IdempotencyKeySpec idempotency_key;
  std::map<std::string, std::string> secret_env;  // secret name -> environment variable
  std::map<std::string, std::string> secrets;     // secret name -> value (read at load)
  std::vector<std::string> secret_headers;        // header names never written to a report
  std::vector<SetupRequest> setup;                // run once per trial, before the accounts
  AccountsSpec accounts;
  std::vector<std::pair<std::string, ArgumentSpec>> arguments;  // declared domains, by placeholder name
  std::vector<OperationSpec> operations;
  std::string final_read = "read";               // operation run per account once quiet
  int final_read_instance = 0;
  std::string model = "account";   // a name from properties/models.h model_names()
  std::vector<std::string> invariants;  // empty = every invariant that applies to the model
  IdempotencySpec idempotency;
  GeneratorSpec generator;
  MoneySpec money;
  // Lint findings that do not stop the spec from loading, each
  // "<file>: <JSON pointer>: <reason>"; load_spec_file prints them to stderr.
  std::vector<std::string> warnings;

  const OperationSpec* find_operation(const std::string& name) const;  // nullptr if absent
  // Every secret value: a report writer replaces each occurrence with "[secret]".
  std::vector<std::string> secret_values() const;
};

// Throws SpecError. JSON syntax errors name the file, line and column. Prints
// each of spec.warnings to stderr as "warning: <file>: <pointer>: <reason>".
Spec load_spec_file(const std::string& path);
Spec parse_spec(const json& j, const std::string& file_name);
// Parses text (used by load_spec_file; tests use it to check line/column errors).
Spec parse_spec_text(const std::string& text, const std::string& file_name);

// --target URL (repeatable) replaces the spec's base URLs. Throws SpecError
// (pointer "/base_urls") for a URL that is not http:// or https://.
void override_base_urls(Spec& spec, std::vector<std::string> urls);

// The placeholder names in a template string, e.g. "/a/{account}/{x}" -> account, x.
// "{{" and "}}" are literal braces. Throws std::invalid_argument on an unclosed '{'.
std::vector<std::string> template_placeholders(const std::string& text);

// An argument the generator draws from a small pool of names ("name", "user",
// "username") rather than from the integer amount range.
bool is_name_argument(const std::string& argument);

}  // namespace racecheck
