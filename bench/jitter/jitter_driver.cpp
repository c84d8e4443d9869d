// Jitter benchmark driver (bench/jitter/run.sh): how close together do the
// requests of one burst reach the server when every TCP connection has its own
// network delay, and how likely is one trial to expose a race window?
//
// One trial = one `racecheck exec` of a scenario of N clients sending one POST
// each, against the arrival recorder (arrival_recorder.h, in this process),
// either through the jitter proxy (racecheck-jitter-proxy: each connection
// delayed by its own uniform 0..D ms) or directly. Modes (racecheck's own flags):
//   plain          scenario release "staggered", stagger 0: nothing held back
//   last-byte      release "burst" over HTTP/1.1: last bytes held, released together
//   single-packet  release "burst" with --http2 --release single-packet: one
//                  HTTP/2 connection, every final frame in one write
// A mode the racecheck binary rejects (exit 2 on its flags) is reported as not
// available. Modes alternate trial by trial, so drift affects all alike.
//
// Per trial: spread = last arrival - first arrival; the trial exposes a race
// window w when its two earliest arrivals are at most w apart (a read-wait-write
// window of w opened by the first request is still open when the second comes).
//
// Output, one line per cell (run.sh turns it into the table):
//   cell TARGET N MODE TRIALS FAILED MEDIAN_US MED_LO_US MED_HI_US P95_US
//        HITS10 HITS100 HITS1000 CONNECTIONS PROTOCOL
// plus "param delay_ms D", "unavailable MODE REASON" and "note TEXT" lines.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/jitter/arrival_recorder.h"
#include "bench/jitter/child_process.h"

namespace rb = racecheck::bench;
using Clock = std::chrono::steady_clock;

namespace {

const std::vector<std::int64_t> kWindowsNs{10'000, 100'000, 1'000'000};

struct Mode {
  std::string name;
  std::string release;             // the scenario's release
  std::vector<std::string> flags;  // extra flags of `racecheck exec`
};

const std::vector<Mode> kModes{
    {"plain", "staggered", {}},
    {"last-byte", "burst", {}},
    {"single-packet", "burst", {"--http2", "--release", "single-packet"}},
};

struct Cell {
  int trials = 0;
  int failed = 0;
  std::vector<double> spreads_ns;
  std::vector<int> hits = std::vector<int>(kWindowsNs.size(), 0);
  std::vector<double> connections;
  std::set<std::string> protocols;
  std::string first_failure;
  int first_failure_exit = 0;
  std::string first_failure_message;  // the first line of its stderr
};

// One POST per account-0 withdrawal; no final read, nothing checked: the
// recorder answers every request with 200.
const char* kSpec = R"({
  "name": "jitter bench",
  "base_urls": ["http://127.0.0.1:1"],
  "accounts": {"id": "{index}"},
  "operations": {
    "withdraw": {"method": "POST", "path": "/withdraw/{account}", "body": {"amount": "{amount}"},
                 "classify": [{"status": 200, "outcome": "ok"}]}
  },
  "invariants": ["no-overdraft"]
}
)";

std::string scenario_json(int n, const std::string& release) {
  std::string clients;
  for (int i = 0; i < n; ++i) {
    clients += (i ? ", " : "") + std::string(R"({"ops": [{"f": "withdraw", "args": {"amount": 1, "account": 0}}]})");
  }
  return R"({"release": ")" + release + R"(", "stagger_us": 0, "clients": [)" + clients + "]}\n";
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string mode_flags(const Mode& mode) {
  std::string text;
  for (const auto& flag : mode.flags) text += (text.empty() ? "" : " ") + flag;
  return text;
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? "(no message)" : line;
}

class Bench {
 public:
  Bench(std::string racecheck, std::filesystem::path work) : racecheck_(std::move(racecheck)), work_(std::move(work)) {
    write_text(work_ / "spec.json", kSpec);
  }

  rb::ArrivalRecorder& recorder() { return recorder_; }

  // Runs one trial of `mode` with N = n against `url` and adds it to `cell`.
  void trial(const Mode& mode, int n, const std::string& url, Cell& cell) {
    const auto scenario = work_ / ("scenario-" + mode.release + "-" + std::to_string(n) + ".json");
    if (!std::filesystem::exists(scenario)) write_text(scenario, scenario_json(n, mode.release));
    recorder_.take_arrivals();
    std::vector<std::string> argv{racecheck_, "exec", (work_ / "spec.json").string(), scenario.string(),
                                  "--history", "/dev/null", "--target", url};
    argv.insert(argv.end(), mode.flags.begin(), mode.flags.end());
    const rb::CommandResult run = rb::run_command(argv, (work_ / "exec.err").string(), std::chrono::seconds(20));
    // The recorder notes an arrival before it answers, and exec ends after its
    // last answer: every arrival of this trial is in. A request that got no
    // answer (exec records it as info) makes the trial a failed one.
    std::vector<rb::Arrival> arrivals = recorder_.take_arrivals();
    ++cell.trials;
    if (run.exit_code != 0 || arrivals.size() != static_cast<std::size_t>(n)) {
      ++cell.failed;
      if (cell.first_failure.empty()) {
        cell.first_failure_exit = run.exit_code;
        cell.first_failure_message = first_line(run.err);
        cell.first_failure = "exit " + std::to_string(run.exit_code) + ", " + std::to_string(arrivals.size()) + "/" +
                             std::to_string(n) + " arrivals: " + cell.first_failure_message;
      }
      return;
    }
    std::sort(arrivals.begin(), arrivals.end(), [](const rb::Arrival& a, const rb::Arrival& b) { return a.ns < b.ns; });
    cell.spreads_ns.push_back(static_cast<double>(arrivals.back().ns - arrivals.front().ns));
    const std::int64_t first_gap = n >= 2 ? arrivals[1].ns - arrivals[0].ns : 0;
    for (std::size_t w = 0; w < kWindowsNs.size(); ++w) {
      if (first_gap <= kWindowsNs[w]) ++cell.hits[w];
    }
    std::set<std::uint64_t> connections;
    for (const auto& a : arrivals) {
      connections.insert(a.connection);
      cell.protocols.insert(a.http2 ? "h2" : "http/1.1");
    }
    cell.connections.push_back(static_cast<double>(connections.size()));
  }

  // Whether the racecheck binary takes this mode's flags: one trial directly
  // against the recorder; exit 2 (usage) means it does not.
  std::string unavailable_reason(const Mode& mode) {
    Cell probe;
    trial(mode, 2, "http://127.0.0.1:" + std::to_string(recorder_.port()), probe);
    if (probe.failed == 0) return "";
    // Any other failure is the target's or the trial's: measured and reported as such.
    return probe.first_failure_exit == 2 ? "racecheck exec " + mode_flags(mode) + ": " + probe.first_failure_message : "";
  }

 private:
  std::string racecheck_;
  std::filesystem::path work_;
  rb::ArrivalRecorder recorder_;
};

// The median and a distribution-free 95% interval for it: the order statistics
// at ranks n/2 -+ 0.98 sqrt(n) (the binomial(n, 1/2) normal approximation).
struct MedianInterval {
  double median = -1, lo = -1, hi = -1;
};

MedianInterval median_interval(std::vector<double> v) {
  MedianInterval m;
  if (v.empty()) return m;
  std::sort(v.begin(), v.end());
  const double n = static_cast<double>(v.size());
  const auto rank = [&](double r) { return v[static_cast<std::size_t>(std::clamp(r, 1.0, n)) - 1]; };
  m.median = v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  m.lo = rank(std::floor(n / 2 - 0.98 * std::sqrt(n)));
  m.hi = rank(std::ceil(n / 2 + 1 + 0.98 * std::sqrt(n)));
  return m;
}

double p95(std::vector<double> v) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(v.size())));
  return v[std::max<std::size_t>(rank, 1) - 1];
}

void print_cell(const std::string& target, int n, const std::string& mode, const Cell& c) {
  const MedianInterval m = median_interval(c.spreads_ns);
  const MedianInterval conns = median_interval(c.connections);
  std::string protocols;
  for (const auto& p : c.protocols) protocols += (protocols.empty() ? "" : "+") + p;
  std::printf("cell %s %d %s %d %d %.1f %.1f %.1f %.1f %d %d %d %.0f %s\n", target.c_str(), n, mode.c_str(), c.trials,
              c.failed, m.median / 1000, m.lo / 1000, m.hi / 1000, p95(c.spreads_ns) / 1000, c.hits[0], c.hits[1],
              c.hits[2], conns.median, protocols.empty() ? "-" : protocols.c_str());
  if (!c.first_failure.empty()) {
    std::printf("note %s N=%d %s: %d of %d trials failed, first: %s\n", target.c_str(), n, mode.c_str(), c.failed,
                c.trials, c.first_failure.c_str());
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"jitter bench: arrival spread and race-window exposure behind a per-connection delay"};
  std::string racecheck, proxy;
  std::vector<int> sizes{2, 8, 32};
  std::vector<std::string> targets{"proxy", "direct"};
  int max_trials = 300;
  double budget_s = 240, delay_ms = 5;
  std::uint64_t seed = 1;
  app.add_option("--racecheck", racecheck, "the racecheck binary")->required()->check(CLI::ExistingFile);
  app.add_option("--proxy", proxy, "the racecheck-jitter-proxy binary")->required()->check(CLI::ExistingFile);
  app.add_option("--sizes", sizes, "burst sizes N")->check(CLI::Range(2, 128));
  app.add_option("--targets", targets, "proxy (through the jitter proxy) and/or direct")
      ->check(CLI::IsMember({"proxy", "direct"}));
  // The last of a repeated --trials / --budget-s wins: run.sh passes its
  // defaults first, so its own arguments can override them.
  app.add_option("--trials", max_trials, "at most this many trials per mode and cell")
      ->check(CLI::Range(1, 100000))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--budget-s", budget_s, "time for every trial together, split evenly between the cells")
      ->check(CLI::Range(1.0, 3600.0))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--delay-ms", delay_ms, "the proxy's delay bound D: each connection uniform in [0, D] ms")
      ->check(CLI::Range(0.0, 1000.0));
  app.add_option("--seed", seed, "the proxy's seed");
  CLI11_PARSE(app, argc, argv);

  std::string tmpl = (std::filesystem::temp_directory_path() / "racecheck-jitter-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::fprintf(stderr, "jitter bench: cannot make a temporary directory\n");
    return 1;
  }
  const std::filesystem::path work = tmpl;
  int rc = 0;
  try {
    Bench bench(racecheck, work);
    const std::string direct_url = "http://127.0.0.1:" + std::to_string(bench.recorder().port());
    std::printf("param delay_ms %g\n", delay_ms);
    std::vector<Mode> modes;
    for (const Mode& mode : kModes) {
      const std::string reason = bench.unavailable_reason(mode);
      if (reason.empty()) {
        modes.push_back(mode);
      } else {
        std::printf("unavailable %s %s\n", mode.name.c_str(), reason.c_str());
      }
    }
    // The proxy outlives the budget a little, never the benchmark by much.
    const std::string stats_path = (work / "proxy-stats.txt").string();
    auto jitter = std::make_unique<rb::ServerProcess>(std::vector<std::string>{
        proxy, "--upstream", "127.0.0.1:" + std::to_string(bench.recorder().port()), "--delay-ms",
        std::to_string(delay_ms), "--seed", std::to_string(seed), "--max-seconds",
        std::to_string(static_cast<int>(budget_s) + 120), "--stats", stats_path});
    const double cell_budget_s = budget_s / static_cast<double>(targets.size() * sizes.size());
    for (const std::string& target : targets) {
      const std::string url = target == "proxy" ? jitter->url() : direct_url;
      for (int n : sizes) {
        std::map<std::string, Cell> cells;
        const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(cell_budget_s));
        for (int t = 0; t < max_trials && Clock::now() < end; ++t) {
          // Rotating the order: no mode always runs right after another.
          for (std::size_t k = 0; k < modes.size(); ++k) {
            const Mode& mode = modes[(k + static_cast<std::size_t>(t)) % modes.size()];
            bench.trial(mode, n, url, cells[mode.name]);
          }
        }
        for (const Mode& mode : modes) print_cell(target, n, mode.name, cells[mode.name]);
        std::fprintf(stderr, "jitter bench: %s N=%d done\n", target.c_str(), n);
      }
    }
    jitter.reset();  // stopped: it writes its lateness figures
    std::ifstream stats(stats_path);
    std::string line;
    if (std::getline(stats, line)) {
      // A proxy that sleeps through several due times sends those chunks together,
      // shrinking the spreads it was meant to add: the reader sees how much.
      std::printf("note how late the proxy sent chunks after their due time (µs): %s\n", line.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "jitter bench: %s\n", e.what());
    rc = 1;
  }
  std::error_code ignored;
  std::filesystem::remove_all(work, ignored);
  return rc;
}
