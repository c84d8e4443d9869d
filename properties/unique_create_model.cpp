#include "properties/unique_create_model.h"

#include <map>

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

// State: 0 = the name is free, 1 = it exists.
class UniqueCreateSpec final : public SequentialSpec {
 public:
  UniqueCreateSpec(const std::vector<Operation>& ops, const std::vector<int>& subset) : decoded_(ops.size()) {
    for (int id : subset) decoded_[id] = decode(ops.at(id));
  }

  State init() override { return 0; }

  bool step(State s, int op_id, State* next) override {
    const CreateOp& c = decoded_[op_id];
    *next = s;
    if (c.is_setup) return true;
    if (c.is_read) return c.outcome != Outcome::Ok || c.observed_exists == (s == 1);
    if (c.refused_as_existing) return s == 1;
    if (c.outcome == Outcome::Ok) {
      if (s == 1) return false;  // a second successful create
      *next = 1;
    } else if (c.outcome == Outcome::Info) {
      *next = 1;  // created now, or it already existed
    }
    return true;
  }

  std::string describe_state(State s) const override { return s ? "exists" : "free"; }

 private:
  std::vector<CreateOp> decoded_;
};

class UniqueCreateModel final : public Model {
 public:
  std::string name() const override { return "unique-create"; }

  std::vector<std::vector<int>> partition(const std::vector<Operation>& ops) const override {
    std::map<std::string, std::vector<int>> by_name;
    for (const auto& op : ops) by_name[decode(op).name].push_back(op.id);
    std::vector<std::vector<int>> out;
    for (auto& [_, ids] : by_name) out.push_back(std::move(ids));
    return out;
  }

  std::unique_ptr<SequentialSpec> prepare(const std::vector<Operation>& ops,
                                          const std::vector<int>& subset) const override {
    return std::make_unique<UniqueCreateSpec>(ops, subset);
  }

  std::string describe_op(const Operation& op) const override {
    CreateOp c;
    try {
      c = decode(op);
    } catch (const ModelInputError&) {
      return Model::describe_op(op);
    }
    std::string s = std::string(c.is_read ? "read " : "create ") + "'" + c.name + "' → ";
    s += to_string(op.outcome);
    if (c.is_read && op.outcome == Outcome::Ok) s += c.observed_exists ? ", exists" : ", free";
    if (!op.error.empty()) s += " (" + op.error + ")";
    return s;
  }
};

}  // namespace

std::unique_ptr<Model> make_unique_create_model() { return std::make_unique<UniqueCreateModel>(); }

}  // namespace racecheck
