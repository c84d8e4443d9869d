// Test support: linearizability by its definition, for checking the checker.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "properties/history.h"
#include "properties/model.h"

namespace racecheck::testing {

// Whether some order of all completed ops (and any subset of the indeterminate
// ones) that respects real time is accepted step by step. `place(x, go_on)`
// applies op x if it can (false if it cannot), answers go_on(), and undoes op x
// before returning. Exponential: for a handful of ops.
inline bool some_real_time_order(const std::vector<Operation>& ops,
                                 const std::function<bool(std::size_t, const std::function<bool()>&)>& place) {
  std::vector<char> placed(ops.size(), 0);
  std::function<bool()> search = [&]() -> bool {
    bool finite_left = false;
    for (std::size_t i = 0; i < ops.size(); ++i)
      if (!placed[i] && ops[i].ret != kNever) finite_left = true;
    if (!finite_left) return true;
    for (std::size_t x = 0; x < ops.size(); ++x) {
      if (placed[x]) continue;
      bool minimal = true;
      for (std::size_t y = 0; y < ops.size(); ++y)
        if (!placed[y] && y != x && ops[y].ret < ops[x].call) minimal = false;
      if (!minimal) continue;
      placed[x] = 1;
      const bool found = place(x, search);
      placed[x] = 0;
      if (found) return true;
    }
    return false;
  };
  return search();
}

// The definition against a model's sequential specification.
inline bool brute_force_linearizable(const Model& model, const std::vector<Operation>& ops) {
  std::vector<int> all(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) all[i] = static_cast<int>(i);
  auto spec = model.prepare(ops, all);
  State state = spec->init();
  return some_real_time_order(ops, [&](std::size_t x, const std::function<bool()>& go_on) {
    State next = 0;
    if (!spec->step(state, static_cast<int>(x), &next)) return false;
    const State before = state;
    state = next;
    const bool found = go_on();
    state = before;
    return found;
  });
}

}  // namespace racecheck::testing
