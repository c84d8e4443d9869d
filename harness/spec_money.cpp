// "money": {"scale": N}: the decimal places of the model's money fields.
#include "harness/spec_reader.h"

#include "properties/decimal_money.h"
#include "properties/models.h"

namespace racecheck::spec_reading {

void SpecReader::read_money(const json& j, Spec& spec) const {
  const Model* model = find_model(spec.model);
  const std::vector<std::string> fields = model == nullptr ? std::vector<std::string>{} : model->money_fields();
  if (j.contains("money")) {
    const json& m = j["money"];
    expect_object(m, "/money");
    check_keys(m, "/money", {"scale", "$comment"});
    if (!m.contains("scale")) fail("/money/scale", "missing (the number of decimal places of amounts and balances, 0-18)");
    spec.money.scale = static_cast<int>(integer_value(m["scale"], "/money/scale", 0, money::kMaxScale));
    spec.money.declared = true;
    if (fields.empty())
      fail("/money", "model \"" + spec.model + "\" has no money fields (amounts, balances): remove \"money\" or use a model with a ledger of money such as \"account\"");
  }
  // An amount drawn with more places than the money has would be recorded as
  // inexact money, a violation the service did not commit.
  for (const auto& [name, argument] : spec.arguments) {
    if (argument.type != ArgumentType::Decimal) continue;
    if (std::find(fields.begin(), fields.end(), name) == fields.end()) continue;
    if (!spec.money.declared)
      fail("/arguments/" + name, "a decimal money argument (" + std::to_string(argument.scale) +
                                     " places) needs the money scale: add \"money\": {\"scale\": " +
                                     std::to_string(argument.scale) + "}");
    if (argument.scale > spec.money.scale)
      fail("/arguments/" + name + "/scale", "has " + std::to_string(argument.scale) +
                                                " places but money has " + std::to_string(spec.money.scale) +
                                                " (\"money\": {\"scale\": " + std::to_string(spec.money.scale) + "})");
  }
}

}  // namespace racecheck::spec_reading
