#include "harness/money_recording.h"

#include "properties/decimal_money.h"
#include "properties/models.h"

namespace racecheck {

void record_money(Event& e, const std::vector<std::string>& money_fields, int scale) {
  if (!e.value.is_object()) return;
  for (const std::string& field : money_fields) {
    const auto it = e.value.find(field);
    if (it != e.value.end()) *it = money::record_minor_units(*it, scale);
    if (e.read_as.is_object() && e.read_as.contains(field))
      e.read_as[field] = money::record_minor_units(e.read_as[field], scale);
  }
}

void MoneyRecordingSink::append(Event e) {
  record_money(e, fields_, scale_);
  next_.append(std::move(e));
}

std::vector<std::string> recorded_money_fields(const Spec& spec) {
  if (!spec.money.declared) return {};
  const Model* model = find_model(spec.model);
  return model == nullptr ? std::vector<std::string>{} : model->money_fields();
}

}  // namespace racecheck
