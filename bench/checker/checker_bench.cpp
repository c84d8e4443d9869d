// Times the linearizability checker, single thread, in-process, excluding parsing:
// (1) every file of Porcupine's corpus, median of repeated checks, next to
//     Porcupine's recorded CheckEvents 1-thread median and the ratio;
// (2) generated kv histories of 1k / 10k / 100k ops spread over many keys;
// (3) one unpartitioned register with many indeterminate (info) ops, where the
//     search blows up: the checker must answer Unknown within its budget.
// Usage: checker_bench [corpus_dir] [--min-ms N] [--only SUBSTRING]
// (--only selects corpus files and generated cases whose name contains SUBSTRING)
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "properties/basic_models.h"
#include "properties/jepsen_import.h"
#include "properties/linearizability.h"

using namespace racecheck;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

struct Timing {
  double median_ms = 0;
  double min_ms = 0;
  int reps = 0;
  Status status = Status::Unknown;
  std::uint64_t configurations = 0;
  std::uint64_t steps = 0;
};

// Repeats the check until min_total_ms has passed (at least 3, at most 1000 runs).
Timing time_check(const Model& model, const std::vector<Operation>& ops, const LinearizabilityOptions& opts,
                  double min_total_ms) {
  std::vector<double> samples;
  double total = 0;
  Timing t;
  while ((samples.size() < 3 || total < min_total_ms) && samples.size() < 1000) {
    const auto start = Clock::now();
    const LinearizabilityResult r = check_linearizability_detailed(model, ops, opts);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    t.status = r.status;
    t.configurations = t.steps = 0;
    for (const auto& p : r.partitions) {
      t.configurations += p.configurations;
      t.steps += p.steps;
    }
    samples.push_back(ms);
    total += ms;
  }
  std::sort(samples.begin(), samples.end());
  t.median_ms = samples[samples.size() / 2];
  t.min_ms = samples.front();
  t.reps = static_cast<int>(samples.size());
  return t;
}

const char* verdict_word(Status s) {
  switch (s) {
    case Status::Pass: return "Ok";
    case Status::Fail: return "Illegal";
    case Status::Unknown: return "Unknown";
    default: return "?";
  }
}

// A history that some sequential order explains: op i takes effect at time 10*i,
// its interval stretches a random amount either side (overlapping its neighbours).
// `info_share` of the ops are indeterminate: their effect happened or not, and they
// never return.
std::vector<Operation> generated_kv(int n, int keys, int spread, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> value(static_cast<std::size_t>(keys));
  std::vector<Operation> ops(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    Operation& op = ops[static_cast<std::size_t>(i)];
    op.id = i;
    op.process = i;
    const int k = static_cast<int>(rng() % static_cast<std::uint64_t>(keys));
    const std::string key = std::to_string(k);
    const int kind = static_cast<int>(rng() % 3);
    const std::int64_t at = 10LL * i;
    op.call = at - static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(10 * spread + 1));
    op.ret = at + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(10 * spread + 1));
    op.outcome = Outcome::Ok;
    std::string& v = value[static_cast<std::size_t>(k)];
    if (kind == 0) {
      op.f = "get";
      op.input = json{{"key", key}};
      op.output = json{{"key", key}, {"value", v}};
    } else {
      const std::string s = "x" + std::to_string(i) + " ";
      op.f = kind == 1 ? "put" : "append";
      op.input = json{{"key", key}, {"value", s}};
      op.output = op.input;
      v = kind == 1 ? s : v + s;
    }
  }
  return ops;
}

std::vector<Operation> generated_register_with_info(int n, int spread, double info_share, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  json reg = nullptr;
  std::vector<Operation> ops(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    Operation& op = ops[static_cast<std::size_t>(i)];
    op.id = i;
    op.process = i;
    const std::int64_t at = 10LL * i;
    op.call = at - static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(10 * spread + 1));
    op.ret = at + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(10 * spread + 1));
    const int kind = static_cast<int>(rng() % 3);
    const bool info = kind != 0 && unit(rng) < info_share;
    const bool applied = !info || unit(rng) < 0.5;
    const int v = static_cast<int>(rng() % 5);
    op.outcome = info ? Outcome::Info : Outcome::Ok;
    if (info) op.ret = kNever;
    if (kind == 0) {
      op.f = "read";
      op.output = json{{"value", reg}};
    } else if (kind == 1) {
      op.f = "write";
      op.input = json{{"value", v}};
      if (applied) reg = v;
    } else {
      op.f = "cas";
      const int from = static_cast<int>(rng() % 5);
      op.input = json{{"from", from}, {"to", v}};
      const bool matches = reg == json(from);
      if (!info) op.outcome = matches ? Outcome::Ok : Outcome::Fail;
      if (matches && applied) reg = v;
    }
  }
  return ops;
}

// A generated case: its name (for --only), the history, the model, the limits.
struct GeneratedCase {
  std::string name;
  std::vector<Operation> ops;
  const Model* model;
  LinearizabilityOptions options;
};

// The adversarial register: 40 concurrent indeterminate writes of distinct values,
// then a read of a value nobody wrote. Refuting it means trying every order of
// every subset of the writes: the answer must be Unknown within the budget, not OOM.
std::vector<Operation> concurrent_info_writes() {
  std::vector<Operation> ops;
  for (int i = 0; i < 40; ++i) {
    Operation op;
    op.id = i;
    op.f = "write";
    op.input = json{{"value", i}};
    op.outcome = Outcome::Info;
    op.call = i;
    op.ret = kNever;
    ops.push_back(op);
  }
  Operation read;
  read.id = 40;
  read.f = "read";
  read.output = json{{"value", -1}};
  read.outcome = Outcome::Ok;
  read.call = 100;
  read.ret = 200;
  ops.push_back(read);
  return ops;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = fs::path(RACECHECK_SOURCE_DIR) / ".." / "shared" / "corpus" / "porcupine";
  double min_ms = 300;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--min-ms") && i + 1 < argc) min_ms = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    else dir = argv[i];
  }
  const auto selected = [&](const std::string& name) { return only.empty() || name.find(only) != std::string::npos; };
  if (!fs::exists(dir / "expected.json")) {
    std::fprintf(stderr, "checker_bench: corpus not found at %s (pass its directory)\n", dir.c_str());
    return 2;
  }
  const json expected = json::parse(read_file(dir / "expected.json"));
  const json timings = json::parse(read_file(dir / "porcupine_timings.json"));
  const auto reg = make_register_model();
  const auto kv = make_kv_model();
  LinearizabilityOptions opts;
  opts.budget_ms = 60000;

  struct Row {
    std::string name;
    bool is_kv;
    double ours_ms, porc_ms;
  };
  std::vector<Row> rows;
  std::vector<std::pair<std::vector<Operation>, bool>> parsed;  // for the one-shot pass
  int agreed = 0, scored = 0;
  std::printf("%-22s %5s %8s %8s %11s %12s %8s %10s %11s\n", "file", "ops", "expect", "ours", "ours ms",
              "porc 1thr ms", "ratio", "configs", "steps");
  const auto suite_start = Clock::now();
  for (const auto& [name, info] : expected.at("files").items()) {
    if (!selected(name)) continue;
    const bool is_kv = info.at("model") == "kv-append";
    const std::string text = read_file(dir / name);
    auto ops = pair_operations(is_kv ? import_jepsen_kv(text) : import_jepsen_etcd(text)).ops;
    const Timing t = time_check(is_kv ? *kv : *reg, ops, opts, min_ms);
    const double porc = timings.at("files").at(name).at("events_gomaxprocs1").at("median_ms").get<double>();
    std::string want = info.at("linearizable").is_null() ? "-" : info.at("linearizable").get<bool>() ? "Ok" : "Illegal";
    if (want != "-") {
      ++scored;
      agreed += want == verdict_word(t.status);
    }
    std::printf("%-22s %5zu %8s %8s %11.4f %12.4f %8.3f %10llu %11llu\n", name.c_str(), ops.size(), want.c_str(),
                verdict_word(t.status), t.median_ms, porc, t.median_ms / porc,
                static_cast<unsigned long long>(t.configurations), static_cast<unsigned long long>(t.steps));
    rows.push_back({name, is_kv, t.median_ms, porc});
    parsed.emplace_back(std::move(ops), is_kv);
  }
  const double suite_ms = std::chrono::duration<double, std::milli>(Clock::now() - suite_start).count();

  // Every file checked once, back to back: porcupine's whole-suite run took 1.54 s
  // wall including its parsing and start-up (README), this excludes both.
  const auto once_start = Clock::now();
  for (const auto& [ops, is_kv] : parsed) check_linearizability_detailed(is_kv ? *kv : *reg, ops, opts);
  const double once_ms = std::chrono::duration<double, std::milli>(Clock::now() - once_start).count();

  std::printf("\nratio = ours / porcupine CheckEvents GOMAXPROCS=1 median (below 1: ours faster)\n");
  std::printf("verdicts agreeing with expected.json: %d of %d\n", agreed, scored);
  double etcd_sum = 0, porc_etcd_sum = 0, log_ratio_sum = 0, worst_ratio = 0;
  int etcd_n = 0, etcd_slower = 0;
  std::string worst_file;
  for (const Row& r : rows) {
    const double ratio = r.ours_ms / r.porc_ms;
    if (ratio > worst_ratio) {
      worst_ratio = ratio;
      worst_file = r.name;
    }
    if (r.is_kv) continue;
    etcd_sum += r.ours_ms;
    porc_etcd_sum += r.porc_ms;
    etcd_slower += ratio >= 1;
    if (r.porc_ms > 0.01) {
      log_ratio_sum += std::log(ratio);
      ++etcd_n;
    }
  }
  if (etcd_n) {
    std::printf("etcd total (sum of medians, %d files): ours %.2f ms, porcupine %.2f ms, ratio %.3f; "
                "geometric mean of per-file ratios %.3f; files not faster: %d\n",
                etcd_n, etcd_sum, porc_etcd_sum, etcd_sum / porc_etcd_sum, std::exp(log_ratio_sum / etcd_n),
                etcd_slower);
  }
  for (const Row& r : rows) {
    if (!r.is_kv) continue;
    const double ratio = r.ours_ms / r.porc_ms;
    std::printf("%-14s ours %9.4f ms, porcupine %9.4f ms, ratio %.3f (%s)\n", r.name.c_str(), r.ours_ms, r.porc_ms,
                ratio, ratio < 1 ? "faster" : "NOT faster");
  }
  if (!rows.empty()) std::printf("worst per-file ratio: %.3f (%s)\n", worst_ratio, worst_file.c_str());
  std::printf("corpus checked once, back to back: %.1f ms (repeated timing took %.0f ms); peak RSS so far %.1f MiB\n\n",
              once_ms, suite_ms, peak_rss_mib());

  // The README's stress item: c50-bad with every key checked (porcupine's verbose
  // mode needs that and cannot finish keys 0 and 9 in 30 s each).
  if (selected("every key")) {
    const auto ops = pair_operations(import_jepsen_kv(read_file(dir / "kv/c50-bad.txt"))).ops;
    LinearizabilityOptions o;
    o.budget_ms = 60000;
    o.check_all_partitions = true;
    const auto start = Clock::now();
    const auto r = check_linearizability_detailed(*kv, ops, o);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    std::printf("kv/c50-bad.txt, every key (check_all_partitions): %s in %.2f ms, peak cache %.1f MiB; per key:",
                verdict_word(r.status), ms, static_cast<double>(r.peak_cache_bytes) / (1 << 20));
    for (const auto& p : r.partitions) {
      const Operation& first = ops.at(static_cast<std::size_t>(p.ops.front()));
      std::printf(" %s=%s", first.input.value("key", json("?")).dump().c_str(), verdict_word(p.status));
    }
    std::printf("\n\n");
  }

  std::vector<GeneratedCase> cases;
  for (int n : {1000, 10000, 100000}) {
    LinearizabilityOptions o;
    o.budget_ms = 60000;
    cases.push_back({"kv, " + std::to_string(n / 10) + " keys, ~16 overlapping", generated_kv(n, n / 10, 8, 42),
                     kv.get(), o});
  }
  for (int n : {200, 1000}) {
    auto ops = generated_register_with_info(n, 12, 0.3, 7);
    std::size_t infos = 0;
    for (const auto& op : ops) infos += op.ret == kNever;
    LinearizabilityOptions o;
    o.budget_ms = 2000;
    o.max_cache_bytes = std::size_t{512} << 20;
    cases.push_back({"register, 1 partition, " + std::to_string(infos) + " info ops, budget 2 s", std::move(ops),
                     reg.get(), o});
  }
  {
    LinearizabilityOptions o;
    o.budget_ms = 2000;
    o.max_cache_bytes = std::size_t{1} << 30;
    cases.push_back({"register, 40 concurrent info writes, budget 2 s", concurrent_info_writes(), reg.get(), o});
  }
  bool header = false;
  for (const GeneratedCase& c : cases) {
    if (!selected(c.name)) continue;
    if (!header) {
      std::printf("%-48s %8s %8s %11s %12s %11s\n", "generated history", "ops", "verdict", "ms", "configs",
                  "cache MiB");
      header = true;
    }
    const auto start = Clock::now();
    const auto r = check_linearizability_detailed(*c.model, c.ops, c.options);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    std::uint64_t configs = 0;
    for (const auto& p : r.partitions) configs += p.configurations;
    std::printf("%-48s %8zu %8s %11.2f %12llu %11.1f\n", c.name.c_str(), c.ops.size(), verdict_word(r.status), ms,
                static_cast<unsigned long long>(configs), static_cast<double>(r.peak_cache_bytes) / (1 << 20));
  }
  std::printf("\npeak RSS: %.1f MiB\n", peak_rss_mib());
  return 0;
}
