// The "inventory" model: stock of items that clients reserve and release. No oversell.
//
//   stock   {item, quantity}   adds quantity to the available stock (the harness writes
//                              the initial stock from the spec's setup as one stock op)
//   reserve {item, quantity}   ok needs available >= quantity; moves it to reserved;
//                              ok output may carry "stock" (available after the op)
//   release {item, quantity}   ok needs reserved >= quantity; moves it back to available
//   read    {item}             ok output {"stock": n} (available)
//
// A fail reserve whose error is "", "out-of-stock" or "insufficient-stock" is a
// business refusal and must be justified (available < quantity); other fails had no
// effect. item "" (absent) is a single default item. Partitioned per item.
#pragma once

#include <memory>

#include "properties/model.h"

namespace racecheck {

std::unique_ptr<Model> make_inventory_model();

}  // namespace racecheck
