// Scenario <-> JSON. Strict like the spec loader: unknown keys are errors, so a
// hand-edited scenario with a typo is refused rather than silently changed.
#include "harness/scenario.h"

#include <algorithm>
#include <climits>

namespace racecheck {

namespace {

[[noreturn]] void fail(const std::string& pointer, const std::string& reason) {
  throw ScenarioError(pointer, reason);
}

void check_keys(const json& j, const std::string& pointer, const std::vector<std::string>& allowed) {
  if (!j.is_object()) fail(pointer, std::string("expected an object, got ") + j.type_name());
  for (const auto& item : j.items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(pointer + "/" + item.key(), "unknown key \"" + item.key() + "\" (expected one of: " + list + ")");
    }
  }
}

int int_field(const json& j, const std::string& key, const std::string& pointer, int lo, int hi, int fallback) {
  if (!j.contains(key)) return fallback;
  const json& v = j[key];
  std::string p = pointer + "/" + key;
  std::string want = "expected an integer " + std::to_string(lo) + "-" + std::to_string(hi);
  if (!v.is_number_integer()) fail(p, want);
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)) fail(p, want);
  std::int64_t n = v.get<std::int64_t>();
  if (n < lo || n > hi) fail(p, want);
  return static_cast<int>(n);
}

ScenarioOp op_from_json(const json& j, const std::string& pointer) {
  check_keys(j, pointer, {"f", "args", "key", "max_attempts", "lose_response", "delay_us", "invalid", "read_as"});
  ScenarioOp op;
  if (!j.contains("f")) fail(pointer + "/f", "missing (the operation name)");
  if (!j["f"].is_string() || j["f"].get<std::string>().empty()) fail(pointer + "/f", "expected a non-empty string");
  op.f = j["f"].get<std::string>();
  if (j.contains("args")) {
    if (!j["args"].is_object()) fail(pointer + "/args", std::string("expected an object, got ") + j["args"].type_name());
    op.args = j["args"];
  }
  if (j.contains("key")) {
    if (!j["key"].is_string()) fail(pointer + "/key", "expected a string (\"\" = no idempotency key)");
    op.key = j["key"].get<std::string>();
  }
  op.max_attempts = int_field(j, "max_attempts", pointer, 1, 1000, 1);
  if (j.contains("lose_response")) {
    if (!j["lose_response"].is_boolean()) fail(pointer + "/lose_response", "expected true or false");
    op.lose_response = j["lose_response"].get<bool>();
  }
  op.delay_us = int_field(j, "delay_us", pointer, 0, INT_MAX, 0);
  if (j.contains("invalid") && !j["invalid"].is_null()) {
    if (!j["invalid"].is_object()) fail(pointer + "/invalid", "expected an object: argument -> why it is invalid");
    for (const auto& item : j["invalid"].items())
      if (!item.value().is_string()) fail(pointer + "/invalid/" + item.key(), "expected a string (why it is invalid)");
    op.invalid = j["invalid"];
  }
  if (j.contains("read_as") && !j["read_as"].is_null()) {
    if (!j["read_as"].is_object()) fail(pointer + "/read_as", "expected an object: argument -> the integer it may be read as");
    for (const auto& item : j["read_as"].items())
      if (!item.value().is_number_integer()) fail(pointer + "/read_as/" + item.key(), "expected an integer");
    op.read_as = j["read_as"];
  }
  return op;
}

}  // namespace

ScenarioError::ScenarioError(std::string pointer_, std::string reason_)
    : std::runtime_error(pointer_ + ": " + reason_), pointer(std::move(pointer_)), reason(std::move(reason_)) {}

int Scenario::op_count() const {
  int n = 0;
  for (const auto& c : clients) n += static_cast<int>(c.ops.size());
  return n;
}

json scenario_to_json(const Scenario& s) {
  json clients = json::array();
  for (const auto& c : s.clients) {
    json ops = json::array();
    for (const auto& op : c.ops) {
      json o = {{"f", op.f},
                {"args", op.args},
                {"key", op.key},
                {"max_attempts", op.max_attempts},
                {"lose_response", op.lose_response},
                {"delay_us", op.delay_us}};
      if (!op.invalid.is_null()) o["invalid"] = op.invalid;
      if (!op.read_as.is_null()) o["read_as"] = op.read_as;
      ops.push_back(std::move(o));
    }
    clients.push_back({{"instance", c.instance}, {"ops", ops}});
  }
  return {{"release", s.release == Release::Burst ? "burst" : "staggered"},
          {"stagger_us", s.stagger_us},
          {"clients", clients}};
}

Scenario scenario_from_json(const json& j) {
  check_keys(j, "", {"release", "stagger_us", "clients"});
  Scenario s;
  if (j.contains("release")) {
    const json& r = j["release"];
    if (r == "burst") s.release = Release::Burst;
    else if (r == "staggered") s.release = Release::Staggered;
    else fail("/release", "expected \"burst\" or \"staggered\"");
  }
  s.stagger_us = int_field(j, "stagger_us", "", 0, INT_MAX, 0);
  if (!j.contains("clients")) fail("/clients", "missing (an array of client programs)");
  const json& clients = j["clients"];
  if (!clients.is_array()) fail("/clients", std::string("expected an array, got ") + clients.type_name());
  for (std::size_t i = 0; i < clients.size(); ++i) {
    std::string cp = "/clients/" + std::to_string(i);
    check_keys(clients[i], cp, {"instance", "ops"});
    ClientProgram c;
    c.instance = int_field(clients[i], "instance", cp, -1, 1 << 20, -1);
    if (!clients[i].contains("ops")) fail(cp + "/ops", "missing (an array of operations)");
    const json& ops = clients[i]["ops"];
    if (!ops.is_array()) fail(cp + "/ops", std::string("expected an array, got ") + ops.type_name());
    for (std::size_t k = 0; k < ops.size(); ++k) c.ops.push_back(op_from_json(ops[k], cp + "/ops/" + std::to_string(k)));
    s.clients.push_back(std::move(c));
  }
  return s;
}

}  // namespace racecheck
