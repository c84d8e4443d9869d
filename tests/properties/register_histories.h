// Register histories for the linearizability tests and the checker benchmark
// (bench/checker), built in memory: one definition of each, so the benchmark
// measures the histories the tests prove things about. Pure, no I/O.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "properties/history.h"

namespace racecheck::testing {

// `writes` concurrent indeterminate writes of the distinct values 0..writes-1
// (all called before any read, none ever returns), then `reads` reads of
// `unwritten_value`, which no write wrote. No order explains the reads, but
// refuting that means trying every order of every subset of the writes: the
// search explodes, so a bounded check must answer Unknown, never Pass.
inline std::vector<Operation> concurrent_info_writes(int writes, int reads, const json& unwritten_value) {
  std::vector<Operation> ops;
  for (int i = 0; i < writes; ++i) {
    Operation op;
    op.id = static_cast<int>(ops.size());
    op.f = "write";
    op.input = json{{"value", i}};
    op.outcome = Outcome::Info;
    op.call = i;
    op.ret = kNever;
    ops.push_back(op);
  }
  for (int i = 0; i < reads; ++i) {
    Operation op;
    op.id = static_cast<int>(ops.size());
    op.f = "read";
    op.output = json{{"value", unwritten_value}};
    op.outcome = Outcome::Ok;
    op.call = writes + 100 + i;
    op.ret = writes + 1000;
    ops.push_back(op);
  }
  return ops;
}

// A single-register history of `n` read / write / cas ops (values 0..4) that is
// linearizable by construction: op i takes effect at time 10*i, inside its
// interval, which stretches up to 10*spread either side (so ops overlap their
// neighbours). A share `info_share` of the writes and cas ops are indeterminate
// (Jepsen's crashed ops: they never return, ret == kNever) and took effect or
// not at random. A cas whose expected value does not match fails.
inline std::vector<Operation> generated_register_history(int n, int spread, double info_share, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  const auto jitter = [&] { return static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(10 * spread + 1)); };
  json reg = nullptr;
  std::vector<Operation> ops(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    Operation& op = ops[static_cast<std::size_t>(i)];
    op.id = i;
    op.process = i;
    const std::int64_t at = 10LL * i;
    op.call = at - jitter();
    op.ret = at + jitter();
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

}  // namespace racecheck::testing
