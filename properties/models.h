// The model registry: every model racecheck can check a history against, by name.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "properties/model.h"

namespace racecheck {

// "account", "inventory", "unique-create", "register", "counter", "kv".
// Returns nullptr for an unknown name.
std::unique_ptr<Model> make_model(std::string_view name);

// The names make_model accepts, in a stable order (for help texts and errors).
std::vector<std::string> model_names();

}  // namespace racecheck
