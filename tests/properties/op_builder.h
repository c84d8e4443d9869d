// Test support: hand-written operations for example-based checker tests.
#pragma once

#include <string>
#include <vector>

#include "properties/history.h"

namespace racecheck::testing {

// Appends an operation to `ops` (id = its index) and returns it for further edits.
inline Operation& add_op(std::vector<Operation>& ops, std::string f, json input, Outcome outcome, json output,
                         std::int64_t call, std::int64_t ret, std::string error = "", std::string key = "") {
  Operation op;
  op.id = static_cast<int>(ops.size());
  op.process = op.id;
  op.f = std::move(f);
  op.input = std::move(input);
  op.outcome = outcome;
  op.output = outcome == Outcome::Info ? json() : std::move(output);
  op.call = call;
  op.ret = outcome == Outcome::Info ? kNever : ret;
  op.error = std::move(error);
  op.key = std::move(key);
  ops.push_back(std::move(op));
  return ops.back();
}

inline json acct(std::int64_t amount, const std::string& account = "") {
  return json{{"account", account}, {"amount", amount}};
}

}  // namespace racecheck::testing
