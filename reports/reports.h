// Report renderers: HTML (one self-contained file), JUnit XML, versioned JSON and a
// console summary. The harness fills a ReportInput; the renderers only format it
// (no I/O, no network, never call the harness).
//
// Every string that reaches a report goes through redaction first (see redact.h):
// the values in `secrets` in any encoding, URL userinfo passwords, values of the
// headers in `redact_headers`, and JSON members named like those headers are
// replaced by "[REDACTED]".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/history.h"
#include "properties/verdict.h"
#include "reports/shards.h"

namespace racecheck {

// One HTTP request of the minimal scenario, as it would be sent (for the curl script).
struct ReproRequest {
  int client = 0;     // requests of one client run in order; clients run concurrently
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// One invariant over a whole run: how its verdicts came out, trial by trial.
struct InvariantTally {
  int trials = 0;                      // trials whose report had this invariant
  int pass = 0, warn = 0, fail = 0, unknown = 0, skipped = 0;
  std::int64_t ops = 0;                // operations in the histories it judged (skipped trials not counted)
};

struct RunStats {
  int trials = 0;                      // scenarios executed (including shrink re-runs)
  std::int64_t requests = 0;           // HTTP requests sent in total
  double elapsed_s = 0;                // wall time of the whole run
  double first_violation_s = -1;       // when the first violation was found (-1: none)
  std::vector<double> latencies_ms;    // per request (any sample of them)
  // operation name -> outcome ("ok", "fail", "info") -> count
  std::map<std::string, std::map<std::string, int>> outcomes_by_op;
  std::map<std::string, InvariantTally> invariants;  // invariant name -> its verdicts over every trial
};

struct ReportInput {
  std::string title = "racecheck report";
  std::string target;        // e.g. the first base URL or the spec's name
  std::string command;       // the exact command that reproduces this run
  std::string spec_path;
  std::uint64_t seed = 0;
  std::string started_at;    // ISO 8601, optional (JUnit timestamp)
  // The racecheck that wrote the report, filled by the command line (empty: not stated).
  std::string racecheck_version;  // e.g. "1.2.0"
  std::string racecheck_commit;   // short git commit, or "unknown"
  ShardId shard;             // the part of the seed space this run searched (`run --shard I/N`)
  std::string spec_digest;   // sha256 of the spec's canonical JSON ("": not recorded); merge compares it
  std::vector<ShardLine> shards;  // a merged result (`racecheck merge`): every shard, missing ones too

  CheckReport verdicts;
  // The minimal failing trial (or the last trial when everything passed): its raw
  // events and the operations paired from them (Operation::id = index; violations
  // refer to these ids).
  std::vector<Event> history;
  std::vector<Operation> ops;

  nlohmann::json minimal_scenario;     // scenario_to_json of the minimal scenario (null: none)
  int repro_runs = 0;                  // re-runs of the minimal scenario
  int repro_failures = 0;              // ... of which failed (with the original's violation signature)
  int original_repro_runs = 0;         // re-runs of the original (unshrunk) failing scenario
  int original_repro_failures = 0;     // ... of which failed the same way
  std::string violation_signature;     // what shrinking kept, e.g. "idempotency/double-execution"
  std::string shrink_note;             // why shrinking stopped short, when it did (e.g. the rate collapsed)
  std::vector<ReproRequest> repro_requests;  // the minimal scenario's requests, for the curl script

  RunStats stats;
  std::int64_t burst_spread_ns = -1;   // measured arrival spread of the minimal trial's burst (-1: unknown)
  std::string release_method = "last-byte";  // "last-byte" or "single-packet"

  std::vector<std::string> secrets;    // values to redact everywhere, in any encoding (redact.h)
  std::vector<std::string> secret_names;  // secret_names[i] names secrets[i]: the curl script
                                          // reads it from RACECHECK_SECRET_<NAME>
  std::vector<std::string> redact_headers = {"Authorization", "Cookie", "Set-Cookie",
                                             "Proxy-Authorization"};
};

// The 95% Wilson score interval of `successes` out of `trials` ({0, 1} when trials == 0).
std::pair<double, double> wilson_interval(int successes, int trials);

// Latency percentile (nearest rank, p in [0, 100]); 0 for no samples.
double percentile(std::vector<double> samples, double p);

// "failed F/N re-runs (95% CI a-b%)", and "; original failed F/N" when the
// original scenario was re-run too: the reproduction rate the text reports show.
std::string repro_rate_text(const ReportInput& in);

std::string render_html(const ReportInput& input);
std::string render_junit(const ReportInput& input);
// One <testsuite> per target.
std::string render_junit(const std::vector<ReportInput>& runs);

inline constexpr int kResultFormatVersion = 1;
// {"format_version": 1, "overall", "verdicts", "minimal_scenario", "seed", "spec_path",
//  "target", "command", "reproduction", "stats", "burst_spread_ns", "history", ...}
nlohmann::json render_json(const ReportInput& input);

struct ResultFormatError : std::runtime_error {
  ResultFormatError(std::string pointer, std::string reason);
  std::string pointer;  // JSON pointer of the bad field
  std::string reason;
};
// Reads what render_json wrote back (for `racecheck replay` and tests): title,
// target, command, spec_path, seed, started_at, verdicts, minimal_scenario,
// repro counts, stats and history. `ops` are not stored (pair the history again).
// Throws ResultFormatError for a missing/mistyped field or another format_version.
ReportInput parse_result_json(const nlohmann::json& result);

// A few lines for the terminal: overall verdict (PASS with a count of SHOULD-level
// warnings), one line per invariant, the violations' explanations, the
// reproduction rates of the original and the minimal scenario, and the command.
std::string render_console_summary(const ReportInput& input, bool color = false);

// A POSIX sh script that replays the minimal requests with curl (clients in
// parallel, each client's requests in order). Secrets are read from environment
// variables instead of being written: redacted headers from RACECHECK_HEADER_<NAME>,
// secrets from RACECHECK_SECRET_<NAME>, URL credentials from
// RACECHECK_SECRET_URL_CREDENTIAL_<n> (re-encoded as the request needs them).
std::string render_curl_script(const ReportInput& input);

}  // namespace racecheck
