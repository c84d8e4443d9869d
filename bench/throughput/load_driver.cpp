// racecheck's executor as a load generator, with full history recording (every
// event streamed to a JSONL file, as a real run does). C clients each send K
// requests back to back on their keep-alive connection (a staggered scenario
// with stagger 0); scenarios of C x K ops run back to back until the duration or
// the request count is reached, so memory stays bounded by one scenario. The
// first scenario warms the connections up and is not counted.
//
// Used by bench/throughput/run.sh (trivial keep-alive target, a GET) and
// bench/memory/run.sh (the demo bank, 1M requests). Prints one line of
// key=value pairs on stdout; run.sh turns it into a table row.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "harness/executor.h"
#include "harness/history_writer.h"
#include "harness/spec.h"
#include "harness/spec_protocol.h"
#include "harness/trial_sequence.h"

namespace {

using racecheck::json;

// A spec with one operation, "get": GET {path}, 200 = ok. No accounts, no setup.
json trivial_spec(const std::string& url, const std::string& path) {
  return json{
      {"name", "keep-alive target"},
      {"base_urls", {url}},
      {"model", "register"},
      {"operations",
       {{"get", {{"method", "GET"}, {"path", path}, {"classify", {{{"status", 200}, {"outcome", "ok"}}}}}}}},
  };
}

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"racecheck executor as a load generator (history recorded to a file)"};
  std::string url;
  std::string spec_path;
  std::string op_name = "get";
  std::string op_args_text = "{}";
  std::string path = "/";
  std::string history_path;
  int connections = 16;
  int ops_per_client = 256;
  double duration_s = 0;
  long long total_requests = 0;
  app.add_option("--url", url, "target base URL (replaces the spec's base_urls)")->required();
  app.add_option("--spec", spec_path, "spec file (default: a built-in spec with one op \"get\": GET --path)");
  app.add_option("--path", path, "path of the built-in spec's GET");
  app.add_option("--op", op_name, "operation every request runs");
  app.add_option("--args", op_args_text, "the operation's args as JSON, e.g. {\"account\":0,\"amount\":1}");
  app.add_option("--connections", connections, "clients = keep-alive connections")->check(CLI::Range(1, 1024));
  app.add_option("--ops-per-client", ops_per_client, "requests per client per scenario")->check(CLI::Range(1, 1000000));
  app.add_option("--duration-s", duration_s, "run scenarios until this many seconds have passed");
  app.add_option("--requests", total_requests, "run scenarios until this many requests were sent");
  app.add_option("--history", history_path, "history JSONL file (default: a temporary file, deleted at the end)");
  CLI11_PARSE(app, argc, argv);
  if (duration_s <= 0 && total_requests <= 0) {
    std::cerr << "load-bench: give --duration-s or --requests\n";
    return 2;
  }

  racecheck::Spec spec;
  try {
    spec = spec_path.empty() ? racecheck::parse_spec(trivial_spec(url, path), "<built-in>")
                             : racecheck::load_spec_file(spec_path);
    racecheck::override_base_urls(spec, {url});
  } catch (const std::exception& e) {
    std::cerr << "load-bench: " << e.what() << "\n";
    return 2;
  }

  racecheck::Scenario scenario;
  scenario.release = racecheck::Release::Staggered;
  scenario.stagger_us = 0;
  racecheck::ScenarioOp op;
  op.f = op_name;
  op.args = json::parse(op_args_text);
  for (int c = 0; c < connections; ++c) {
    racecheck::ClientProgram client;
    client.ops.assign(static_cast<std::size_t>(ops_per_client), op);
    scenario.clients.push_back(std::move(client));
  }
  try {
    racecheck::check_scenario(spec, scenario, 1);
  } catch (const racecheck::ScenarioError& e) {
    std::cerr << "load-bench: scenario " << e.pointer << ": " << e.reason << "\n";
    return 2;
  }

  bool temporary_history = false;
  if (history_path.empty()) {
    char name[] = "/tmp/racecheck-load-XXXXXX.jsonl";
    const int fd = mkstemps(name, 6);
    if (fd < 0) {
      std::perror("load-bench: mkstemps");
      return 1;
    }
    close(fd);
    history_path = name;
    temporary_history = true;
  }

  racecheck::ExecutorOptions options = racecheck::executor_options(spec);
  options.max_connections = connections;
  racecheck::Executor executor(options);
  std::int64_t sent = 0, ok = 0, not_ok = 0, new_connections = 0;
  long rss_after_first_tenth_kb = -1;
  double seconds = 0;
  try {
    racecheck::JsonlFileSink sink(history_path);
    // The trial sequence a run uses: setup (the demo bank needs an account to
    // exist), the scenario again and again on the same connections, the final
    // read if the spec has one. Its first run opens the connections and is not
    // measured.
    bool warm = false;
    std::int64_t origin = 0;
    std::int64_t stop_ns = 0;
    racecheck::TrialSequenceOptions sequence;
    sequence.account_count = 1;
    sequence.run_again = [&](const racecheck::ExecutorResult& r) {
      const std::int64_t now = racecheck::monotonic_ns();
      if (!warm) {
        warm = true;
        origin = now;
        stop_ns = duration_s > 0 ? origin + static_cast<std::int64_t>(duration_s * 1e9) : INT64_MAX;
        return true;
      }
      sent += r.requests_sent;
      ok += r.ok;
      not_ok += r.fail + r.info;
      new_connections += r.new_connections;
      // Peak RSS once a tenth of the run (by requests or by time) is done: if
      // memory grew with the request count, the final peak would be far above it.
      const bool tenth_by_requests = total_requests > 0 && sent >= total_requests / 10;
      const bool tenth_by_time = duration_s > 0 && now - origin >= static_cast<std::int64_t>(duration_s * 1e8);
      if (rss_after_first_tenth_kb < 0 && (tenth_by_requests || tenth_by_time)) {
        rss_after_first_tenth_kb = peak_rss_kb();
      }
      seconds = static_cast<double>(now - origin) / 1e9;
      return now < stop_ns && (total_requests <= 0 || sent < total_requests);
    };
    racecheck::run_trial_sequence(spec, executor, scenario, sink, sequence);
  } catch (const racecheck::TargetError& e) {
    std::cerr << "load-bench: setup failed: " << e.what() << "\n";
    if (temporary_history) unlink(history_path.c_str());
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "load-bench: " << e.what() << "\n";
    if (temporary_history) unlink(history_path.c_str());
    return 1;
  }
  struct stat st{};
  const long long history_bytes = stat(history_path.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
  if (temporary_history) unlink(history_path.c_str());

  std::printf("requests=%lld ok=%lld not_ok=%lld seconds=%.3f req_per_s=%.0f new_connections=%lld "
              "history_bytes=%lld peak_rss_kb=%ld peak_rss_kb_at_tenth=%ld\n",
              static_cast<long long>(sent), static_cast<long long>(ok), static_cast<long long>(not_ok), seconds,
              static_cast<double>(sent) / seconds, static_cast<long long>(new_connections), history_bytes,
              peak_rss_kb(), rss_after_first_tenth_kb);
  return not_ok == 0 ? 0 : 1;
}
