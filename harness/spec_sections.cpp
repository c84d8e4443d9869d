// The spec section by section, then the checks that span sections.
#include "harness/spec_reader.h"

#include <algorithm>
#include <cstdlib>
#include <regex>

#include "harness/idempotency_keys.h"
#include "harness/spec_steps.h"
#include "util/bounded_json.h"
#include "properties/idempotency.h"
#include "properties/models.h"
#include "properties/money.h"

namespace racecheck::spec_reading {

Spec SpecReader::spec(const json& j) const {
  Spec spec;
  spec.file_name = file_;
  check_keys(j, "", {"name", "base_urls", "distribution", "request", "headers", "idempotency_header",
                     "idempotency_key", "secrets",
                     "secret_headers", "setup", "accounts", "operations", "final_read", "model", "invariants",
                     "idempotency", "generator", "tls", "arguments", "money", "$comment"});
  if (j.contains("name")) spec.name = string_value(j["name"], "/name");

  read_base_urls(j, spec);
  read_request(j, spec);
  read_transport(j, spec);
  read_secrets(j, spec);
  read_headers(j, spec);
  std::set<std::string> variables;
  if (j.contains("setup")) spec.setup = setup_list(j["setup"], "/setup", spec, &variables, {});
  read_accounts(j, spec, variables);
  read_arguments(j, spec);
  read_operations(j, spec, variables);
  if (j.contains("model")) spec.model = string_value(j["model"], "/model");
  const std::vector<std::string> models = model_names();
  if (!contains(models, spec.model)) fail("/model", "unknown model \"" + spec.model + "\" (expected one of: " + join(models, ", ") + ")");
  check_model_operations(spec);
  read_final_read(j, spec);
  read_invariants(j, spec);
  read_money(j, spec);
  spec.idempotency = idempotency(j.contains("idempotency") ? j["idempotency"] : json::object(), spec);

  bool accounts_given = j.contains("generator") && j["generator"].is_object() && j["generator"].contains("accounts");
  spec.generator = generator(j.contains("generator") ? j["generator"] : json::object(), "/generator", spec);
  if (!accounts_given) spec.generator.accounts = {spec.accounts.count, spec.accounts.count};
  if (j.contains("idempotency_key")) spec.idempotency_key = idempotency_key(j["idempotency_key"], "/idempotency_key");
  lint_idempotency(j, &spec);
  lint_accounts(j, &spec);
  return spec;
}

// "base_urls" and "distribution": the instances and how ops are spread over them.
void SpecReader::read_base_urls(const json& j, Spec& spec) const {
  if (!j.contains("base_urls")) fail("/base_urls", "missing (expected an array of base URLs such as [\"http://127.0.0.1:8080\"])");
  const json& urls = j["base_urls"];
  if (!urls.is_array() || urls.empty()) fail("/base_urls", "expected a non-empty array of base URLs");
  for (std::size_t i = 0; i < urls.size(); ++i) {
    std::string url = string_value(urls[i], child("/base_urls", i));
    if (auto problem = normalize_base_url(&url)) fail(child("/base_urls", i), *problem);
    spec.base_urls.push_back(url);
  }
  if (j.contains("distribution")) {
    std::string d = string_value(j["distribution"], "/distribution");
    if (d == "round-robin") spec.distribution = Distribution::RoundRobin;
    else if (d == "random") spec.distribution = Distribution::Random;
    else if (d == "pinned") spec.distribution = Distribution::Pinned;
    else fail("/distribution", "expected \"round-robin\", \"random\" or \"pinned\", got \"" + d + "\"");
  }
}

// "request": timeout and body cap of every request.
void SpecReader::read_request(const json& j, Spec& spec) const {
  if (j.contains("request")) {
    check_keys(j["request"], "/request", {"timeout_ms", "max_body_bytes", "http_version"});
    if (j["request"].contains("timeout_ms")) {
      spec.request_timeout_ms = static_cast<int>(integer_value(j["request"]["timeout_ms"], "/request/timeout_ms", 1, 3'600'000));
    }
    if (j["request"].contains("max_body_bytes")) {
      spec.max_body_bytes = static_cast<std::size_t>(
          integer_value(j["request"]["max_body_bytes"], "/request/max_body_bytes", 1, 1LL << 30));
    }
  }
}

// "request"/"http_version" and "tls": how requests travel. The files are
// named here and read only when a run sends its first request.
void SpecReader::read_transport(const json& j, Spec& spec) const {
  if (j.contains("request") && j["request"].contains("http_version")) {
    const std::string version = string_value(j["request"]["http_version"], "/request/http_version");
    if (version != "1.1" && version != "2")
      fail("/request/http_version", "expected \"1.1\" or \"2\", got \"" + version + "\"");
    spec.transport.http2 = version == "2";
  }
  if (!j.contains("tls")) return;
  const json& tls = j["tls"];
  check_keys(tls, "/tls", {"cacert", "insecure", "cert", "key"});
  if (tls.contains("cacert")) spec.transport.tls.cacert = string_value(tls["cacert"], "/tls/cacert");
  if (tls.contains("insecure")) spec.transport.tls.insecure = bool_value(tls["insecure"], "/tls/insecure");
  if (tls.contains("cert")) spec.transport.tls.cert = string_value(tls["cert"], "/tls/cert");
  if (tls.contains("key")) spec.transport.tls.key = string_value(tls["key"], "/tls/key");
  if (!spec.transport.tls.key.empty() && spec.transport.tls.cert.empty())
    fail("/tls/key", "a key without a certificate (add /tls/cert)");
}

// "secrets": each read from its environment variable now, so a missing one fails at load.
void SpecReader::read_secrets(const json& j, Spec& spec) const {
  if (j.contains("secrets")) {
    expect_object(j["secrets"], "/secrets");
    for (const auto& item : j["secrets"].items()) {
      std::string p = child("/secrets", item.key());
      check_variable_name(item.key(), p);
      check_keys(item.value(), p, {"env"});
      if (!item.value().contains("env")) fail(child(p, "env"), "missing (the environment variable holding the secret)");
      std::string env = string_value(item.value()["env"], child(p, "env"));
      spec.secret_env[item.key()] = env;
      const char* value = std::getenv(env.c_str());
      if (value == nullptr) fail(child(p, "env"), "environment variable " + env + " is not set");
      spec.secrets[item.key()] = value;
    }
  }
}

// "secret_headers", "headers" and "idempotency_header".
void SpecReader::read_headers(const json& j, Spec& spec) const {
  spec.secret_headers = {"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"};
  if (j.contains("secret_headers")) {
    if (!j["secret_headers"].is_array()) fail("/secret_headers", "expected an array of header names");
    for (std::size_t i = 0; i < j["secret_headers"].size(); ++i) {
      spec.secret_headers.push_back(string_value(j["secret_headers"][i], child("/secret_headers", i)));
    }
  }
  if (j.contains("headers")) spec.headers = headers_value(j["headers"], "/headers");
  for (const auto& [name, value] : spec.headers) {
    for (auto& placeholder : placeholders_of(value, child("/headers", name))) {
      if (placeholder.rfind("secret:", 0) != 0) {
        fail(child("/headers", name), "unknown placeholder {" + placeholder + "}: common headers may only use {secret:NAME}");
      }
      check_secret_placeholder(placeholder, child("/headers", name), spec);
    }
  }
  if (j.contains("idempotency_header") && j["idempotency_header"].is_null()) {
    spec.idempotency_header.clear();  // the service takes keys only where a template uses {key}
  } else if (j.contains("idempotency_header")) {
    spec.idempotency_header = string_value(j["idempotency_header"], "/idempotency_header");
    try {
      headers_value(json::object({{spec.idempotency_header, ""}}), "/idempotency_header");
    } catch (const SpecError& e) {
      fail("/idempotency_header", e.reason);  // the field is the name itself, not a child of it
    }
  }
}

// "accounts": how each account is set up; its setup sees the global variables.
void SpecReader::read_accounts(const json& j, Spec& spec, const std::set<std::string>& variables) const {
  if (j.contains("accounts")) {
    const json& a = j["accounts"];
    check_keys(a, "/accounts", {"count", "initial_balance", "setup", "id", "balance_variable"});
    if (a.contains("count")) spec.accounts.count = static_cast<int>(integer_value(a["count"], "/accounts/count", 1, 1024));
    if (a.contains("initial_balance")) {
      spec.accounts.initial_balance = integer_value(a["initial_balance"], "/accounts/initial_balance", -1'000'000'000'000LL, 1'000'000'000'000LL);
    }
    std::set<std::string> account_variables = variables;
    if (a.contains("setup")) {
      spec.accounts.setup = setup_list(a["setup"], "/accounts/setup", spec, &account_variables, {"index", "initial_balance"});
    }
    if (!a.contains("id")) fail("/accounts/id", "missing (a template naming the account's id, e.g. \"{id}\")");
    spec.accounts.id = string_value(a["id"], "/accounts/id");
    for (auto& placeholder : placeholders_of(spec.accounts.id, "/accounts/id", &account_variables)) {
      if (!account_variables.count(placeholder) && placeholder != "index") {
        fail("/accounts/id", "unknown placeholder {" + placeholder + "}: expected a variable captured by /accounts/setup or {index}");
      }
    }
    if (a.contains("balance_variable")) {
      spec.accounts.balance_variable = string_value(a["balance_variable"], "/accounts/balance_variable");
      if (!account_variables.count(spec.accounts.balance_variable)) {
        fail("/accounts/balance_variable", "\"" + spec.accounts.balance_variable + "\" is not captured by /accounts/setup");
      }
    }
  }
}

// "operations": one request template and classification per operation.
void SpecReader::read_operations(const json& j, Spec& spec, const std::set<std::string>& variables) const {
  if (!j.contains("operations")) fail("/operations", "missing (one request template per operation)");
  const json& ops = j["operations"];
  if (!ops.is_object() || ops.empty()) fail("/operations", "expected a non-empty object: operation name -> template");
  for (const auto& item : ops.items()) {
    std::string p = child("/operations", item.key());
    if (item.key().empty()) fail(p, "empty operation name");
    // "as" and "instance" say how the operation maps onto the model and the
    // instances; the rest is its request, read by operation().
    json request = item.value();
    if (request.is_object()) {
      request.erase("as");
      request.erase("instance");
    }
    OperationSpec op = request.is_object() && request.contains("steps")
                           ? steps_operation(*this, item.key(), request, p, spec, variables)
                           : operation(item.key(), request, p, spec, variables);
    operation_mapping(item.value(), p, spec, &op);
    spec.operations.push_back(std::move(op));
  }
}

// "as" (the model operation recorded), "instance" (a pinned base URL) and the
// {resource} synonym of {account}.
void SpecReader::operation_mapping(const json& j, const std::string& pointer, const Spec& spec, OperationSpec* op) const {
  op->model_op = op->name;
  if (j.contains("as")) {
    op->model_op = string_value(j["as"], child(pointer, "as"));
    if (op->model_op.empty()) fail(child(pointer, "as"), "expected the name of a model operation");
  }
  if (j.contains("instance")) {
    op->instance = static_cast<int>(integer_value(j["instance"], child(pointer, "instance"), 0,
                                                  static_cast<std::int64_t>(spec.base_urls.size()) - 1));
  }
  auto resource = std::find(op->args.begin(), op->args.end(), "resource");
  if (resource != op->args.end()) {
    op->uses_account = true;
    if (contains(op->args, "account")) op->args.erase(resource);
    else *resource = "account";
  }
}

// Every operation is one the model interprets, by its name or its "as".
void SpecReader::check_model_operations(const Spec& spec) const {
  const Model* model = find_model(spec.model);
  std::vector<std::string> known;
  for (const auto& kind : model->operations()) known.push_back(kind.name);
  const std::string listed = "model \"" + spec.model + "\" knows " + join(known, ", ");
  for (const auto& op : spec.operations) {
    if (model->operation(op.model_op)) continue;
    const std::string p = child("/operations", op.name);
    if (op.model_op != op.name) fail(child(p, "as"), "\"" + op.model_op + "\" is not an operation of " + listed);
    fail(p, "\"" + op.name + "\" is not an operation of " + listed +
                "; name the operation after one, or map it with \"as\": \"<model operation>\"");
  }
}

// "final_read": the operation that reads one account once the trial is quiet.
void SpecReader::read_final_read(const json& j, Spec& spec) const {
  if (j.contains("final_read")) {
    check_keys(j["final_read"], "/final_read", {"operation", "instance"});
    if (!j["final_read"].contains("operation")) fail("/final_read/operation", "missing (the operation that reads one account)");
    spec.final_read = string_value(j["final_read"]["operation"], "/final_read/operation");
    const OperationSpec* read = spec.find_operation(spec.final_read);
    if (!read) fail("/final_read/operation", "no operation named \"" + spec.final_read + "\" in /operations");
    const auto kind = find_model(spec.model)->operation(read->model_op);
    if (kind && kind->writes) {
      fail("/final_read/operation", "\"" + spec.final_read + "\" is recorded as \"" + read->model_op +
                                        "\", which model \"" + spec.model + "\" counts as a write: the final read must read");
    }
    if (j["final_read"].contains("instance")) {
      spec.final_read_instance = static_cast<int>(integer_value(j["final_read"]["instance"], "/final_read/instance", 0,
                                                                static_cast<std::int64_t>(spec.base_urls.size()) - 1));
      return;
    }
  } else if (!spec.find_operation("read")) {
    // Default: the operation named "read", else the first recorded as "read".
    spec.final_read.clear();
    for (const auto& op : spec.operations) {
      if (op.model_op == "read") {
        spec.final_read = op.name;
        break;
      }
    }
  }
  // The final read goes where its operation is pinned ("instance").
  if (const OperationSpec* read = spec.find_operation(spec.final_read); read != nullptr && read->instance >= 0) {
    spec.final_read_instance = read->instance;
  }
}

// "invariants", and what the chosen ones need from the rest of the spec.
void SpecReader::read_invariants(const json& j, Spec& spec) const {
  if (j.contains("invariants")) {
    const json& inv = j["invariants"];
    if (!inv.is_array()) fail("/invariants", "expected an array of invariant names");
    for (std::size_t i = 0; i < inv.size(); ++i) {
      std::string name = string_value(inv[i], child("/invariants", i));
      if (!contains(invariant_names(), name)) {
        fail(child("/invariants", i), "unknown invariant \"" + name + "\" (expected one of: " + join(invariant_names(), ", ") + ")");
      }
      if (contains(spec.invariants, name)) fail(child("/invariants", i), "\"" + name + "\" is listed twice");
      spec.invariants.push_back(name);
    }
  }
  bool wants_conservation = has_ledger(spec.model) &&
                            (spec.invariants.empty() || contains(spec.invariants, "conservation"));
  if (wants_conservation && spec.final_read.empty()) {
    fail("/final_read", "missing: the conservation invariant needs a final read (an operation named \"read\" or /final_read/operation)");
  }
  if (!spec.final_read.empty()) {
    const OperationSpec* read = spec.find_operation(spec.final_read);
    for (const auto& arg : read->args) {
      if (arg != "account") {
        fail(child("/operations", spec.final_read), "the final read runs without arguments other than {account}, but its template uses {" + arg + "}");
      }
    }
  }
}

// Which operations take keys, and whether the key policies can apply to them.
void SpecReader::lint_idempotency(const json& j, Spec* spec) const {
  bool any_keyed = false, any_optional = false, any_changeable = false;
  for (auto& op : spec->operations) {
    const std::string p = child("/operations", op.name);
    if (op.idempotency != Idempotency::None && spec->idempotency_header.empty() && !op.uses_key) {
      if (op.idempotency_given) {
        fail(child(p, "idempotency"), std::string("\"") + (op.idempotency == Idempotency::Required ? "required" : "optional") +
                                          "\", but a key would never reach the service: /idempotency_header is null "
                                          "and the template does not use {key}");
      }
      op.idempotency = Idempotency::None;  // by default: nothing could carry the key
      continue;
    }
    if (op.idempotency == Idempotency::None) continue;
    any_keyed = true;
    any_optional = any_optional || op.idempotency == Idempotency::Optional;
    for (const auto& a : op.args) any_changeable = any_changeable || (a != "account" && !is_name_argument(a));
  }
  const bool policy_given = j.contains("generator") && j["generator"].contains("key_policy");
  if (!policy_given) return;
  const std::string kp = "/generator/key_policy";
  std::vector<std::string> drawn;
  for (const auto& [name, w] : spec->generator.key_policy)
    if (w > 0) drawn.push_back(name);
  if (!any_keyed) {
    for (const auto& name : drawn) {
      if (name != "none") {
        warn(spec, child(kp, name), "never applies: no operation takes an idempotency key (every one is "
                                    "\"idempotency\": \"none\" or a GET)");
      }
    }
    return;
  }
  if (contains(drawn, "none") && drawn.size() > 1 && !any_optional) {
    warn(spec, child(kp, "none"), "never applies: every operation that takes a key is \"idempotency\": \"required\"");
  }
  if (drawn.size() == 1 && drawn.front() == "none") {
    for (const auto& op : spec->operations) {
      if (op.idempotency == Idempotency::Required) {
        warn(spec, kp, "draws only \"none\", which never applies to operation \"" + op.name +
                           "\" (\"idempotency\": \"required\"): it is sent with a fresh key every time");
      }
    }
  }
  if (contains(drawn, "different-payload") && !any_changeable) {
    warn(spec, child(kp, "different-payload"),
         "no operation that takes a key has a numeric argument to change (such as {amount}): the reuse is "
         "sent with the same payload, as a sequential-replay");
  }
}

// Operations that never name an account while the model tracks accounts.
void SpecReader::lint_accounts(const json& j, Spec* spec) const {
  bool any = false;
  for (const auto& op : spec->operations) any = any || op.uses_account;
  const int accounts = static_cast<int>(std::max<std::int64_t>(spec->accounts.count, spec->generator.accounts.hi));
  if (!any) {
    if (accounts > 1) {
      fail("/operations", "no operation uses {account} (in its path, query, headers or body), but " +
                              std::to_string(accounts) + " accounts are set up per trial (/accounts/count, "
                              "/generator/accounts): no request could say which account it acts on");
    }
    if (has_ledger(spec->model) || j.contains("accounts")) {
      warn(spec, "/operations",
           "no operation uses {account}: every operation is taken to act on the single account (index 0)");
    }
    return;
  }
  if (accounts <= 1 || !has_ledger(spec->model)) return;
  for (const auto& op : spec->operations) {
    if (!op.uses_account && op.name != spec->final_read) {
      warn(spec, child("/operations", op.name),
           "does not use {account} while other operations do: with " + std::to_string(accounts) +
               " accounts the model counts it against no account");
    }
  }
}

// "idempotency": {"not_executed": ["key-in-flight", ...], "replay_refusals": true}
IdempotencySpec SpecReader::idempotency(const json& j, const Spec& spec) const {
  const std::string pointer = "/idempotency";
  check_keys(j, pointer, {"not_executed", "replay_refusals", "$comment"});
  IdempotencySpec out;
  out.not_executed = default_not_executed_errors();
  if (j.contains("replay_refusals")) out.replay_refusals = bool_value(j["replay_refusals"], child(pointer, "replay_refusals"));
  if (!j.contains("not_executed")) return out;
  const std::string list = child(pointer, "not_executed");
  const json& labels = j["not_executed"];
  if (!labels.is_array()) fail(list, "expected an array of error labels (e.g. [\"key-in-flight\", \"key-reused\", \"busy\"])");
  // A label no fail rule records is a typo: the refusals it meant would be
  // judged as completed responses.
  std::vector<std::string> fail_labels;
  for (const auto& op : spec.operations)
    for (const auto& rule : op.classify)
      if (rule.outcome == Outcome::Fail) fail_labels.push_back(rule.error);
  out.not_executed.clear();
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string where = child(list, i);
    std::string label = string_value(labels[i], where);
    if (contains(out.not_executed, label)) fail(where, "\"" + label + "\" is listed twice");
    if (!contains(fail_labels, label))
      fail(where, "no classify rule with outcome \"fail\" records the error \"" + label + "\"");
    out.not_executed.push_back(std::move(label));
  }
  return out;
}

}  // namespace racecheck::spec_reading
