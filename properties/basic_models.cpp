#include "properties/basic_models.h"

#include <unordered_map>

namespace racecheck {
namespace {

// Outcome kinds a step distinguishes.
enum class Seen : std::uint8_t { Ok, Fail, Unknown };

Seen seen_of(const Operation& op) {
  if (op.outcome == Outcome::Ok) return Seen::Ok;
  if (op.outcome == Outcome::Fail) return Seen::Fail;
  return Seen::Unknown;
}

// `{"value":V}` or a bare V (offline histories from other tools).
const json& value_field(const Operation& op, const json& j, const char* what) {
  if (j.is_object()) {
    auto it = j.find("value");
    if (it == j.end()) throw ModelInputError(op.id, std::string(what) + "/value", "missing");
    return *it;
  }
  return j;
}

// Interns JSON values so the register state is a small integer; nil (null) is 0.
class ValueTable {
 public:
  ValueTable() { ids_.emplace("null", 0); names_.push_back("nil"); }
  State intern(const json& v) {
    std::string key = v.dump();
    auto [it, inserted] = ids_.emplace(key, names_.size());
    if (inserted) names_.push_back(std::move(key));
    return it->second;
  }
  const std::string& name(State s) const { return names_.at(s); }

 private:
  std::unordered_map<std::string, State> ids_;
  std::vector<std::string> names_;
};

// ---------------------------------------------------------------------------
// register

enum class RegOp : std::uint8_t { Read, Write, Cas };

struct RegStep {
  RegOp kind = RegOp::Read;
  Seen seen = Seen::Unknown;
  State a = 0;  // write value / cas from / read result
  State b = 0;  // cas to
};

class RegisterSpec final : public SequentialSpec {
 public:
  RegisterSpec(const std::vector<Operation>& ops, const std::vector<int>& subset) : steps_(ops.size()) {
    for (int id : subset) {
      const Operation& op = ops.at(static_cast<std::size_t>(id));
      RegStep& s = steps_[static_cast<std::size_t>(id)];
      s.seen = seen_of(op);
      if (op.f == "read") {
        s.kind = RegOp::Read;
        if (s.seen == Seen::Ok) s.a = values_.intern(value_field(op, op.output, "output"));
      } else if (op.f == "write") {
        s.kind = RegOp::Write;
        s.a = values_.intern(value_field(op, op.input, "input"));
      } else if (op.f == "cas") {
        s.kind = RegOp::Cas;
        const json& in = op.input;
        if (in.is_array() && in.size() == 2) {
          s.a = values_.intern(in[0]);
          s.b = values_.intern(in[1]);
        } else if (in.is_object() && in.contains("from") && in.contains("to")) {
          s.a = values_.intern(in["from"]);
          s.b = values_.intern(in["to"]);
        } else {
          throw ModelInputError(op.id, "input", "cas needs {\"from\":A,\"to\":B} or [A,B], got " + in.dump());
        }
      } else {
        throw ModelInputError(op.id, "f", "the register model knows read, write and cas, not '" + op.f + "'");
      }
    }
  }
  State init() override { return 0; }
  bool step(State s, int op_id, State* next) override {
    const RegStep& st = steps_[static_cast<std::size_t>(op_id)];
    *next = s;
    switch (st.kind) {
      case RegOp::Read:
        return st.seen != Seen::Ok || s == st.a;
      case RegOp::Write:
        if (st.seen != Seen::Fail) *next = st.a;
        return true;
      case RegOp::Cas:
        if (st.seen == Seen::Fail) return s != st.a;
        if (s == st.a) {
          *next = st.b;
          return true;
        }
        return st.seen == Seen::Unknown;
    }
    return false;
  }
  std::string describe_state(State s) const override { return values_.name(s); }

 private:
  std::vector<RegStep> steps_;
  ValueTable values_;
};

std::string short_value(const json& v) { return v.is_null() ? "nil" : v.dump(); }

std::string outcome_suffix(const Operation& op) {
  if (op.outcome == Outcome::Info) return " -> unknown";
  if (op.outcome == Outcome::Fail) return op.error.empty() ? " -> fail" : " -> fail (" + op.error + ")";
  return " -> ok";
}

class RegisterModel final : public Model {
 public:
  std::string name() const override { return "register"; }
  std::unique_ptr<SequentialSpec> prepare(const std::vector<Operation>& ops,
                                          const std::vector<int>& subset) const override {
    return std::make_unique<RegisterSpec>(ops, subset);
  }
  std::string describe_op(const Operation& op) const override {
    try {
      if (op.f == "read") {
        if (op.outcome == Outcome::Ok) return "read -> " + short_value(value_field(op, op.output, "output"));
        return "read" + outcome_suffix(op);
      }
      if (op.f == "write") return "write " + short_value(value_field(op, op.input, "input")) + outcome_suffix(op);
      if (op.f == "cas") {
        const json& in = op.input;
        const json from = in.is_array() ? in.at(0) : in.at("from");
        const json to = in.is_array() ? in.at(1) : in.at("to");
        return "cas " + short_value(from) + "->" + short_value(to) + outcome_suffix(op);
      }
    } catch (const std::exception&) {
    }
    return Model::describe_op(op);
  }
};

// ---------------------------------------------------------------------------
// counter

std::int64_t integer_field(const Operation& op, const json& v, const char* field) {
  if (!v.is_number_integer()) throw ModelInputError(op.id, field, "expected an integer, got " + v.dump());
  return v.get<std::int64_t>();
}

class CounterSpec final : public SequentialSpec {
 public:
  CounterSpec(const std::vector<Operation>& ops, const std::vector<int>& subset) : steps_(ops.size()) {
    for (int id : subset) {
      const Operation& op = ops.at(static_cast<std::size_t>(id));
      Step& s = steps_[static_cast<std::size_t>(id)];
      s.seen = seen_of(op);
      if (op.f == "increment" || op.f == "add") {
        s.is_read = false;
        const json& in = op.input;
        if (in.is_null()) s.amount = 1;
        else if (in.is_object()) s.amount = in.contains("amount") ? integer_field(op, in["amount"], "input/amount") : 1;
        else s.amount = integer_field(op, in, "input");
      } else if (op.f == "read") {
        s.is_read = true;
        if (s.seen == Seen::Ok) s.amount = integer_field(op, value_field(op, op.output, "output"), "output/value");
      } else {
        throw ModelInputError(op.id, "f", "the counter model knows increment (or add) and read, not '" + op.f + "'");
      }
    }
  }
  State init() override { return 0; }
  bool step(State s, int op_id, State* next) override {
    const Step& st = steps_[static_cast<std::size_t>(op_id)];
    *next = s;
    if (st.is_read) return st.seen != Seen::Ok || static_cast<std::int64_t>(s) == st.amount;
    if (st.seen != Seen::Fail) *next = static_cast<State>(static_cast<std::int64_t>(s) + st.amount);
    return true;
  }
  std::string describe_state(State s) const override {
    return std::to_string(static_cast<std::int64_t>(s));
  }

 private:
  struct Step {
    bool is_read = true;
    Seen seen = Seen::Unknown;
    std::int64_t amount = 0;
  };
  std::vector<Step> steps_;
};

class CounterModel final : public Model {
 public:
  std::string name() const override { return "counter"; }
  std::unique_ptr<SequentialSpec> prepare(const std::vector<Operation>& ops,
                                          const std::vector<int>& subset) const override {
    return std::make_unique<CounterSpec>(ops, subset);
  }
};

// ---------------------------------------------------------------------------
// kv

std::string key_of(const Operation& op) {
  if (!op.input.is_object() || !op.input.contains("key"))
    throw ModelInputError(op.id, "input/key", "missing (kv ops need {\"key\":K,...})");
  const json& k = op.input["key"];
  return k.is_string() ? k.get<std::string>() : k.dump();
}

std::string string_field(const Operation& op, const json& v, const char* field) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  throw ModelInputError(op.id, field, "expected a string, got " + v.dump());
}

enum class KvOp : std::uint8_t { Get, Put, Append };

// One key's string register. States are ids of interned strings; appends are
// memoized per (state, op) so the search never builds the same string twice.
class KvSpec final : public SequentialSpec {
 public:
  KvSpec(const std::vector<Operation>& ops, const std::vector<int>& subset) : steps_(ops.size()) {
    intern("");
    for (int id : subset) {
      const Operation& op = ops.at(static_cast<std::size_t>(id));
      Step& s = steps_[static_cast<std::size_t>(id)];
      s.seen = seen_of(op);
      if (op.f == "get" || op.f == "read") {
        s.kind = KvOp::Get;
        if (s.seen == Seen::Ok) {
          const json& out = op.output;
          const json& v = out.is_object() ? (out.contains("value") ? out["value"] : throw ModelInputError(op.id, "output/value", "missing")) : out;
          s.value = intern(string_field(op, v, "output/value"));
        }
      } else if (op.f == "put" || op.f == "append") {
        s.kind = op.f == "put" ? KvOp::Put : KvOp::Append;
        if (!op.input.is_object() || !op.input.contains("value"))
          throw ModelInputError(op.id, "input/value", "missing");
        s.value = intern(string_field(op, op.input["value"], "input/value"));
      } else {
        throw ModelInputError(op.id, "f", "the kv model knows get, put and append, not '" + op.f + "'");
      }
    }
  }
  State init() override { return 0; }
  bool step(State s, int op_id, State* next) override {
    const Step& st = steps_[static_cast<std::size_t>(op_id)];
    *next = s;
    if (st.seen == Seen::Fail && st.kind != KvOp::Get) return true;  // known not applied
    switch (st.kind) {
      case KvOp::Get:
        return st.seen != Seen::Ok || s == st.value;
      case KvOp::Put:
        *next = st.value;
        return true;
      case KvOp::Append: {
        const std::uint64_t memo_key = (s << 32) | static_cast<std::uint32_t>(op_id);
        auto it = appended_.find(memo_key);
        if (it != appended_.end()) {
          *next = it->second;
        } else {
          *next = intern(strings_[s] + strings_[st.value]);
          appended_.emplace(memo_key, *next);
        }
        return true;
      }
    }
    return false;
  }
  std::string describe_state(State s) const override { return json(strings_.at(s)).dump(); }

 private:
  State intern(std::string s) {
    auto [it, inserted] = ids_.emplace(s, strings_.size());
    if (inserted) strings_.push_back(std::move(s));
    return it->second;
  }
  struct Step {
    KvOp kind = KvOp::Get;
    Seen seen = Seen::Unknown;
    State value = 0;
  };
  std::vector<Step> steps_;
  std::unordered_map<std::string, State> ids_;
  std::vector<std::string> strings_;
  std::unordered_map<std::uint64_t, State> appended_;
};

class KvModel final : public Model {
 public:
  std::string name() const override { return "kv"; }
  std::vector<std::vector<int>> partition(const std::vector<Operation>& ops) const override {
    std::unordered_map<std::string, std::size_t> index;
    std::vector<std::vector<int>> parts;
    for (const Operation& op : ops) {
      auto [it, inserted] = index.emplace(key_of(op), parts.size());
      if (inserted) parts.emplace_back();
      parts[it->second].push_back(op.id);
    }
    return parts;
  }
  std::unique_ptr<SequentialSpec> prepare(const std::vector<Operation>& ops,
                                          const std::vector<int>& subset) const override {
    return std::make_unique<KvSpec>(ops, subset);
  }
  std::string describe_op(const Operation& op) const override {
    try {
      const std::string key = key_of(op);
      if (op.f == "get" || op.f == "read") {
        if (op.outcome == Outcome::Ok) {
          const json& v = op.output.is_object() ? op.output.at("value") : op.output;
          return "get " + key + " -> " + (v.is_null() ? std::string("\"\"") : v.dump());
        }
        return "get " + key + outcome_suffix(op);
      }
      return op.f + " " + key + " " + op.input.at("value").dump() + outcome_suffix(op);
    } catch (const std::exception&) {
    }
    return Model::describe_op(op);
  }
};

}  // namespace

std::unique_ptr<Model> make_register_model() { return std::make_unique<RegisterModel>(); }
std::unique_ptr<Model> make_counter_model() { return std::make_unique<CounterModel>(); }
std::unique_ptr<Model> make_kv_model() { return std::make_unique<KvModel>(); }

}  // namespace racecheck
