// The classic Jepsen models for linearizability checking: a single register
// (read / write / cas), a counter (increment / read) and a key-value store
// (get / put / append, partitioned by key). Value conventions: docs/history.md.
#pragma once

#include <memory>

#include "properties/model.h"

namespace racecheck {

// "register": one register, initially nil (JSON null).
//   write  invoke {"value":V}            ok/info: register := V; fail: not applied
//   cas    invoke {"from":A,"to":B} or [A,B]
//                                         ok: register was A, := B; fail: register was not A;
//                                         info: applies iff register is A
//   read   ok {"value":V} (V null = nil)  must equal the register; fail/info: no observation
std::unique_ptr<Model> make_register_model();

// "counter": one integer counter, initially 0.
//   increment (or add)  invoke {"amount":n} (default 1; may be negative)
//   read                ok {"value":n}
std::unique_ptr<Model> make_counter_model();

// "kv": independent string registers per key, initially "".
//   put     invoke {"key":K,"value":S}   value := S
//   append  invoke {"key":K,"value":S}   value := value + S
//   get     invoke {"key":K}, ok {"key":K,"value":S} (null = "")
// Partitioned by key: each key is checked on its own (P-compositionality).
std::unique_ptr<Model> make_kv_model();

}  // namespace racecheck
