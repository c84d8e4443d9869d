// The "account" model: bank accounts with deposit / withdraw / transfer / read.
//
//   open     {account, balance}        sets the account's balance (the harness writes it
//                                      from the spec's setup); an account never opened starts at 0
//   deposit  {account, amount}         ok output may carry "balance" (after the op)
//   withdraw {account, amount}         ok needs balance >= amount; output may carry "balance"
//   transfer {from, to, amount}        ok needs from's balance >= amount
//   read     {account}                 ok output {"balance": n}
//
// A fail withdraw/transfer whose error is "" or "insufficient-funds" is a business
// refusal: it must be justified (balance < amount). A fail with any other error
// (busy, key-in-flight, key-reused, ...) had no effect and is legal in any state.
// account "" (absent) is a single default account. Ops are partitioned per group
// of accounts connected by transfers (one partition per account without transfers).
#pragma once

#include <memory>

#include "properties/model.h"

namespace racecheck {

std::unique_ptr<Model> make_account_model();

}  // namespace racecheck
