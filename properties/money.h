// Money invariants over models with a ledger (Model::ledger(): balances, stock).
//
// no-overdraft: no observed balance or stock ("balance", "stock" or "available" in
//   any completion's output) is negative.
// conservation: per account (item), the final read (an ok read whose call is after
//   the completion of every other determinate op on that account) equals
//   initial + effective credits − effective debits. Ok ops count exactly; info ops
//   may or may not have taken effect, so the question is whether some subset of them
//   explains the final value (a bounded subset-sum). Too much left = a lost update;
//   too little = a double charge. Run it on the idempotency-collapsed operations.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "properties/history.h"
#include "properties/model.h"
#include "properties/verdict.h"

namespace racecheck {

// `scale`: the money scale, to show a balance in major units (-5 at 2 is -0.05).
InvariantVerdict check_no_overdraft(const std::vector<Operation>& ops, int scale = 0);

struct ConservationOptions {
  // Bound on the number of distinct subset sums explored per account; beyond it the
  // account's verdict is Unknown.
  std::size_t max_subset_sums = 1u << 18;
  // The money scale: explanations show amounts in major units (1050 -> 10.50).
  int scale = 0;
};

// Skipped when the model has no ledger (Model::ledger()) or no account has a
// final read. Throws ModelInputError for ops it cannot interpret (missing amount).
InvariantVerdict check_conservation(const std::vector<Operation>& ops, const Model& model,
                                    const ConservationOptions& options = {});
// The same for the registry's model of that name (an unknown name has no ledger).
InvariantVerdict check_conservation(const std::vector<Operation>& ops, std::string_view model,
                                    const ConservationOptions& options = {});

}  // namespace racecheck
