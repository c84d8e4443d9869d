#include "properties/unique_create_model.h"

#include "properties/model_kit.h"
#include "properties/op_fields.h"

namespace racecheck {
namespace {

struct CreateOp {
  bool is_setup = false;  // the harness's "open" record of its setup: no effect on names
  bool is_read = false;
  Outcome outcome = Outcome::Info;
  bool refused_as_existing = false;
  bool observed_exists = false;  // read only
  std::string name;
};

CreateOp decode(const Operation& op) {
  CreateOp c;
  if (op.f == "open") {
    c.is_setup = true;
    return c;
  }
  if (op.f == "read") c.is_read = true;
  else if (op.f != "create")
    throw ModelInputError(op.id, "f", "unknown unique-create operation '" + op.f + "' (expected create or read)");
  c.name = fields::name_arg(op, "name");
  c.outcome = op.outcome;
  if (c.is_read && op.outcome == Outcome::Ok) {
    auto it = op.output.is_object() ? op.output.find("exists") : op.output.end();
    if (!op.output.is_object() || it == op.output.end() || !it->is_boolean())
      throw ModelInputError(op.id, "exists", "an ok read must return a boolean 'exists' in its output");
    c.observed_exists = it->get<bool>();
  }
  c.refused_as_existing = !c.is_read && op.outcome == Outcome::Fail &&
                          fields::is_business_refusal(op.error, {"exists", "already-exists"});
  return c;
}

// The state: whether the name exists.
bool step(bool exists, const CreateOp& c, bool* next) {
  *next = exists;
  if (c.is_setup) return true;
  if (c.is_read) return c.outcome != Outcome::Ok || c.observed_exists == exists;
  if (c.refused_as_existing) return exists;
  if (c.outcome == Outcome::Ok) {
    if (exists) return false;  // a second successful create
    *next = true;
  } else if (c.outcome == Outcome::Info) {
    *next = true;  // created now, or it already existed
  }
  return true;
}

}  // namespace

std::unique_ptr<Model> make_unique_create_model() {
  ValueModel<bool, CreateOp> m;
  m.name = "unique-create";
  m.operations = {{"create", true, "create"}, {"read", false, "read"}};
  m.decode = decode;
  m.step = step;
  m.describe_value = [](bool exists) -> std::string { return exists ? "exists" : "free"; };
  m.key = [](const Operation& op) { return decode(op).name; };
  m.read_only = [](const CreateOp& c) { return c.is_setup || c.is_read || c.outcome == Outcome::Fail; };
  m.describe_op = [](const CreateOp& c, const Operation& op) {
    const bool read_ok = c.is_read && op.outcome == Outcome::Ok;
    return std::string(c.is_read ? "read '" : "create '") + c.name + "'" +
           outcome_text(op, read_ok ? (c.observed_exists ? "exists" : "free") : "");
  };
  return make_value_model(std::move(m));
}

}  // namespace racecheck
