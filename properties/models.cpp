#include "properties/models.h"

#include "properties/account_model.h"
#include "properties/basic_models.h"
#include "properties/inventory_model.h"
#include "properties/set_model.h"
#include "properties/unique_create_model.h"

namespace racecheck {
namespace {

struct Entry {
  const char* name;
  std::unique_ptr<Model> (*make)();
};

constexpr Entry kModels[] = {
    {"account", make_account_model},   {"inventory", make_inventory_model},
    {"unique-create", make_unique_create_model}, {"register", make_register_model},
    {"counter", make_counter_model},   {"kv", make_kv_model},
    {"set", make_element_set_model},
};

}  // namespace

std::unique_ptr<Model> make_model(std::string_view name) {
  for (const auto& e : kModels)
    if (name == e.name) return e.make();
  return nullptr;
}

const Model* find_model(std::string_view name) {
  static const std::vector<std::unique_ptr<Model>> instances = [] {
    std::vector<std::unique_ptr<Model>> out;
    for (const auto& e : kModels) out.push_back(e.make());
    return out;
  }();
  for (const auto& m : instances)
    if (name == m->name()) return m.get();
  return nullptr;
}

bool has_ledger(std::string_view model) {
  const Model* m = find_model(model);
  return m != nullptr && m->ledger().has_value();
}

std::vector<std::string> model_names() {
  std::vector<std::string> out;
  for (const auto& e : kModels) out.emplace_back(e.name);
  return out;
}

}  // namespace racecheck
