// The "unique-create" model: named resources created at most once (usernames,
// order numbers, slugs).
//
//   create {name}   ok needs the name not to exist yet; then it exists
//   read   {name}   ok output {"exists": true|false}
//
// At most one create per name may succeed. A fail create whose error is "" or
// "exists" is a refusal that must be justified (the name already existed); other
// fails (busy, key-in-flight, ...) had no effect. Partitioned per name.
#pragma once

#include <memory>

#include "properties/model.h"

namespace racecheck {

std::unique_ptr<Model> make_unique_create_model();

}  // namespace racecheck
