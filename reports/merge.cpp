#include "reports/merge.h"

#include <openssl/evp.h>

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>

namespace racecheck {

using nlohmann::json;

MergeError::MergeError(const std::string& file, const std::string& pointer, const std::string& reason)
    : std::runtime_error(file + ": " + (pointer.empty() ? std::string("/") : pointer) + ": " + reason) {}

std::string spec_digest(const json& spec) {
  const std::string text = spec.dump();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 of the spec failed (OpenSSL EVP_Digest)");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

namespace {

// Worse verdicts rank higher: a merged invariant shows its worst shard.
int rank(Status s) {
  switch (s) {
    case Status::Skipped: return 0;
    case Status::Pass: return 1;
    case Status::Warn: return 2;
    case Status::Unknown: return 3;
    case Status::Fail: return 4;
  }
  return 0;
}

// A shard's own verdict; Warn: it passed with SHOULD-level deviations.
Status shard_status(const ReportInput& r) {
  const Status overall = r.verdicts.overall();
  return overall == Status::Pass && r.verdicts.warnings() > 0 ? Status::Warn : overall;
}

// The verdicts every shard has of its own and the merge replaces: "run" says
// why one shard was inconclusive (its shard line says it now), "shards" is the merge's.
bool is_per_shard_verdict(const std::string& invariant) { return invariant == "run" || invariant == "shards"; }

const InvariantVerdict* find_verdict(const ReportInput& r, const std::string& invariant) {
  for (const auto& v : r.verdicts.verdicts)
    if (v.invariant == invariant) return &v;
  return nullptr;
}

// The "racecheck" member ({"version", "commit"}) named by `key`, "" when absent.
std::string version_field(const ShardResult& r, const char* key) {
  if (r.racecheck.is_null()) return "";
  const std::string pointer = std::string("/racecheck/") + key;
  if (!r.racecheck.is_object()) throw MergeError(r.file, "/racecheck", "expected an object");
  if (!r.racecheck.contains(key)) return "";
  if (!r.racecheck[key].is_string()) throw MergeError(r.file, pointer, "expected a string");
  const std::string value = r.racecheck[key].get<std::string>();
  return value == "unknown" ? "" : value;  // a build outside git has no commit to compare
}

void check_same_version(const std::vector<ShardResult>& results, const char* key) {
  const ShardResult* reference = nullptr;
  for (const auto& r : results) {
    const std::string value = version_field(r, key);
    if (value.empty()) continue;
    if (!reference) {
      reference = &r;
      continue;
    }
    const std::string expected = version_field(*reference, key);
    if (value != expected)
      throw MergeError(r.file, std::string("/racecheck/") + key,
                       "racecheck " + std::string(key) + " " + value + ", but " + reference->file + " has " + expected +
                           ": results of different racecheck versions cannot be merged (their scenarios differ)");
  }
}

// Throws unless the results can be the shards of one run.
void check_same_run(const std::vector<ShardResult>& results) {
  const ShardResult& first = results.front();
  std::map<int, const ShardResult*> by_index;
  for (const auto& r : results) {
    const ReportInput& in = r.result;
    if (!in.shards.empty())
      throw MergeError(r.file, "/shards", "is already a merged result: merge the shards' own results");
    if (in.spec_digest.empty())
      throw MergeError(r.file, "/spec_digest",
                       "missing: only results written by `racecheck run --json` (which records the spec's digest) "
                       "can be merged");
    if (in.shard.total != first.result.shard.total)
      throw MergeError(r.file, "/shard/total",
                       std::to_string(in.shard.total) + ", but " + first.file + " has " +
                           std::to_string(first.result.shard.total) + ": the shards of one run have the same total");
    if (in.spec_digest != first.result.spec_digest)
      throw MergeError(r.file, "/spec_digest",
                       "another spec (" + in.spec_path + ") than " + first.file + " (" + first.result.spec_path +
                           "): results of different specs cannot be merged");
    const auto [it, added] = by_index.emplace(in.shard.index, &r);
    if (!added)
      throw MergeError(r.file, "/shard/index",
                       "shard " + to_string(in.shard) + " is also " + it->second->file + ": give each shard once");
  }
  check_same_version(results, "version");
  check_same_version(results, "commit");
}

// Smaller is better: operations, clients, then the higher reproduction rate, then the lower index.
std::tuple<long, long, double, int> counterexample_rank(const ReportInput& r) {
  long ops = 0, clients = 0;
  const json& sc = r.minimal_scenario;
  if (!sc.is_object() || !sc.contains("clients") || !sc["clients"].is_array()) {
    ops = clients = std::numeric_limits<long>::max();
  } else {
    for (const json& c : sc["clients"]) {
      ++clients;
      if (c.is_object() && c.contains("ops") && c["ops"].is_array()) ops += static_cast<long>(c["ops"].size());
    }
  }
  const double rate = r.repro_runs > 0 ? static_cast<double>(r.repro_failures) / r.repro_runs : 0.0;
  return {ops, clients, -rate, r.shard.index};
}

RunStats summed_stats(const std::vector<const ShardResult*>& shards) {
  RunStats s;
  for (const ShardResult* r : shards) {
    const RunStats& t = r->result.stats;
    s.trials += t.trials;
    s.requests += t.requests;
    s.elapsed_s = std::max(s.elapsed_s, t.elapsed_s);  // shards run side by side: the longest is the run's time
    if (t.first_violation_s >= 0 && (s.first_violation_s < 0 || t.first_violation_s < s.first_violation_s))
      s.first_violation_s = t.first_violation_s;
    for (const auto& [op, outcomes] : t.outcomes_by_op)
      for (const auto& [outcome, n] : outcomes) s.outcomes_by_op[op][outcome] += n;
    for (const auto& [name, n] : t.invariants) {
      InvariantTally& sum = s.invariants[name];
      sum.trials += n.trials;
      sum.pass += n.pass;
      sum.warn += n.warn;
      sum.fail += n.fail;
      sum.unknown += n.unknown;
      sum.skipped += n.skipped;
      sum.ops += n.ops;
    }
  }
  return s;
}

// "1200 trials checked in 3 shards, 9312 ops, all passed".
std::string merged_summary(const InvariantTally& n, std::size_t shards) {
  const std::string where = " in " + std::to_string(shards) + (shards == 1 ? " shard" : " shards");
  const int judged = n.trials - n.skipped;
  if (judged == 0) return "skipped in all " + std::to_string(n.trials) + " trials" + where + " (nothing to judge)";
  std::string s = std::to_string(judged) + " trials checked" + where + ", " + std::to_string(n.ops) + " ops, ";
  std::string parts;
  auto part = [&](int count, const char* what) {
    if (count > 0) parts += (parts.empty() ? "" : ", ") + std::to_string(count) + " " + what;
  };
  if (n.warn == 0 && n.unknown == 0 && n.fail == 0) {
    parts = "all passed";
  } else {
    part(n.pass, "passed");
    part(n.warn, "with SHOULD-level deviations");
    part(n.unknown, "inconclusive");
    part(n.fail, "failed");
  }
  return s + parts;
}

// One verdict per invariant: the worst over the shards. The evidence shown is
// `base`'s history, so another shard's violations keep their words but not
// their operation ids (which point into that shard's history).
std::vector<InvariantVerdict> merged_verdicts(const std::vector<const ShardResult*>& shards, const ShardResult& base,
                                              bool violation, const RunStats& stats) {
  std::vector<std::string> names;
  auto note_names = [&](const ReportInput& r) {
    for (const auto& v : r.verdicts.verdicts)
      if (!is_per_shard_verdict(v.invariant) && std::find(names.begin(), names.end(), v.invariant) == names.end())
        names.push_back(v.invariant);
  };
  note_names(base.result);
  for (const ShardResult* r : shards) note_names(r->result);

  std::vector<InvariantVerdict> out;
  for (const std::string& name : names) {
    const ShardResult* owner = nullptr;
    const InvariantVerdict* chosen = nullptr;
    for (const ShardResult* r : shards) {
      const InvariantVerdict* v = find_verdict(r->result, name);
      if (v && (!chosen || rank(effective_status(*v)) > rank(effective_status(*chosen)))) {
        owner = r;
        chosen = v;
      }
    }
    if (const InvariantVerdict* own = find_verdict(base.result, name);
        own && rank(effective_status(*own)) == rank(effective_status(*chosen))) {
      owner = &base;
      chosen = own;
    }
    InvariantVerdict v = *chosen;
    if (owner != &base) {
      const std::string from = "in shard " + to_string(owner->result.shard) + ": ";
      if (violation) v.summary = from + v.summary;
      for (Violation& x : v.violations) {
        x.explanation = from + x.explanation;
        x.ops.clear();
        x.linearized_prefix.clear();
        x.prefix_states.clear();
        x.unplaceable_op = -1;
      }
    }
    // Without a violation every verdict speaks for all trials of all shards.
    if (const auto tally = stats.invariants.find(name); !violation && tally != stats.invariants.end())
      v.summary = merged_summary(tally->second, shards.size());
    out.push_back(std::move(v));
  }
  return out;
}

// Why a shard's result is what it is, in a few words.
std::string shard_note(const ReportInput& r, Status status) {
  if (status == Status::Fail) {
    if (!r.violation_signature.empty()) return r.violation_signature;
    for (const auto& v : r.verdicts.verdicts)
      if (effective_status(v) == Status::Fail) return v.invariant;
  }
  if (status == Status::Unknown) {
    for (const auto& v : r.verdicts.verdicts)
      if (v.status == Status::Unknown) return v.invariant == "run" ? v.summary : v.invariant + ": " + v.summary;
  }
  if (status == Status::Warn) {
    const int n = r.verdicts.warnings();
    return std::to_string(n) + (n == 1 ? " SHOULD-level warning" : " SHOULD-level warnings");
  }
  return "";
}

// The "shards" verdict: did every shard report, and conclusively?
InvariantVerdict shards_verdict(const std::vector<ShardLine>& lines, const ShardResult& base, bool violation) {
  std::string missing, inconclusive;
  int reported = 0;
  for (const ShardLine& l : lines) {
    if (l.missing) missing += (missing.empty() ? "" : ", ") + to_string(l.shard);
    else ++reported;
    if (!l.missing && l.status == Status::Unknown) inconclusive += (inconclusive.empty() ? "" : ", ") + to_string(l.shard);
  }
  InvariantVerdict v;
  v.invariant = "shards";
  const std::string total = std::to_string(lines.size());
  if (missing.empty() && inconclusive.empty()) {
    v.status = Status::Pass;
    v.summary = "all " + total + " shards reported";
  } else {
    v.status = Status::Unknown;
    v.summary = std::to_string(reported) + " of " + total + " shards reported";
    if (!missing.empty()) v.summary += "; missing: " + missing;
    if (!inconclusive.empty()) v.summary += "; inconclusive: " + inconclusive;
    v.summary += ": part of the seed space was not searched, or not judged";
  }
  if (violation) v.summary += "; the counterexample shown is shard " + to_string(base.result.shard) + "'s";
  return v;
}

}  // namespace

ReportInput merge_shard_results(const std::vector<ShardResult>& results) {
  if (results.empty()) throw MergeError("merge", "", "no result to merge");
  check_same_run(results);
  std::vector<const ShardResult*> shards;
  for (const auto& r : results) shards.push_back(&r);
  std::sort(shards.begin(), shards.end(),
            [](const ShardResult* a, const ShardResult* b) { return a->result.shard.index < b->result.shard.index; });

  const ShardResult* base = nullptr;
  const ShardResult* first_inconclusive = nullptr;
  for (const ShardResult* r : shards) {
    const Status status = shard_status(r->result);
    if (status == Status::Fail && (!base || counterexample_rank(r->result) < counterexample_rank(base->result)))
      base = r;
    if (status == Status::Unknown && !first_inconclusive) first_inconclusive = r;
  }
  const bool violation = base != nullptr;
  if (!base) base = shards.front();

  const int total = shards.front()->result.shard.total;
  std::vector<ShardLine> lines;
  auto next = shards.begin();
  for (int index = 1; index <= total; ++index) {
    ShardLine l;
    l.shard = ShardId{index, total};
    if (next == shards.end() || (*next)->result.shard.index != index) {
      l.missing = true;
      lines.push_back(std::move(l));
      continue;
    }
    const ReportInput& r = (*next)->result;
    l.file = (*next)->file;
    l.status = shard_status(r);
    l.seed = r.seed;
    l.trials = r.stats.trials;
    l.requests = r.stats.requests;
    l.elapsed_s = r.stats.elapsed_s;
    l.note = shard_note(r, l.status);
    lines.push_back(std::move(l));
    ++next;
  }

  ReportInput out = base->result;
  out.stats = summed_stats(shards);
  out.verdicts.verdicts = merged_verdicts(shards, *base, violation, out.stats);
  out.verdicts.verdicts.insert(out.verdicts.verdicts.begin(), shards_verdict(lines, *base, violation));
  // Without a violation the command to look at is an inconclusive shard's.
  if (!violation && first_inconclusive) out.command = first_inconclusive->result.command;
  out.shards = std::move(lines);
  return out;
}

}  // namespace racecheck
