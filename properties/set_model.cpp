#include "properties/set_model.h"

#include <algorithm>
#include <set>

#include "properties/model_kit.h"

namespace racecheck {
namespace {

// Elements by their JSON spelling, so that any JSON value can be one.
using Elements = std::set<std::string>;

struct SetStep {
  bool is_read = false;
  Outcome outcome = Outcome::Info;
  std::string element;         // add: the element, spelled
  Elements observed;           // ok read: what it listed
  bool observed_twice = false; // ok read: an element listed more than once
};

const json& value_of(const Operation& op, const json& j, const char* where) {
  if (!j.is_object() || !j.contains("value")) {
    throw ModelInputError(op.id, std::string(where) + "/value", "missing (set ops carry {\"value\": ...})");
  }
  return j["value"];
}

SetStep decode(const Operation& op) {
  SetStep s;
  s.outcome = op.outcome;
  if (op.f == "add") {
    s.element = value_of(op, op.input, "input").dump();
  } else if (op.f == "read") {
    s.is_read = true;
    if (op.outcome == Outcome::Ok) {
      const json& listed = value_of(op, op.output, "output");
      if (!listed.is_array()) {
        throw ModelInputError(op.id, "output/value", "an ok read must list the elements as an array, got " + listed.dump());
      }
      for (const json& element : listed) s.observed_twice |= !s.observed.insert(element.dump()).second;
    }
  } else {
    throw ModelInputError(op.id, "f", "the set model knows add and read, not '" + op.f + "'");
  }
  return s;
}

// An add that failed did nothing; one that may have run (info) did, if it is placed at all.
bool step(const Elements& held, const SetStep& s, Elements* next) {
  *next = held;
  if (s.is_read) return s.outcome != Outcome::Ok || (!s.observed_twice && s.observed == held);
  if (s.outcome != Outcome::Fail) next->insert(s.element);
  return true;
}

std::string spell(const Elements& elements) {
  std::string out = "{";
  for (const auto& e : elements) out += (out.size() > 1 ? ", " : "") + e;
  return out + "}";
}

}  // namespace

std::unique_ptr<Model> make_element_set_model() {
  ValueModel<Elements, SetStep> m;
  m.name = "set";
  m.operations = {{"add", true, "addition"}, {"read", false, "read"}};
  m.decode = decode;
  m.step = step;
  m.describe_value = spell;
  m.read_only = [](const SetStep& s) { return s.is_read || s.outcome == Outcome::Fail; };
  m.describe_op = [](const SetStep& s, const Operation& op) {
    if (!s.is_read) return "add " + s.element + outcome_text(op);
    return std::string("read") + outcome_text(op, op.outcome == Outcome::Ok ? op.output.at("value").dump() : "");
  };
  return make_value_model(std::move(m));
}

}  // namespace racecheck
