// `racecheck check H.jsonl --model M`: checks a recorded history offline.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/run_cli.h"
#include "harness/exit_codes.h"
#include "properties/jepsen_import.h"
#include "properties/properties.h"

namespace racecheck {
namespace {

struct CheckArgs {
  std::string path;
  std::string format = "jsonl";
  CheckOptions options;
  std::string html, junit, json;  // report files (reports/)
};

std::string history_error_text(const std::string& path, const HistoryError& e) {
  std::string s = path;
  if (e.line > 0) s += ":" + std::to_string(e.line);
  s += ": ";
  if (!e.field.empty()) s += "field '" + e.field + "': ";
  return s + e.reason;
}

std::string op_line(const Model& model, const Operation& op, int money_scale) {
  std::string s = "    op " + std::to_string(op.id) + ": " + model.describe_op_at_scale(op, money_scale) + "  [process " +
                  std::to_string(op.process);
  if (!op.key.empty()) s += ", key " + op.key + " attempt " + std::to_string(op.attempt);
  if (op.status) s += ", HTTP " + std::to_string(op.status);
  return s + "]";
}

void print_report(std::ostream& out, const Model& model, const std::vector<Operation>& ops,
                  const CheckReport& report, int money_scale) {
  constexpr size_t kMaxOpsShown = 20;
  for (const auto& v : report.verdicts) {
    out << "[" << to_string(v.status) << "] " << v.invariant << ": " << v.summary;
    if (v.elapsed_ms >= 0.05) out << " (" << static_cast<long long>(v.elapsed_ms * 10 + 0.5) / 10.0 << " ms)";
    out << "\n";
    for (const auto& x : v.violations) {
      out << "  " << to_string(x.severity) << ": " << x.explanation << "\n";
      for (size_t i = 0; i < x.ops.size() && i < kMaxOpsShown; ++i)
        if (x.ops[i] >= 0 && static_cast<size_t>(x.ops[i]) < ops.size()) out << op_line(model, ops[x.ops[i]], money_scale) << "\n";
      if (x.ops.size() > kMaxOpsShown) out << "    ... and " << x.ops.size() - kMaxOpsShown << " more ops\n";
    }
  }
  out << "overall: " << to_string(report.overall()) << "\n";
}

// "unknown model 'bank' (known: account, ...)"; CLI11 puts the flag in front.
CLI::Validator one_of(const std::string& what, std::vector<std::string> names) {
  return CLI::Validator(
      [what, names](std::string& text) -> std::string {
        if (std::find(names.begin(), names.end(), text) != names.end()) return "";
        std::string known;
        for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
        return "unknown " + what + " '" + text + "' (known: " + known + ")";
      },
      what);
}

// Why nothing in the history can be judged ("" when an operation completed ok
// or fail). Setup is not under test: events of process < 0 (a run's setup and
// final reads) and "open" ops (the account model's initial balances).
std::string nothing_judged_in(const std::vector<Event>& events, const std::vector<PairingResult>& trials) {
  if (events.empty()) return "the history has no events: nothing to judge";
  std::size_t open = 0, info = 0, tested = 0;
  for (const auto& trial : trials) {
    for (const auto& op : trial.ops) {
      if (op.process < 0 || op.f == "open") continue;
      ++tested;
      if (op.outcome != Outcome::Info) return "";
      if (op.complete_event < 0) ++open;
      else ++info;
    }
  }
  if (tested == 0) return "no operation under test (every event is setup or a final read): nothing to judge";
  return "no operation completed ok or fail (" + std::to_string(open) + " never completed, " + std::to_string(info) +
         " ended info): nothing to judge";
}

int run_check(const CheckArgs& args) {
  try {
    check_output_paths({{"--html", args.html}, {"--junit", args.junit}, {"--json", args.json}});
  } catch (const CLI::ValidationError& e) {
    std::cerr << "racecheck check: " << e.what() << "\n";
    return exit_code::kUsage;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(args.path, ec)) {
    std::cerr << "racecheck check: cannot read " << args.path << ": it is a directory\n";
    return exit_code::kUsage;
  }
  std::ifstream in(args.path, std::ios::binary);
  if (!in) {
    std::cerr << "racecheck check: cannot read " << args.path << ": " << std::strerror(errno) << "\n";
    return exit_code::kUsage;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    std::cerr << "racecheck check: error reading " << args.path << "\n";
    return exit_code::kUsage;
  }

  std::vector<Event> events;
  try {
    if (args.format == "jsonl") {
      ParsedHistory parsed = parse_history_jsonl(text.str());
      if (parsed.truncated_tail)
        std::cerr << args.path << ": note: the last line is incomplete (a run killed mid-write); ignored\n";
      events = std::move(parsed.events);
    } else if (args.format == "jepsen-etcd") {
      events = import_jepsen_etcd(text.str());
    } else {
      events = import_jepsen_kv(text.str());
    }
  } catch (const HistoryError& e) {
    std::cerr << history_error_text(args.path, e) << "\n";
    return exit_code::kUsage;
  }

  // A `racecheck run --history` file holds every trial: each is a history of
  // its own (the target was reset in between), checked on its own.
  std::vector<std::vector<Event>> trials = split_trials(events);
  if (trials.empty()) trials.emplace_back();  // an empty history: one trial with no ops
  const bool several = trials.size() > 1;
  const std::unique_ptr<Model> model = make_model(args.options.model);
  Status overall = Status::Pass;
  std::size_t shown = 0;  // the trial whose evidence goes into the report files
  std::vector<CheckReport> reports(trials.size());
  std::vector<PairingResult> pairings(trials.size());
  for (std::size_t t = 0; t < trials.size(); ++t) {
    const std::string label = several ? args.path + " trial " + std::to_string(trials[t].front().trial) : args.path;
    pairings[t] = pair_operations(trials[t]);
    const PairingResult& paired = pairings[t];
    for (const auto& p : paired.problems) std::cerr << label << ": warning: " << p << "\n";
    try {
      reports[t] = check_operations(paired.ops, args.options);
    } catch (const CheckUsageError& e) {
      std::cerr << "racecheck check: " << e.what() << "\n";
      return exit_code::kUsage;
    } catch (const ModelInputError& e) {
      const Operation& op = paired.ops.at(e.op_id);
      std::cerr << label << ": op " << e.op_id << " (" << op.f << ", event " << op.invoke_event
                << "): field '" << e.field << "': " << e.reason << " (model " << args.options.model << ")\n";
      return exit_code::kUsage;
    }
    std::cout << label << ": " << paired.ops.size() << " ops, model " << args.options.model << "\n";
    print_report(std::cout, *model, paired.ops, reports[t], args.options.money_scale);
    const Status status = reports[t].overall();
    const auto rank = [](Status s) { return s == Status::Fail ? 2 : s == Status::Unknown ? 1 : 0; };
    if (rank(status) > rank(overall)) {
      overall = status;
      shown = t;
    } else if (rank(status) == rank(overall) && overall == Status::Pass) {
      shown = t;  // nothing failed: the last trial
    }
  }
  // An empty history, or one whose operations never completed, passes every
  // checker vacuously: that is no evidence, so no pass. A "history" verdict
  // (unknown) says so in every report.
  const std::string nothing_judged = nothing_judged_in(events, pairings);
  if (!nothing_judged.empty()) {
    InvariantVerdict v;
    v.invariant = "history";
    v.status = Status::Unknown;
    v.summary = nothing_judged;
    reports[shown].verdicts.insert(reports[shown].verdicts.begin(), std::move(v));
    if (overall != Status::Fail) overall = Status::Unknown;
    std::cerr << "racecheck check: " << args.path << ": inconclusive: " << nothing_judged << "\n";
  }
  if (several) std::cout << trials.size() << " trials, overall: " << to_string(overall) << "\n";
  ReportInput files;
  files.title = "racecheck check: " + args.path;
  files.target = args.path;
  files.command = "racecheck check " + args.path + " --model " + args.options.model;
  if (!trials.empty()) {
    files.verdicts = reports[shown];
    files.history = trials[shown];
    files.ops = pairings[shown].ops;
  }
  const int code = overall == Status::Fail      ? exit_code::kViolation
                   : overall == Status::Unknown ? exit_code::kInconclusive
                                                : exit_code::kOk;
  return exit_code_after_writes(code, write_report_files(args.html, args.junit, args.json, files));
}

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand("check", "check a recorded history offline against a model");
  cmd->add_option("history", args->path, "history file (JSONL events, or a Jepsen log with --format)")
      ->required();
  std::string models;
  for (const auto& n : model_names()) models += (models.empty() ? "" : "|") + n;
  // Names are checked while parsing, so the message names the flag (and comes
  // before the history is read).
  cmd->add_option("--model", args->options.model, "model: " + models)->required()->check(one_of("model", model_names()));
  cmd->add_option("--format", args->format, "input format")
      ->check(CLI::IsMember({"jsonl", "jepsen-etcd", "jepsen-kv"}));
  std::string invariants;
  for (const auto& n : invariant_names()) invariants += (invariants.empty() ? "" : "|") + n;
  cmd->add_option("--invariant", args->options.invariants,
                  "invariant to check (repeatable; default: all that apply): " + invariants)
      ->check(one_of("invariant", invariant_names()));
  cmd->add_option("--volatile", args->options.volatile_fields,
                  "JSON pointer of a response field that may differ between replays (repeatable)");
  cmd->add_option("--money-scale", args->options.money_scale,
                  "decimal places of the history's money: amounts and balances are whole minor units (docs/history.md)")
      ->check(CLI::Range(0, 18));
  cmd->add_option("--budget-ms", args->options.budget_ms, "linearizability time budget in ms")
      ->check(finite_number())->check(CLI::PositiveNumber);
  cmd->add_option("--html", args->html, "write the HTML report here");
  cmd->add_option("--junit", args->junit, "write JUnit XML here");
  cmd->add_option("--json", args->json, "write the JSON result here");
  cmd->callback([args, &exit_code] { exit_code = run_check(*args); });
}

}  // namespace racecheck
