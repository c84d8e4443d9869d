// Times the linearizability checker, single thread, in-process, excluding parsing,
// and prints markdown tables:
// (1) Porcupine's corpus: every file checked repeatedly (median), next to
//     Porcupine's recorded CheckEvents 1-thread median; a summary table (etcd
//     total, each kv file, worst file), the per-file table with --per-file;
// (2) single-register histories of 1k / 10k / 100k ops with many indeterminate
//     (info) ops, linearizable by construction: each size checked in a fresh
//     process (this binary re-run with --register-child) so that its peak RSS
//     (ru_maxrss from wait4) belongs to that size alone;
// (3) other generated histories: kv over many keys, and the adversarial
//     register (40 concurrent info writes) where the search blows up and the
//     checker must answer Unknown within its budget.
// Ends with a "goal-met:" line for bench/run.
// Usage: checker_bench [corpus_dir] [--min-ms N] [--only SUBSTRING] [--per-file]
//        [--register-sizes 1000,10000,100000] [--register-budget-ms N]
// (--only selects corpus files and generated cases whose name contains SUBSTRING)
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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
#include "tests/properties/register_histories.h"

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

// A generated case: its name (for --only), the history, the model, the limits.
struct GeneratedCase {
  std::string name;
  std::vector<Operation> ops;
  const Model* model;
  LinearizabilityOptions options;
};

// One size of the register-with-info table, measured in a child process.
struct RegisterRow {
  int ops = 0;
  int info_ops = 0;
  std::string verdict = "FAILED";
  double check_ms = 0;
  double history_rss_mib = 0;  // child's peak RSS once the history was built, before the check
  double peak_rss_mib = 0;     // child's peak RSS over its whole life (wait4)
  double cache_mib = 0;        // the checker's own memo cache at its peak
  unsigned long long configurations = 0;
};

double register_info_share = 0.3;  // of the writes and cas ops: a fifth of all ops
constexpr int kRegisterSpread = 12;        // each op overlaps ~2 x 12 neighbours

// Child side: build one history, check it, print one line for the parent.
int register_child(int n, double budget_ms) {
  const auto ops = testing::generated_register_history(n, kRegisterSpread, register_info_share, 7);
  int infos = 0;
  for (const auto& op : ops) infos += op.ret == kNever;
  const double history_rss = peak_rss_mib();
  LinearizabilityOptions o;
  o.budget_ms = budget_ms;
  o.max_cache_bytes = std::size_t{2} << 30;
  const auto r = check_linearizability_detailed(*make_register_model(), ops, o);
  unsigned long long configs = 0;
  for (const auto& p : r.partitions) configs += p.configurations;
  std::string verdict = verdict_word(r.status);
  if (r.out_of_memory) verdict += "_(cache_bound_of_" + std::to_string(o.max_cache_bytes >> 20) + "_MiB_reached)";
  if (r.out_of_time) verdict += "_(out_of_time)";
  std::printf("%d %d %s %.3f %.2f %.3f %llu\n", n, infos, verdict.c_str(), r.elapsed_ms, history_rss,
              static_cast<double>(r.peak_cache_bytes) / (1 << 20), configs);
  return 0;
}

RegisterRow run_register_child(const char* self, int n, double budget_ms) {
  RegisterRow row;
  row.ops = n;
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return row;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  std::string size = std::to_string(n), budget = std::to_string(budget_ms);
  std::string flag = "--register-child", budget_flag = "--register-budget-ms";
  std::string share_flag = "--register-info-share", share = std::to_string(register_info_share);
  std::string exe = self;
  char* argv[] = {exe.data(), flag.data(),       size.data(),  budget_flag.data(),
                  budget.data(), share_flag.data(), share.data(), nullptr};
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    return row;
  }
  std::string text;
  char buf[512];
  ssize_t got;
  while ((got = read(out[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(got));
  close(out[0]);
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  row.peak_rss_mib = static_cast<double>(ru.ru_maxrss) / 1024.0;
  std::istringstream in(text);
  std::string verdict;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
      (in >> row.ops >> row.info_ops >> verdict >> row.check_ms >> row.history_rss_mib >> row.cache_mib >>
       row.configurations)) {
    std::replace(verdict.begin(), verdict.end(), '_', ' ');  // one token on the wire
    row.verdict = verdict;
  }
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = fs::path(RACECHECK_SOURCE_DIR) / "tests" / "corpus" / "porcupine";
  double min_ms = 300;
  double register_budget_ms = 60000;
  std::vector<int> register_sizes{1000, 10000, 100000};
  std::string only;
  bool per_file = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--min-ms") && i + 1 < argc) min_ms = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    else if (!std::strcmp(argv[i], "--per-file")) per_file = true;
    else if (!std::strcmp(argv[i], "--register-info-share") && i + 1 < argc) register_info_share = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--register-budget-ms") && i + 1 < argc) register_budget_ms = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--register-child") && i + 1 < argc) {
      const int n = std::atoi(argv[++i]);
      for (int j = i + 1; j + 1 < argc; ++j) {
        if (!std::strcmp(argv[j], "--register-budget-ms")) register_budget_ms = std::atof(argv[j + 1]);
        if (!std::strcmp(argv[j], "--register-info-share")) register_info_share = std::atof(argv[j + 1]);
      }
      return register_child(n, register_budget_ms);
    } else if (!std::strcmp(argv[i], "--register-sizes") && i + 1 < argc) {
      register_sizes.clear();
      std::istringstream list(argv[++i]);
      for (std::string item; std::getline(list, item, ',');) register_sizes.push_back(std::atoi(item.c_str()));
    } else dir = argv[i];
  }
  const auto selected = [&](const std::string& name) { return only.empty() || name.find(only) != std::string::npos; };
  if (!fs::exists(dir / "expected.json")) {
    std::fprintf(stderr, "checker_bench: corpus not found at %s (pass its directory)\n", dir.c_str());
    return 2;
  }
  // Single-register histories first, each in a child process, while this
  // process is still small: a child's ru_maxrss starts at the launcher's RSS.
  const double launch_rss_mib = peak_rss_mib();
  std::vector<RegisterRow> register_rows;
  if (selected("register with info"))
    for (int n : register_sizes) register_rows.push_back(run_register_child(argv[0], n, register_budget_ms));

  const json expected = json::parse(read_file(dir / "expected.json"));
  const json timings = json::parse(read_file(dir / "porcupine_timings.json"));
  const auto reg = make_register_model();
  const auto kv = make_kv_model();
  LinearizabilityOptions opts;
  opts.budget_ms = 60000;

  // (1) Porcupine's corpus.
  struct Row {
    std::string name;
    bool is_kv;
    std::size_t ops;
    std::string want, got;
    double ours_ms, porc_ms;
    std::uint64_t configurations, steps;
  };
  std::vector<Row> rows;
  std::vector<std::pair<std::vector<Operation>, bool>> parsed;  // for the one-shot pass
  int agreed = 0, scored = 0;
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
    rows.push_back({name, is_kv, ops.size(), want, verdict_word(t.status), t.median_ms, porc, t.configurations, t.steps});
    parsed.emplace_back(std::move(ops), is_kv);
  }
  const double suite_ms = std::chrono::duration<double, std::milli>(Clock::now() - suite_start).count();
  // Every file checked once, back to back: porcupine's whole-suite run took 1.54 s
  // wall including its parsing and start-up (README), this excludes both.
  const auto once_start = Clock::now();
  for (const auto& [ops, is_kv] : parsed) check_linearizability_detailed(is_kv ? *kv : *reg, ops, opts);
  const double once_ms = std::chrono::duration<double, std::milli>(Clock::now() - once_start).count();

  double etcd_sum = 0, porc_etcd_sum = 0, log_ratio_sum = 0, worst_ratio = 0;
  int etcd_files = 0, etcd_n = 0, etcd_slower = 0, slower = 0;
  std::string worst_file;
  for (const Row& r : rows) {
    const double ratio = r.ours_ms / r.porc_ms;
    slower += ratio >= 1;
    if (ratio > worst_ratio) {
      worst_ratio = ratio;
      worst_file = r.name;
    }
    if (r.is_kv) continue;
    ++etcd_files;
    etcd_sum += r.ours_ms;
    porc_etcd_sum += r.porc_ms;
    etcd_slower += ratio >= 1;
    if (r.porc_ms > 0.01) {
      log_ratio_sum += std::log(ratio);
      ++etcd_n;
    }
  }
  if (!rows.empty()) {
    std::printf("Porcupine's corpus: our median check time vs Porcupine's recorded CheckEvents median "
                "(GOMAXPROCS=1); ratio below 1 = ours faster.\n\n");
    std::printf("| files | ops | verdicts agree | ours ms | Porcupine ms | ratio | not faster |\n|---|---|---|---|---|---|---|\n");
    if (etcd_files) {
      std::printf("| etcd: %d files (sum of medians; geometric mean of per-file ratios %.3f) | - | %d of %d | %.2f | %.2f | %.3f | %d |\n",
                  etcd_files, etcd_n ? std::exp(log_ratio_sum / etcd_n) : 0.0,
                  static_cast<int>(std::count_if(rows.begin(), rows.end(), [](const Row& r) { return !r.is_kv && r.want == r.got; })),
                  static_cast<int>(std::count_if(rows.begin(), rows.end(), [](const Row& r) { return !r.is_kv && r.want != "-"; })),
                  etcd_sum, porc_etcd_sum, etcd_sum / porc_etcd_sum, etcd_slower);
    }
    for (const Row& r : rows) {
      if (!r.is_kv) continue;
      std::printf("| %s | %zu | %s | %.4f | %.4f | %.3f | %s |\n", r.name.c_str(), r.ops,
                  r.want == "-" ? "-" : r.want == r.got ? "yes" : "NO", r.ours_ms, r.porc_ms, r.ours_ms / r.porc_ms,
                  r.ours_ms >= r.porc_ms ? "1" : "0");
    }
    std::printf("\nVerdicts agreeing with expected.json: %d of %d. Worst per-file ratio %.3f (%s). "
                "Corpus checked once, back to back: %.1f ms (the repeated timing took %.0f ms).\n\n",
                agreed, scored, worst_ratio, worst_file.c_str(), once_ms, suite_ms);
    if (per_file) {
      std::printf("| file | ops | expected | ours | ours ms | Porcupine ms | ratio | configurations | steps |\n"
                  "|---|---|---|---|---|---|---|---|---|\n");
      for (const Row& r : rows)
        std::printf("| %s | %zu | %s | %s | %.4f | %.4f | %.3f | %llu | %llu |\n", r.name.c_str(), r.ops,
                    r.want.c_str(), r.got.c_str(), r.ours_ms, r.porc_ms, r.ours_ms / r.porc_ms,
                    static_cast<unsigned long long>(r.configurations), static_cast<unsigned long long>(r.steps));
      std::printf("\n");
    }
  }

  // (2) Single register, many info ops (measured first, see above).
  if (!register_rows.empty()) {
    std::printf("Generated single-register histories (read / write / cas, linearizable by construction, "
                "one partition), %.0f%% of the writes and cas ops indeterminate (crashed: never return); "
                "each size checked in its own process, budget %.0f s; peak RSS includes the ~%.0f MiB the "
                "launching process had (Linux keeps ru_maxrss across exec).\n\n",
                register_info_share * 100, register_budget_ms / 1000, launch_rss_mib);
    std::printf("| ops | info ops | verdict | check ms | peak RSS MiB | RSS with history only MiB | checker cache MiB | configurations |\n"
                "|---|---|---|---|---|---|---|---|\n");
    for (const RegisterRow& r : register_rows)
      std::printf("| %d | %d | %s | %.2f | %.1f | %.1f | %.1f | %llu |\n", r.ops, r.info_ops, r.verdict.c_str(),
                  r.check_ms, r.peak_rss_mib, r.history_rss_mib, r.cache_mib, r.configurations);
    std::printf("\n");
  }

  // (3) Other generated histories.
  if (selected("every key")) {
    // The README's stress item: c50-bad with every key checked (porcupine's verbose
    // mode needs that and cannot finish keys 0 and 9 in 30 s each).
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
    std::printf(".\n\n");
  }
  std::vector<GeneratedCase> cases;
  for (int n : {1000, 10000, 100000}) {
    LinearizabilityOptions o;
    o.budget_ms = 60000;
    cases.push_back({"kv, " + std::to_string(n / 10) + " keys, ~16 overlapping", generated_kv(n, n / 10, 8, 42),
                     kv.get(), o});
  }
  {
    LinearizabilityOptions o;
    o.budget_ms = 2000;
    o.max_cache_bytes = std::size_t{1} << 30;
    cases.push_back({"register, 40 concurrent info writes, budget 2 s (must be Unknown)",
                     testing::concurrent_info_writes(40, 1, -1), reg.get(), o});
  }
  bool header = false, adversarial_unknown = true;
  for (const GeneratedCase& c : cases) {
    if (!selected(c.name)) continue;
    if (!header) {
      std::printf("| other generated history | ops | verdict | ms | configurations | cache MiB |\n|---|---|---|---|---|---|\n");
      header = true;
    }
    const auto start = Clock::now();
    const auto r = check_linearizability_detailed(*c.model, c.ops, c.options);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    std::uint64_t configs = 0;
    for (const auto& p : r.partitions) configs += p.configurations;
    if (c.name.find("must be Unknown") != std::string::npos) adversarial_unknown = r.status == Status::Unknown;
    std::printf("| %s | %zu | %s | %.2f | %llu | %.1f |\n", c.name.c_str(), c.ops.size(), verdict_word(r.status), ms,
                static_cast<unsigned long long>(configs), static_cast<double>(r.peak_cache_bytes) / (1 << 20));
  }
  std::printf("\nPeak RSS of this process (corpus and other generated histories): %.1f MiB.\n", peak_rss_mib());

  // Goals (the issue: checker speed against Porcupine, on the same corpus;
  // generated 1k / 10k / 100k register histories with many info ops; peak memory).
  std::string why;
  bool met = true;
  if (agreed != scored) {
    met = false;
    why += std::to_string(scored - agreed) + " corpus verdicts disagree with expected.json; ";
  }
  if (slower > 0) {
    met = false;
    why += std::to_string(slower) + " corpus files not faster than Porcupine; ";
  } else if (!rows.empty()) {
    char worst[32];
    std::snprintf(worst, sizeof worst, "%.3f", worst_ratio);
    why += std::string("every corpus file faster than Porcupine (worst ratio ") + worst + "); ";
  }
  for (const RegisterRow& r : register_rows) {
    if (r.verdict.rfind("Ok", 0) != 0) {
      met = false;
      why += "register " + std::to_string(r.ops) + " ops: " + r.verdict + " (expected Ok); ";
    }
  }
  if (!register_rows.empty() && met) why += "every generated register history decided Ok within budget; ";
  if (!adversarial_unknown) {
    met = false;
    why += "the adversarial register was not Unknown; ";
  }
  if (why.size() >= 2) why.resize(why.size() - 2);
  std::printf("\ngoal-met: %s — %s\n", met ? "yes" : "no", why.c_str());
  return 0;
}
