// The "set" model: a collection that elements are added to and read back
// whole, as "add an item, list the items" APIs do (tags, members, a cart).
#pragma once

#include <memory>

#include "properties/model.h"

namespace racecheck {

// Ops: add {"value": V}; read → {"value": [V, ...]} in any order. A read sees
// every element added before it and none that was not; an element is held
// once (a read listing one twice cannot come from a set). One set per
// history; values compare by their JSON spelling (1 and "1" differ).
std::unique_ptr<Model> make_element_set_model();

}  // namespace racecheck
