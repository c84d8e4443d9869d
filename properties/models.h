// The model registry: every model racecheck can check a history against, by name.
// The only place that maps a model's name to what its operations mean.
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

// The registry's shared instance of the named model, or nullptr. Models are
// stateless (every member is const), so one instance serves every caller and thread.
const Model* find_model(std::string_view name);

// The names make_model accepts, in a stable order (for help texts and errors).
std::vector<std::string> model_names();

// True when the named model keeps a ledger (Model::ledger()); false for an unknown name.
bool has_ledger(std::string_view model);

}  // namespace racecheck
