// `racecheck exec SPEC SCENARIO --history H.jsonl [--target URL]... [--seed N]`:
// runs one saved scenario against the target once, through the same trial
// sequence as `racecheck run` (harness/trial_sequence.h), streams the history to
// H.jsonl and prints what the executor saw. No checking: `racecheck check
// H.jsonl` does that.
#include <signal.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "cli/run_cli.h"
#include "harness/executor.h"
#include "harness/exit_codes.h"
#include "harness/history_writer.h"
#include "harness/idempotency_keys.h"
#include "harness/interrupt.h"
#include "harness/local_error.h"
#include "harness/spec.h"
#include "harness/spec_protocol.h"
#include "harness/trial_sequence.h"
#include "harness/transport_report.h"

namespace racecheck {
namespace {

struct ExecArgs {
  std::string spec_path;
  std::string scenario_path;
  std::string history_path;
  std::vector<std::string> targets;
  TransportFlags transport;
  int accounts = 0;
  std::optional<std::uint64_t> seed;
  std::string release = "last-byte";
};

// The number of accounts a scenario needs: its largest "account" argument + 1,
// at least the spec's default.
int accounts_needed(const Spec& spec, const Scenario& scenario) {
  int count = spec.accounts.count;
  for (const auto& client : scenario.clients) {
    for (const auto& op : client.ops) {
      if (op.args.is_object() && op.args.contains("account") && op.args["account"].is_number_integer()) {
        count = std::max(count, op.args["account"].get<int>() + 1);
      }
    }
  }
  return count;
}

std::string microseconds(std::int64_t ns) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1f us", static_cast<double>(ns) / 1000.0);
  return buffer;
}

int run_exec(const ExecArgs& args) {
  Spec spec;
  Scenario scenario;
  std::optional<std::uint64_t> seed = args.seed;
  try {
    spec = load_spec_file(args.spec_path);
    if (!args.targets.empty()) apply_target_flags(spec, args.targets);
    apply_transport_flags(spec, args.transport);
    apply_release_flag(spec, args.release);
  } catch (const SpecError& e) {
    std::cerr << "racecheck exec: " << e.what() << "\n";
    return exit_code::kUsage;
  } catch (const CLI::ValidationError& e) {  // a bad --target or --release
    std::cerr << "racecheck exec: " << e.what() << "\n";
    return exit_code::kUsage;
  }
  try {
    std::ifstream in(args.scenario_path, std::ios::binary);
    if (!in) {
      std::cerr << "racecheck exec: cannot read " << args.scenario_path << ": " << std::strerror(errno) << "\n";
      return exit_code::kUsage;
    }
    std::ostringstream text;
    text << in.rdbuf();
    json j = json::parse(text.str());
    // A saved run result holds the scenario under "minimal_scenario" or "scenario",
    // and the seed its run used: without --seed, that seed picks the instances again.
    if (!seed && j.is_object() && j.contains("seed") && j["seed"].is_number_unsigned()) {
      seed = j["seed"].get<std::uint64_t>();
    }
    if (j.is_object() && !j.contains("clients")) {
      if (j.contains("minimal_scenario")) j = j["minimal_scenario"];
      else if (j.contains("scenario")) j = j["scenario"];
    }
    scenario = scenario_from_json(j);
  } catch (const json::parse_error& e) {
    std::cerr << "racecheck exec: " << args.scenario_path << ": not JSON: " << e.what() << "\n";
    return exit_code::kUsage;
  } catch (const ScenarioError& e) {
    std::cerr << "racecheck exec: " << args.scenario_path << ": " << e.pointer << ": " << e.reason << "\n";
    return exit_code::kUsage;
  }
  const int account_count = args.accounts > 0 ? args.accounts : accounts_needed(spec, scenario);
  try {
    check_scenario(spec, scenario, account_count);
  } catch (const ScenarioError& e) {
    std::cerr << "racecheck exec: " << args.scenario_path << ": " << e.pointer << ": " << e.reason << "\n";
    return exit_code::kUsage;
  }

  std::unique_ptr<JsonlFileSink> file;
  try {
    file = std::make_unique<JsonlFileSink>(args.history_path);
  } catch (const std::exception& e) {
    std::cerr << "racecheck exec: " << e.what() << "\n";
    return exit_code::kUsage;
  }
  // A write that fails later (a full disk) is reported at the end: the run
  // goes on, so what the executor saw is still printed.
  auto sink = std::make_unique<FailSoftSink>(*file);

  // A saved scenario's "key" fields are key groups: this run sends keys of its
  // own, so that a store that kept the keys of an earlier run never replays them.
  scenario = with_idempotency_keys(scenario, spec, new_run_id(), 1);

  // Ctrl-C or SIGTERM ends the requests in flight as info "interrupted" and
  // skips the final read; the history keeps what ran (exit 5).
  InterruptGuard interrupt;
  TrialSequenceOptions options;
  options.account_count = account_count;
  options.seed = seed.value_or(0);
  TrialSequenceResult trial;
  try {
    Executor executor(executor_options(spec));
    trial = run_trial_sequence(spec, executor, scenario, *sink, options);
  } catch (const TargetError& e) {
    std::cerr << "racecheck exec: setup failed: " << e.what() << "\n";
    return exit_code::kTarget;
  } catch (const LocalError& e) {
    std::cerr << "racecheck exec: this machine: " << e.what() << "\n";
    return exit_code::kLocal;
  } catch (const std::exception& e) {
    std::cerr << "racecheck exec: " << e.what() << "\n";
    return exit_code::kInternal;
  }
  const ExecutorResult& result = trial.exec;

  std::cout << "requests: " << result.requests_sent << " (" << result.requests_fully_sent << " fully sent)"
            << "  ok " << result.ok << "  fail " << result.fail << "  info " << result.info << "\n";
  for (const auto& [reason, n] : result.info_reasons) std::cout << "  info " << reason << ": " << n << "\n";
  if (result.burst_spread_ns >= 0) {
    std::cout << "burst: " << result.burst_synchronized << " held by their last byte, spread "
              << microseconds(result.burst_spread_ns);
    if (result.burst_unsynchronized > 0) std::cout << "; " << result.burst_unsynchronized << " bodyless sent unsynchronized";
    if (result.burst_park_timed_out) std::cout << "; released before all had parked";
    std::cout << "\n";
  }
  if (!result.protocol.empty()) std::cout << "protocol: " << result.protocol << "\n";
  if (const std::string fallback = protocol_fallback_warning(spec, result.protocol); !fallback.empty())
    std::cerr << "racecheck exec: warning: " << fallback << "\n";
  if (spec.transport.tls.insecure) std::cerr << "racecheck exec: warning: TLS verification OFF (--insecure)\n";
  for (const auto& write : result.single_packet_writes) {
    std::cout << "single packet: " << write.streams << " final frames in one write of " << write.final_write_bytes
              << " bytes (" << write.segments << " TCP segment" << (write.segments == 1 ? "" : "s") << ")\n";
  }
  std::cout << "elapsed: " << microseconds(result.elapsed_ns) << ", new connections: " << result.new_connections
            << "\n";
  if (trial.final_read) {
    for (std::size_t i = 0; i < trial.final_read->balances.size(); ++i) {
      const auto& balance = trial.final_read->balances[i];
      if (balance) std::cout << "account " << i << " final balance: " << *balance << "\n";
    }
  }
  std::cout << "history: " << args.history_path << "\n" << std::flush;
  if (!sink->error().empty()) {
    std::cerr << "racecheck exec: cannot write the history: " << sink->error() << "\n";
    return exit_code::kLocal;
  }
  if (const int signal_number = interrupt_signal(); signal_number != 0) {
    std::cerr << "racecheck exec: interrupted by " << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
              << ": the requests in flight are info \"interrupted\", no final read was made\n";
    return exit_code::kInterrupted;
  }
  if (trial.final_read && !trial.final_read->complete()) {
    for (const auto& p : trial.final_read->problems) std::cerr << "racecheck exec: final read: " << p << "\n";
    return exit_code::kTarget;
  }
  return exit_code::kOk;
}

}  // namespace

void add_exec_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ExecArgs>();
  CLI::App* cmd = app.add_subcommand("exec", "run one saved scenario once against the target, writing its history");
  cmd->add_option("spec", args->spec_path, "target spec (JSON)")->required();
  cmd->add_option("scenario", args->scenario_path, "scenario JSON (or a result file holding one)")->required();
  cmd->add_option("--history", args->history_path, "history output (JSONL), streamed as events happen")->required();
  cmd->add_option("--target", args->targets, "base URL replacing the spec's (repeatable: one per instance)");
  add_transport_flags(cmd, args->transport);
  cmd->add_option("--accounts", args->accounts, "number of accounts to set up (default: what the scenario uses)");
  cmd->add_option_function<std::uint64_t>(
      "--seed", [args](std::uint64_t s) { args->seed = s; },
      "seed of the \"random\" distribution (default: the saved result's seed, else 0)");
  add_release_flag(cmd, args->release);
  cmd->callback([args, &exit_code] { exit_code = run_exec(*args); });
}

}  // namespace racecheck
