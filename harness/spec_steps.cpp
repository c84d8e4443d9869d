#include "harness/spec_steps.h"

#include <vector>

#include "harness/op_steps.h"

namespace racecheck::spec_reading {

namespace {

constexpr std::size_t kMaxSteps = 16;
constexpr int kMaxConflictAttempts = 100;

// The keys of a request template; each step has its own request.
const std::vector<std::string> kRequestKeys = {"method", "path", "headers", "body", "form", "raw", "query"};

struct StepsReading {
  const SpecReader& reader;
  const Spec& spec;
  const std::set<std::string>& variables;  // captured by /setup
  std::set<std::string> captured;          // by the steps read so far
  std::set<std::string> captured_later;    // by any step (to name a use before the capture)
  OperationSpec* op;

  bool known(const std::string& name) const {
    return variables.count(name) || captured.count(name) || name == "key" || name == "account";
  }

  // As in an operation of one request: {account} is an argument, {key} is not.
  void use_name(const std::string& name, const std::string& where) {
    if (name == "key") {
      op->uses_key = true;
      return;
    }
    if (name == "account") op->uses_account = true;
    else if (variables.count(name) || captured.count(name)) return;
    if (captured_later.count(name)) reader.fail(where, "{" + name + "} is captured by a later step");
    reader.check_argument_name(name, where);
    if (!contains(op->args, name)) op->args.push_back(name);
  }

  // A placeholder: a secret, a known name or argument, or {a-b} / {a+b} of two.
  void use(const std::string& placeholder, const std::string& where) {
    if (placeholder.rfind("secret:", 0) == 0) {
      reader.check_secret_placeholder(placeholder, where, spec);
      return;
    }
    if (known(placeholder)) return use_name(placeholder, where);
    for (const ArithmeticPlaceholder& split : arithmetic_splits(placeholder)) {
      if (known(split.left) || known(split.right)) {
        use_name(split.left, where);
        use_name(split.right, where);
        return;
      }
    }
    use_name(placeholder, where);
  }

  StepCapture capture(const std::string& name, const json& j, const std::string& p) const {
    reader.check_variable_name(name, p);
    StepCapture c;
    c.name = name;
    if (j.is_string()) {
      c.pointer = reader.json_pointer_value(j, p);
      return c;
    }
    if (!j.is_object()) reader.fail(p, "expected a JSON pointer, {\"pointer\": \"/x\"} or {\"header\": \"ETag\"}");
    reader.check_keys(j, p, {"pointer", "header"});
    if (j.contains("pointer") == j.contains("header")) {
      reader.fail(p, "expected exactly one of \"pointer\" (into the response body) or \"header\" (a response header)");
    }
    if (j.contains("pointer")) c.pointer = reader.json_pointer_value(j["pointer"], child(p, "pointer"));
    else c.header = reader.string_value(j["header"], child(p, "header"));
    return c;
  }

  StepGuard guard(const json& step, const std::string& p) {
    reader.check_keys(step, p, {"refuse_if", "error", "$comment"});
    const std::string rp = child(p, "refuse_if");
    const json& refuse = step["refuse_if"];
    if (!refuse.is_object() || refuse.size() != 1) {
      reader.fail(rp, "expected one comparison: {\"less\" | \"greater\" | \"equal\": [left, right]}");
    }
    StepGuard g;
    g.comparison = refuse.begin().key();
    const std::string cp = child(rp, g.comparison);
    if (g.comparison != "less" && g.comparison != "greater" && g.comparison != "equal") {
      reader.fail(cp, "unknown comparison \"" + g.comparison + "\" (expected less, greater or equal)");
    }
    const json& operands = refuse.begin().value();
    if (!operands.is_array() || operands.size() != 2) reader.fail(cp, "expected [left, right], e.g. [\"{balance}\", \"{amount}\"]");
    g.left = operands[0];
    g.right = operands[1];
    std::vector<std::pair<std::string, std::string>> placeholders;
    reader.body_placeholders(operands, cp, &placeholders);
    for (const auto& [placeholder, where] : placeholders) use(placeholder, where);
    if (!step.contains("error")) reader.fail(child(p, "error"), "missing (the fail label when the guard refuses, e.g. \"insufficient-funds\")");
    g.error = reader.string_value(step["error"], child(p, "error"));
    return g;
  }

  OperationStep step(const json& j, const std::string& p) {
    reader.expect_object(j, p);
    OperationStep s;
    if (j.contains("refuse_if")) {
      s.guard = guard(j, p);
      return s;
    }
    std::vector<std::string> allowed = kRequestKeys;
    allowed.insert(allowed.end(), {"capture", "expect_status", "$comment"});
    reader.check_keys(j, p, allowed);
    s.request = reader.request_value(j, p);
    for (const auto& [placeholder, where] : reader.request_placeholders(*s.request, p)) use(placeholder, where);
    if (j.contains("expect_status")) s.expect_status = reader.status_value(j["expect_status"], child(p, "expect_status"));
    if (j.contains("capture")) {
      const std::string cp = child(p, "capture");
      reader.expect_object(j["capture"], cp);
      for (const auto& item : j["capture"].items()) s.capture.push_back(capture(item.key(), item.value(), child(cp, item.key())));
    }
    for (const StepCapture& c : s.capture) captured.insert(c.name);
    return s;
  }
};

}  // namespace

OperationSpec steps_operation(const SpecReader& reader, const std::string& name, const json& j,
                              const std::string& pointer, const Spec& spec, const std::set<std::string>& variables) {
  reader.expect_object(j, pointer);
  for (const std::string& key : kRequestKeys) {
    if (j.contains(key)) reader.fail(child(pointer, key), "not allowed beside \"steps\": each step has its own request");
  }
  const std::string sp = child(pointer, "steps");
  const json& steps = j["steps"];
  if (!steps.is_array() || steps.empty()) reader.fail(sp, "expected a non-empty array of steps (requests or guards)");
  if (steps.size() > kMaxSteps) reader.fail(sp, "more than " + std::to_string(kMaxSteps) + " steps");

  OperationSpec op;
  StepsReading reading{reader, spec, variables, {}, {}, &op};
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (!steps[i].is_object() || !steps[i].contains("capture") || !steps[i]["capture"].is_object()) continue;
    for (const auto& item : steps[i]["capture"].items()) reading.captured_later.insert(item.key());
  }
  for (std::size_t i = 0; i < steps.size(); ++i) op.steps.push_back(reading.step(steps[i], child(sp, i)));
  if (!op.steps.back().request) {
    reader.fail(child(sp, steps.size() - 1), "the last step must be a request: classify and extract judge its response");
  }
  if (!op.steps.back().capture.empty()) {
    reader.fail(child(child(sp, steps.size() - 1), "capture"), "no later step uses it: the last step's response goes to classify and extract");
  }

  // The operation's own fields, read as for an operation of one request whose
  // request is the last step (its method gives the idempotency default).
  json single = j;
  single.erase("steps");
  single.erase("conflict");
  for (const std::string& key : kRequestKeys) {
    if (steps.back().contains(key)) single[key] = steps.back()[key];
  }
  std::set<std::string> names = variables;
  names.insert(reading.captured.begin(), reading.captured.end());
  for (const auto& [placeholder, where] : reader.request_placeholders(*op.steps.back().request, child(sp, steps.size() - 1))) {
    if (!arithmetic_splits(placeholder).empty() && !contains(op.args, placeholder)) names.insert(placeholder);
  }
  OperationSpec parsed = reader.operation(name, single, pointer, spec, names);
  parsed.steps = std::move(op.steps);
  parsed.args = std::move(op.args);
  parsed.uses_account = op.uses_account;
  parsed.uses_key = parsed.uses_key || op.uses_key;
  if (parsed.uses_key && parsed.idempotency == Idempotency::None) {
    reader.fail(sp, "a step uses {key}, but the operation takes no key (set \"idempotency\" to \"optional\" or \"required\")");
  }

  if (j.contains("conflict")) {
    const std::string cp = child(pointer, "conflict");
    reader.check_keys(j["conflict"], cp, {"status", "max_attempts"});
    if (!j["conflict"].contains("status")) reader.fail(child(cp, "status"), "missing (the statuses that re-run the sequence, e.g. [409, 412])");
    const json& status = j["conflict"]["status"];
    // [409, 412] lists statuses here (a conflict rule is a set, never a range).
    parsed.conflict.status = status.is_array() ? reader.status_value(json{{"any", status}}, child(cp, "status"))
                                               : reader.status_value(status, child(cp, "status"));
    if (j["conflict"].contains("max_attempts")) {
      parsed.conflict.max_attempts = static_cast<int>(
          reader.integer_value(j["conflict"]["max_attempts"], child(cp, "max_attempts"), 1, kMaxConflictAttempts));
    } else {
      parsed.conflict.max_attempts = 3;
    }
  }
  return parsed;
}

}  // namespace racecheck::spec_reading
