#include "harness/run.h"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>

#include "harness/exit_codes.h"
#include "harness/generator_settings.h"
#include "harness/interrupt.h"
#include "harness/local_error.h"
#include "harness/shard.h"
#include "harness/spec_protocol.h"
#include "harness/trial.h"
#include "harness/transport_report.h"

namespace racecheck {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxLatencySamples = 100000;

// What the scenarios' operations got back over the whole run (search, shrink,
// reproduction), per operation: the evidence a pass needs (RunOptions::min_ok).
class EvidenceTally {
 public:
  void add(const TrialEvidence& t) {
    for (const auto& e : t.events) {
      if (e.type == EventType::Invoke || e.process < 0) continue;  // setup and final reads are not the scenario's
      OpOutcomes& op = ops_[e.op.empty() ? e.f : e.op];  // by the spec's name
      ++op.completions;
      if (e.type == EventType::Ok) {
        ++op.ok;
        ++total_ok_;
      } else {
        ++op.others[describe(e)];
      }
    }
  }

  // What is missing for a pass with `min_ok` ("" when nothing is): each
  // state-changing operation (by its HTTP method) the scenarios sent needs
  // min_ok ok completions; a run that sent none needs min_ok ok in all.
  std::string missing(const Spec& spec, int min_ok) const {
    if (min_ok <= 0) return "";
    std::string out;
    bool state_changing_sent = false;
    for (const auto& [name, op] : ops_) {
      if (!changes_state(spec, name)) continue;
      state_changing_sent = true;
      if (op.ok < min_ok) out += (out.empty() ? "" : "; ") + shortfall(name, op, min_ok);
    }
    if (!state_changing_sent && total_ok_ < min_ok) {
      OpOutcomes all;
      for (const auto& [name, op] : ops_) {
        all.completions += op.completions;
        all.ok += op.ok;
        for (const auto& [what, n] : op.others) all.others[name + " " + what] += n;
      }
      out = shortfall("operation", all, min_ok);
    }
    return out;
  }

 private:
  struct OpOutcomes {
    std::int64_t completions = 0;
    std::int64_t ok = 0;
    std::map<std::string, std::int64_t> others;  // "answered 404 (no-such-account)" -> count
  };

  // GET, HEAD and OPTIONS are safe methods (RFC 9110): they read. An operation
  // the spec does not know (cannot happen for generated scenarios) counts as a write.
  static bool changes_state(const Spec& spec, const std::string& name) {
    const OperationSpec* op = spec.find_operation(name);
    if (op == nullptr) return true;
    const std::string& m = op->request.method;
    return m != "GET" && m != "HEAD" && m != "OPTIONS";
  }

  static std::string describe(const Event& e) {
    std::string what = e.status > 0 ? "answered " + std::to_string(e.status)
                                    : std::string(e.type == EventType::Fail ? "failed" : "ended info");
    const std::string label = e.error.empty() ? std::string(to_string(e.type)) : e.error;
    return what + " (" + label + ")";
  }

  // "every withdraw (37) answered 404 (no-such-account)", or
  // "withdraw: 0 ok of 40 (needs 1): 30 answered 404 (no-such-account), 10 ended info (timeout)".
  static std::string shortfall(const std::string& name, const OpOutcomes& op, int min_ok) {
    if (op.ok == 0 && op.others.size() == 1)
      return "every " + name + " (" + std::to_string(op.completions) + ") " + op.others.begin()->first;
    std::vector<std::pair<std::int64_t, std::string>> ranked;
    for (const auto& [what, n] : op.others) ranked.emplace_back(-n, what);
    std::sort(ranked.begin(), ranked.end());
    std::string out = name + ": " + std::to_string(op.ok) + " ok of " + std::to_string(op.completions) + " (needs " +
                      std::to_string(min_ok) + ")";
    constexpr std::size_t kShown = 3;
    for (std::size_t i = 0; i < ranked.size() && i < kShown; ++i)
      out += (i == 0 ? ": " : ", ") + std::to_string(-ranked[i].first) + " " + ranked[i].second;
    if (ranked.size() > kShown) out += ", ...";
    return out;
  }

  std::map<std::string, OpOutcomes> ops_;
  std::int64_t total_ok_ = 0;
};

// Accumulates run statistics and prints progress, trial by trial.
class RunRecorder {
 public:
  RunRecorder(const RunOptions& options) : options_(options), start_(Clock::now()) {}

  void add(const TrialEvidence& t) {
    ++stats_.trials;
    stats_.requests += t.exec.requests_sent;
    for (auto ns : t.exec.latencies_ns) {
      if (stats_.latencies_ms.size() < kMaxLatencySamples) stats_.latencies_ms.push_back(static_cast<double>(ns) / 1e6);
    }
    bool judged = false;
    for (const auto& e : t.events) {
      if (e.type == EventType::Invoke || e.process < 0) continue;  // setup and final reads are not the scenario's
      ++stats_.outcomes_by_op[e.op.empty() ? e.f : e.op][std::string(to_string(e.type))];  // by the spec's name
      if (e.type == EventType::Info) ++info_reasons_[e.error.empty() ? "info" : e.error];
      else judged = true;
    }
    if (judged) ++judged_trials_;
    evidence_.add(t);
    if (t.report.overall() == Status::Fail) ++violations_;
    tally(t);
    print_progress(false);
  }

  // The first SHOULD-level deviations seen per invariant, with the trial they came
  // from (1-based), for a passing run's report.
  struct FirstWarning {
    int trial = 0;
    std::vector<Violation> violations;
  };
  const std::map<std::string, FirstWarning>& first_warnings() const { return first_warnings_; }
  // Per invariant, why its latest inconclusive trial was inconclusive.
  const std::map<std::string, std::string>& unknown_reasons() const { return unknown_reasons_; }

  void set_phase(const char* phase) { phase_ = phase; }

  void print_progress(bool final_line) {
    if (!options_.progress) return;
    const double elapsed = seconds();
    if (!final_line && !options_.progress_tty && elapsed - last_print_ < 2.0) return;
    last_print_ = elapsed;
    std::ostringstream line;
    line << std::fixed << std::setprecision(1) << "[" << phase_ << "] trials " << stats_.trials << " · requests "
         << stats_.requests << " · violations " << violations_ << " · " << elapsed << "s";
    if (phase_ == std::string("search"))
      line << " (budget left " << std::max(0.0, options_.budget_s - elapsed) << "s)";
    if (options_.progress_tty) {
      *options_.progress << "\r\033[K" << line.str() << (final_line ? "\n" : "") << std::flush;
    } else {
      *options_.progress << line.str() << "\n" << std::flush;
    }
  }

  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  int trials() const { return stats_.trials; }
  // Trials in which at least one of the scenario's operations completed ok or fail.
  int judged_trials() const { return judged_trials_; }
  const EvidenceTally& evidence() const { return evidence_; }
  // "timeout 12, connection-reset 3": why the scenario's info outcomes were info.
  std::string info_reasons() const {
    std::string out;
    for (const auto& [reason, n] : info_reasons_) out += (out.empty() ? "" : ", ") + reason + " " + std::to_string(n);
    return out;
  }
  RunStats stats() const {
    RunStats s = stats_;
    s.elapsed_s = seconds();
    return s;
  }

 private:
  // Per invariant: how its verdict came out in this trial, and how many operations
  // it judged.
  void tally(const TrialEvidence& t) {
    std::int64_t ops = 0;
    for (const auto& e : t.events) ops += e.type == EventType::Invoke;
    for (const auto& v : t.report.verdicts) {
      InvariantTally& n = stats_.invariants[v.invariant];
      ++n.trials;
      switch (effective_status(v)) {
        case Status::Pass: ++n.pass; break;
        case Status::Warn: ++n.warn; break;
        case Status::Fail: ++n.fail; break;
        case Status::Unknown: ++n.unknown; break;
        case Status::Skipped: ++n.skipped; break;
      }
      if (v.status != Status::Skipped) n.ops += ops;
      if (v.status == Status::Unknown) unknown_reasons_[v.invariant] = v.summary;
      if (effective_status(v) == Status::Warn && !first_warnings_.count(v.invariant))
        first_warnings_[v.invariant] = FirstWarning{stats_.trials, v.violations};
    }
  }

  const RunOptions& options_;
  Clock::time_point start_;
  RunStats stats_;
  int violations_ = 0;
  int judged_trials_ = 0;
  EvidenceTally evidence_;
  std::map<std::string, int> info_reasons_;
  std::map<std::string, FirstWarning> first_warnings_;
  std::map<std::string, std::string> unknown_reasons_;
  const char* phase_ = "search";
  double last_print_ = -10;
};

TrialVerdict verdict_of(const CheckReport& r) {
  switch (r.overall()) {
    case Status::Fail: return TrialVerdict::Violation;
    case Status::Unknown: return TrialVerdict::Inconclusive;
    default: return TrialVerdict::Pass;
  }
}

// The minimal scenario's requests as they were sent (for the curl script), with
// the account ids setup captured in that trial.
std::vector<ReproRequest> repro_requests(const Spec& spec, const TrialEvidence& t, std::uint64_t seed) {
  SpecProtocol protocol(spec, t.variables, seed);  // the seed picks instances in "random" distribution
  std::vector<ReproRequest> out;
  const Scenario& sc = t.sent_scenario;
  for (int c = 0; c < static_cast<int>(sc.clients.size()); ++c) {
    for (int i = 0; i < static_cast<int>(sc.clients[c].ops.size()); ++i) {
      const auto& op = sc.clients[c].ops[i];
      // A multi-request op's later requests depend on earlier responses: no fixed request to repeat.
      if (const OperationSpec* spec_op = spec.find_operation(op.f); spec_op != nullptr && !spec_op->steps.empty()) continue;
      const int pinned = protocol.pinned_instance(op);
      const int instance = pinned >= 0                  ? pinned
                           : sc.clients[c].instance >= 0 ? sc.clients[c].instance
                                                         : protocol.pick_instance(c, i);
      HttpRequest r;
      try {
        r = protocol.render(op, instance);  // it rendered when the trial ran
      } catch (const UnsendableRequest&) {
        continue;  // it was not sent then either (the history says why)
      }
      out.push_back(ReproRequest{c, r.method, r.url, r.headers, r.body});
    }
  }
  return out;
}

ReportInput base_report(const Spec& spec, const RunOptions& options) {
  ReportInput in;
  in.title = "racecheck: " + (spec.name.empty() ? spec.file_name : spec.name);
  in.target = spec.base_urls.empty() ? spec.name : spec.base_urls.front();
  in.command = options.command;
  in.spec_path = options.spec_path;
  in.seed = options.seed;
  in.shard = options.shard;
  in.spec_digest = options.spec_digest;
  in.release_method = release_method_name(spec.release_method);
  for (const auto& [name, value] : spec.secrets) {  // named: the curl script reads each from RACECHECK_SECRET_<NAME>
    in.secrets.push_back(value);
    in.secret_names.push_back(name);
  }
  for (const auto& h : spec.secret_headers) in.redact_headers.push_back(h);
  describe_transport(in, spec);
  return in;
}

void fill_evidence(ReportInput& in, const Spec& spec, const TrialEvidence& t) {
  in.verdicts = t.report;
  in.history = t.events;
  in.ops = pair_operations(t.events).ops;
  in.minimal_scenario = scenario_to_json(t.scenario);
  in.burst_spread_ns = t.exec.burst_spread_ns;
  note_negotiated_protocol(in, spec, t.exec.protocol);
  in.repro_requests = repro_requests(spec, t, in.seed);
}

// What "everything passed" means for one invariant, in its own words.
std::string all_passed_words(const std::string& invariant) {
  const Invariant* known = find_invariant(invariant);
  return known != nullptr ? known->all_passed : "all passed";
}

// "987 trials checked, 14664 ops, all linearizable": one invariant over every
// trial of the run (the evidence shown is one trial; the verdict is the run's).
std::string run_wide_summary(const std::string& invariant, const InvariantTally& n, const std::string& last_summary) {
  const int judged = n.trials - n.skipped;
  if (judged == 0) return "skipped in all " + std::to_string(n.trials) + " trials (" + last_summary + ")";
  std::string s = std::to_string(judged) + (judged == 1 ? " trial" : " trials") + " checked, " + std::to_string(n.ops) +
                  " ops, ";
  if (n.warn == 0 && n.unknown == 0 && n.fail == 0) {
    s += all_passed_words(invariant);
  } else {
    std::string parts;
    auto part = [&](int count, const char* what) {
      if (count > 0) parts += (parts.empty() ? "" : ", ") + std::to_string(count) + " " + what;
    };
    part(n.pass, "passed");
    part(n.warn, "with SHOULD-level deviations");
    part(n.unknown, "inconclusive");
    part(n.fail, "failed");
    s += parts;
  }
  if (n.skipped > 0) s += "; skipped in " + std::to_string(n.skipped) + " (nothing to judge)";
  return s;
}

// A run in which nothing failed: every verdict speaks for all trials. Warnings and
// inconclusive checks of earlier trials stay visible even when the last trial
// (whose history is the evidence shown) was clean.
void summarize_run(ReportInput& in, const RunRecorder& rec, const RunStats& stats) {
  std::vector<InvariantVerdict>& verdicts = in.verdicts.verdicts;
  for (const auto& entry : stats.invariants) {
    const std::string& name = entry.first;  // captured below: clang 14 cannot capture a structured binding
    const auto& tally = entry.second;
    auto it = std::find_if(verdicts.begin(), verdicts.end(), [&](const InvariantVerdict& v) { return v.invariant == name; });
    if (it == verdicts.end()) {
      InvariantVerdict v;
      v.invariant = name;
      verdicts.push_back(std::move(v));
      it = verdicts.end() - 1;
    }
    InvariantVerdict& v = *it;
    v.summary = run_wide_summary(name, tally, v.summary);
    if (const auto reason = rec.unknown_reasons().find(name); reason != rec.unknown_reasons().end())
      v.summary += "; the last inconclusive one: " + reason->second;
    if (tally.unknown > 0) v.status = Status::Unknown;
    else if (tally.warn > 0) v.status = Status::Warn;
    else if (tally.trials > tally.skipped) v.status = Status::Pass;
    else v.status = Status::Skipped;
    const auto first = rec.first_warnings().find(name);
    if (tally.warn > 0 && v.violations.empty() && first != rec.first_warnings().end()) {
      // Its op ids point into another trial's history: keep the words, drop the ids.
      for (Violation x : first->second.violations) {
        x.explanation = "in trial " + std::to_string(first->second.trial) + ": " + x.explanation;
        x.ops.clear();
        x.linearized_prefix.clear();
        x.prefix_states.clear();
        x.unplaceable_op = -1;
        v.violations.push_back(std::move(x));
      }
    }
  }
}

// Why a run ends before its budget: the target failed after some trials had run
// (its setup could not be done again), or SIGINT/SIGTERM.
class RunStop {
 public:
  explicit RunStop(bool on_interrupt) {
    if (on_interrupt) guard_.emplace();
  }
  int signal() const { return guard_ ? interrupt_signal() : 0; }
  bool stopped() const { return !target_error.empty() || !local_error.empty() || signal() != 0; }

  std::string target_error;  // TargetError::what() of the trial that could not run
  std::string local_error;   // LocalError::what(): this machine failed (exit 6)

 private:
  std::optional<InterruptGuard> guard_;  // the handler is installed for the run only
};

// Runs one trial; a target failure (or a failure of this machine) after the
// first trial stops the run (recorded in `stop`) instead of ending it without a
// report. On the first trial the TargetError (LocalError) propagates: exit 3
// (6) with its message, as there is nothing to report.
std::optional<TrialEvidence> run_trial(TrialRunner& runner, const Scenario& scenario, const RunRecorder& rec,
                                       RunStop& stop) {
  try {
    return runner.run(scenario);
  } catch (const TargetError& e) {
    if (rec.trials() == 0) throw;
    stop.target_error = e.what();
    return std::nullopt;
  } catch (const LocalError& e) {
    if (rec.trials() == 0) throw;
    stop.local_error = e.what();
    return std::nullopt;
  }
}

// A run stopped early, one in which no trial ran or no operation of the
// scenarios completed, and one short of the evidence rule (RunOptions::min_ok)
// is never a pass: a "run" verdict (unknown) says why, first, in every report.
void add_run_verdict(ReportInput& in, const RunStop& stop, const RunRecorder& rec, const Spec& spec,
                     const RunOptions& options) {
  InvariantVerdict v;
  v.invariant = "run";
  v.status = Status::Unknown;
  const std::string trials = std::to_string(rec.trials()) + " trial(s)";
  std::string short_of_evidence;
  if (!stop.target_error.empty()) {
    v.summary = "stopped after " + trials + ": the target failed: " + stop.target_error;
  } else if (!stop.local_error.empty()) {
    v.summary = "stopped after " + trials + ": this machine failed (not the target): " + stop.local_error;
  } else if (stop.signal() != 0) {
    v.summary = std::string("interrupted by ") + (stop.signal() == SIGINT ? "SIGINT" : "SIGTERM") + " after " +
                trials + "; the report covers the trials that ran";
  } else if (rec.trials() == 0) {
    std::ostringstream budget;
    budget << options.budget_s;
    v.summary = "no trial ran (search budget " + budget.str() + " s): nothing about the target was judged";
  } else if (rec.judged_trials() == 0) {
    v.summary = "no operation of the " + trials + " completed (all info: " + rec.info_reasons() +
                "): nothing about the target was judged";
  } else if (in.verdicts.overall() != Status::Fail &&
             !(short_of_evidence = rec.evidence().missing(spec, options.min_ok)).empty()) {
    v.summary = "not enough evidence to pass: " + short_of_evidence + ". A pass needs at least " +
                std::to_string(options.min_ok) +
                " ok answer(s) to each state-changing operation sent (--min-ok): check the base URL (--target, "
                "/base_urls), the operations' paths and their classify rules";
  } else {
    return;
  }
  in.verdicts.verdicts.insert(in.verdicts.verdicts.begin(), std::move(v));
}

int exit_code_for(const ReportInput& in, const PropertyRunResult& p, const RunStop& stop) {
  if (in.verdicts.overall() == Status::Fail) return exit_code::kViolation;  // proven, even if the run was cut short
  if (!stop.target_error.empty()) return exit_code::kTarget;
  if (!stop.local_error.empty()) return exit_code::kLocal;
  if (stop.signal() != 0) return exit_code::kInterrupted;
  if (p.inconclusive > 0 || in.verdicts.overall() == Status::Unknown) return exit_code::kInconclusive;
  return exit_code::kOk;
}

// Re-runs `scenario` R times (fewer when the run is stopped) and counts the
// failures. Returns the evidence of the first failing re-run, or of the last
// re-run when none failed; nothing when none ran.
std::optional<TrialEvidence> reproduce(TrialRunner& runner, RunRecorder& rec, const Scenario& scenario, int runs,
                                       ReportInput& in, RunStop& stop) {
  rec.set_phase("reproduce");
  in.repro_runs = 0;
  in.repro_failures = 0;
  std::optional<TrialEvidence> failing, latest;
  for (int i = 0; i < std::max(1, runs) && !stop.stopped(); ++i) {
    std::optional<TrialEvidence> ran = run_trial(runner, scenario, rec, stop);
    if (!ran) break;
    TrialEvidence& t = *ran;
    rec.add(t);
    // Cut short by SIGINT/SIGTERM without failing: says nothing about the rate.
    if (t.exec.interrupted && t.report.overall() != Status::Fail) break;
    ++in.repro_runs;
    if (t.report.overall() == Status::Fail) {
      ++in.repro_failures;
      if (!failing) failing = std::move(t);
    } else {
      latest = std::move(t);
    }
  }
  return failing ? std::move(failing) : std::move(latest);
}

}  // namespace

RunOutcome run_spec(const Spec& spec, const RunOptions& options) {
  RunOutcome out;
  RunRecorder rec(options);
  RunStop stop(options.stop_on_interrupt);
  TrialRunner runner(spec, options.seed, options.check_budget_ms, options.history_path);

  std::optional<TrialEvidence> last;  // the last trial (evidence when everything passed)
  const TrialFn trial = [&](const Scenario& sc) {
    TrialRecord r;
    std::optional<TrialEvidence> ran = run_trial(runner, sc, rec, stop);
    if (!ran) {
      r.verdict = TrialVerdict::Abandoned;
      return r;
    }
    TrialEvidence& t = *ran;
    rec.add(t);
    r.verdict = verdict_of(t.report);
    r.signatures = t.report.failure_signatures();
    r.scenario = sc;
    auto shared = std::make_shared<TrialEvidence>(t);
    r.evidence = shared;
    last = std::move(t);
    return r;
  };

  PropertyRunOptions p;
  p.seed = shard_search_seed(options.seed, options.shard);
  p.probe_part = options.shard.index - 1;
  p.probe_parts = options.shard.total;
  p.max_trials = options.max_trials;
  p.repeat = options.repeat;
  p.reproduce = options.reproduce;
  p.search_deadline = Clock::now() + std::chrono::milliseconds(static_cast<long long>(options.budget_s * 1000));
  p.shrink_budget = std::chrono::milliseconds(static_cast<long long>(options.shrink_budget_s * 1000));
  p.on_trial = [&](const char* phase) { rec.set_phase(phase); };
  p.stop_requested = [&] { return stop.stopped(); };
  out.property = run_property(generator_settings_from_spec(spec), trial, p);

  out.report = base_report(spec, options);
  if (out.property.minimal_failure) {
    // The minimal failure is the evidence; the reproduction rates (the original's
    // and the minimal's) come from fresh re-runs made by run_property.
    const auto minimal = std::static_pointer_cast<TrialEvidence>(out.property.minimal_failure->evidence);
    fill_evidence(out.report, spec, *minimal);
    const PropertyRunResult& property = out.property;
    out.report.repro_runs = property.minimal_runs;
    out.report.repro_failures = property.minimal_failures;
    if (property.kept_shrinks > 0) {  // otherwise the minimal is the original: one rate says it
      out.report.original_repro_runs = property.original_runs;
      out.report.original_repro_failures = property.original_failures;
    }
    out.report.violation_signature = property.signature;
    out.report.shrink_note = property.shrink_note;
  } else if (last) {
    fill_evidence(out.report, spec, *last);
    out.report.minimal_scenario = nullptr;  // nothing failed: there is no minimal scenario
    summarize_run(out.report, rec, rec.stats());
  }
  add_run_verdict(out.report, stop, rec, spec, options);
  rec.set_phase(stop.stopped() ? "stopped" : "done");
  rec.print_progress(true);
  out.report.stats = rec.stats();
  out.report.stats.first_violation_s = out.property.first_failure_seconds;
  out.exit_code = exit_code_for(out.report, out.property, stop);
  out.history_error = runner.history_error();
  return out;
}

RunOutcome replay_scenario(const Spec& spec, const Scenario& scenario, const RunOptions& options) {
  RunOutcome out;
  RunRecorder rec(options);
  RunStop stop(options.stop_on_interrupt);
  TrialRunner runner(spec, options.seed, options.check_budget_ms, options.history_path);
  out.report = base_report(spec, options);
  if (auto evidence = reproduce(runner, rec, scenario, options.reproduce, out.report, stop))
    fill_evidence(out.report, spec, *evidence);
  add_run_verdict(out.report, stop, rec, spec, options);
  rec.set_phase(stop.stopped() ? "stopped" : "done");
  rec.print_progress(true);
  out.report.stats = rec.stats();
  out.exit_code = exit_code_for(out.report, out.property, stop);
  out.history_error = runner.history_error();
  return out;
}

}  // namespace racecheck
