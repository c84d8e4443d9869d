// Readers of one JSON value of the spec each: it is checked and converted, or
// rejected with its JSON pointer and the reason.
#include "harness/spec_reader.h"

#include <algorithm>
#include <cstdlib>
#include <regex>

#include "harness/conversions.h"
#include "harness/idempotency_keys.h"
#include "util/bounded_json.h"
#include "properties/idempotency.h"
#include "properties/models.h"
#include "properties/money.h"

namespace racecheck::spec_reading {

void SpecReader::expect_object(const json& j, const std::string& pointer) const {
  if (!j.is_object()) fail(pointer, std::string("expected an object, got ") + j.type_name());
}

void SpecReader::check_keys(const json& j, const std::string& pointer,
                const std::vector<std::string>& allowed) const {
  expect_object(j, pointer);
  for (const auto& item : j.items()) {
    if (item.key().rfind("$comment", 0) == 0) continue;  // notes for people, any value
    if (!contains(allowed, item.key())) {
      fail(child(pointer, item.key()),
           "unknown key \"" + item.key() + "\" (expected one of: " + join(allowed, ", ") + ")");
    }
  }
}

std::string SpecReader::string_value(const json& j, const std::string& pointer, bool allow_empty) const {
  if (!j.is_string()) fail(pointer, std::string("expected a string, got ") + j.type_name());
  std::string s = j.get<std::string>();
  if (!allow_empty && s.empty()) fail(pointer, "expected a non-empty string");
  return s;
}

std::int64_t SpecReader::integer_value(const json& j, const std::string& pointer, std::int64_t lo,
                           std::int64_t hi) const {
  std::string want = "expected an integer " + std::to_string(lo) + "-" + std::to_string(hi);
  if (!j.is_number_integer()) fail(pointer, want);
  if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)) fail(pointer, want);
  std::int64_t v = j.get<std::int64_t>();
  if (v < lo || v > hi) fail(pointer, want);
  return v;
}

double SpecReader::number_value(const json& j, const std::string& pointer, double lo, double hi,
                    const std::string& want) const {
  if (!j.is_number()) fail(pointer, want);
  double v = j.get<double>();
  if (!(v >= lo && v <= hi)) fail(pointer, want);
  return v;
}

bool SpecReader::bool_value(const json& j, const std::string& pointer) const {
  if (!j.is_boolean()) fail(pointer, std::string("expected true or false, got ") + j.type_name());
  return j.get<bool>();
}

// A JSON pointer written in the spec ("" = whole document, else starts with '/').
std::string SpecReader::json_pointer_value(const json& j, const std::string& pointer) const {
  std::string s = string_value(j, pointer, /*allow_empty=*/true);
  try {
    json::json_pointer parsed(s);
    (void)parsed;
  } catch (const json::exception&) {
    fail(pointer, "expected a JSON pointer such as \"/balance\", got \"" + s + "\"");
  }
  return s;
}

// A status (100-599), a list of statuses, or a range [lo, hi].
StatusSet SpecReader::status_value(const json& j, const std::string& pointer) const {
  const std::string want = "expected an integer 100-599 or [lo, hi]";
  auto status = [&](const json& v, const std::string& p) -> int {
    if (!v.is_number_integer()) fail(p, want);
    std::int64_t s = v.get<std::int64_t>();
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > 599) fail(p, want);
    if (s < 100 || s > 599) fail(p, want);
    return static_cast<int>(s);
  };
  StatusSet set;
  if (j.is_number_integer()) {
    int s = status(j, pointer);
    set.ranges.push_back({s, s});
    return set;
  }
  if (j.is_string()) {
    // "2xx", "4xx", "5xx": a whole class.
    std::string s = j.get<std::string>();
    if (s.size() == 3 && s[0] >= '1' && s[0] <= '5' && (s[1] == 'x' || s[1] == 'X') &&
        (s[2] == 'x' || s[2] == 'X')) {
      int base = (s[0] - '0') * 100;
      set.ranges.push_back({base, base + 99});
      return set;
    }
    fail(pointer, want + " (or \"2xx\"-style class), got \"" + s + "\"");
  }
  if (j.is_object()) {
    // {"any": [409, 422, "5xx", [500, 503]]}: a list of statuses, classes or ranges.
    check_keys(j, pointer, {"any"});
    if (!j.contains("any") || !j["any"].is_array() || j["any"].empty()) {
      fail(child(pointer, "any"), "expected a non-empty array of statuses, \"Nxx\" classes or [lo, hi] ranges");
    }
    for (std::size_t i = 0; i < j["any"].size(); ++i) {
      StatusSet one = status_value(j["any"][i], child(child(pointer, "any"), i));
      set.ranges.insert(set.ranges.end(), one.ranges.begin(), one.ranges.end());
    }
    return set;
  }
  if (!j.is_array() || j.size() != 2) fail(pointer, want + " (a list of statuses is {\"any\": [...]})");
  int lo = status(j[0], child(pointer, 0));
  int hi = status(j[1], child(pointer, 1));
  if (lo > hi) fail(pointer, "range [lo, hi] has lo > hi");
  set.ranges.push_back({lo, hi});
  return set;
}

Range SpecReader::range_value(const json& j, const std::string& pointer, std::int64_t lo, std::int64_t hi) const {
  const std::string want = "expected an integer " + std::to_string(lo) + "-" + std::to_string(hi) +
                           " or a range [lo, hi]";
  if (j.is_number_integer()) {
    std::int64_t v = integer_value(j, pointer, lo, hi);
    return {v, v};
  }
  if (!j.is_array() || j.size() != 2) fail(pointer, want);
  Range r;
  r.lo = integer_value(j[0], child(pointer, 0), lo, hi);
  r.hi = integer_value(j[1], child(pointer, 1), lo, hi);
  if (r.lo > r.hi) fail(pointer, "range [lo, hi] has lo > hi");
  return r;
}

// The names a template reads: filters are checked and dropped, "{a-b}" reads
// a and b (unless "a-b" itself is one of `known`, a captured variable).
std::vector<std::string> SpecReader::placeholders_of(const std::string& text, const std::string& pointer,
                                                     const std::set<std::string>* known) const {
  std::vector<std::string> names;
  try {
    for (const std::string& inner : template_placeholders(text)) {
      PlaceholderExpression e = parse_placeholder_expression(inner);
      if (e.arithmetic == 0 || (known != nullptr && known->count(e.name))) {
        names.push_back(e.name);
      } else {
        names.insert(names.end(), e.operands.begin(), e.operands.end());
      }
    }
  } catch (const std::invalid_argument& e) {
    fail(pointer, e.what());
  }
  return names;
}

// Collects the placeholders of a JSON body template with their pointers.
void SpecReader::body_placeholders(const json& body, const std::string& pointer,
                       std::vector<std::pair<std::string, std::string>>* out,
                       const std::set<std::string>* known) const {
  if (body.is_string()) {
    for (auto& name : placeholders_of(body.get<std::string>(), pointer, known)) out->push_back({name, pointer});
  } else if (body.is_object()) {
    for (const auto& item : body.items()) {
      // Keys are literal: placeholders in keys are not supported (say so rather than ignore them).
      if (item.key().find('{') != std::string::npos && !placeholders_of(item.key(), pointer).empty()) {
        fail(child(pointer, item.key()), "placeholders are not allowed in object keys");
      }
      body_placeholders(item.value(), child(pointer, item.key()), out, known);
    }
  } else if (body.is_array()) {
    for (std::size_t i = 0; i < body.size(); ++i) body_placeholders(body[i], child(pointer, i), out, known);
  }
}

std::vector<std::pair<std::string, std::string>> SpecReader::headers_value(const json& j, const std::string& pointer) const {
  expect_object(j, pointer);
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& item : j.items()) {
    std::string p = child(pointer, item.key());
    const std::string& name = item.key();
    if (name.empty()) fail(p, "empty header name");
    for (char c : name) {
      bool token = std::isalnum(static_cast<unsigned char>(c)) || std::string("!#$%&'*+-.^_`|~").find(c) != std::string::npos;
      if (!token) fail(p, "header name \"" + name + "\" has a character not allowed in HTTP header names");
    }
    std::string value = string_value(item.value(), p, /*allow_empty=*/true);
    if (value.find_first_of("\r\n") != std::string::npos) fail(p, "header value contains a line break");
    headers.push_back({name, value});
  }
  return headers;
}

RequestTemplate SpecReader::request_value(const json& j, const std::string& pointer) const {
  RequestTemplate r;
  if (!j.contains("method")) fail(child(pointer, "method"), "missing (expected GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS)");
  r.method = string_value(j["method"], child(pointer, "method"));
  static const std::vector<std::string> methods = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
  if (!contains(methods, r.method)) {
    fail(child(pointer, "method"), "expected GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS, got \"" + r.method + "\"");
  }
  if (!j.contains("path")) fail(child(pointer, "path"), "missing (expected a path such as \"/accounts\")");
  r.path = string_value(j["path"], child(pointer, "path"));
  if (r.path[0] != '/') fail(child(pointer, "path"), "expected a path beginning with '/', got \"" + r.path + "\"");
  if (r.path.find_first_of(" \r\n\t") != std::string::npos) fail(child(pointer, "path"), "path contains whitespace");
  if (j.contains("headers")) r.headers = headers_value(j["headers"], child(pointer, "headers"));
  if (j.contains("body")) {
    if (j["body"].is_null()) fail(child(pointer, "body"), "expected a JSON template (omit \"body\" for no body)");
    r.body = j["body"];
  }
  read_body_encodings(j, pointer, &r);
  return r;
}

// Placeholders of a request template, each with the pointer where it appears.
std::vector<std::pair<std::string, std::string>> SpecReader::request_placeholders(const RequestTemplate& r,
                                                                     const std::string& pointer,
                                                                     const std::set<std::string>* known) const {
  std::vector<std::pair<std::string, std::string>> out;
  auto add_fields = [&](const std::vector<std::pair<std::string, std::string>>& fields, const std::string& at) {
    for (const auto& [field, value] : fields) {
      std::string p = child(at, field);
      for (auto& name : placeholders_of(value, p, known)) out.push_back({name, p});
    }
  };
  for (auto& name : placeholders_of(r.path, child(pointer, "path"), known)) out.push_back({name, child(pointer, "path")});
  add_fields(r.query, child(pointer, "query"));
  for (const auto& [header, value] : r.headers) {
    std::string p = child(child(pointer, "headers"), header);
    for (auto& name : placeholders_of(value, p, known)) out.push_back({name, p});
  }
  if (r.body) body_placeholders(*r.body, child(pointer, "body"), &out, known);
  if (r.form) add_fields(*r.form, child(pointer, "form"));
  if (r.raw) {
    for (auto& name : placeholders_of(*r.raw, child(pointer, "raw"), known)) out.push_back({name, child(pointer, "raw")});
  }
  return out;
}

void SpecReader::check_secret_placeholder(const std::string& name, const std::string& pointer, const Spec& spec) const {
  std::string secret = name.substr(7);
  if (!spec.secret_env.count(secret)) {
    fail(pointer, "unknown secret {" + name + "}: declare it under /secrets");
  }
}

std::vector<std::pair<std::string, std::string>> SpecReader::capture_value(const json& j, const std::string& pointer) const {
  expect_object(j, pointer);
  std::vector<std::pair<std::string, std::string>> capture;
  for (const auto& item : j.items()) {
    std::string p = child(pointer, item.key());
    check_variable_name(item.key(), p);
    capture.push_back({item.key(), json_pointer_value(item.value(), p)});
  }
  return capture;
}

void SpecReader::check_argument_name(const std::string& name, const std::string& pointer) const {
  bool ok = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!ok) {
    fail(pointer, "bad placeholder {" + name + "}: expected {key}, {secret:NAME}, a variable captured in /setup, "
                  "or an argument name made of letters, digits and '_' such as {amount}");
  }
}

void SpecReader::check_variable_name(const std::string& name, const std::string& pointer) const {
  if (name.empty()) fail(pointer, "empty variable name");
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) {
      fail(pointer, "variable name \"" + name + "\" may only contain letters, digits, '_', '-' and '.'");
    }
  }
  if (contains(kReservedNames, name)) fail(pointer, "\"" + name + "\" is a reserved placeholder name");
}

// `known` holds the variables defined so far; each request adds its captures.
std::vector<SetupRequest> SpecReader::setup_list(const json& j, const std::string& pointer, const Spec& spec,
                                     std::set<std::string>* known,
                                     const std::vector<std::string>& extra_placeholders) const {
  if (!j.is_array()) fail(pointer, std::string("expected an array of requests, got ") + j.type_name());
  std::vector<SetupRequest> list;
  for (std::size_t i = 0; i < j.size(); ++i) {
    std::string p = child(pointer, i);
    const json& item = j[i];
    check_keys(item, p, {"name", "method", "path", "headers", "body", "form", "raw", "query", "expect_status", "capture"});
    SetupRequest s;
    s.name = item.contains("name") ? string_value(item["name"], child(p, "name")) : "#" + std::to_string(i);
    s.request = request_value(item, p);
    for (const auto& [name, where] : request_placeholders(s.request, p, known)) {
      if (name.rfind("secret:", 0) == 0) {
        check_secret_placeholder(name, where, spec);
      } else if (!known->count(name) && !contains(extra_placeholders, name)) {
        std::string allowed = extra_placeholders.empty() ? "" : " or " + join(extra_placeholders, ", ");
        fail(where, "unknown placeholder {" + name + "}: not a secret, a variable captured by an earlier setup request" + allowed);
      }
    }
    s.expect_status = item.contains("expect_status") ? status_value(item["expect_status"], child(p, "expect_status"))
                                                    : StatusSet{{{200, 299}}};
    if (item.contains("capture")) {
      s.capture = capture_value(item["capture"], child(p, "capture"));
      for (const auto& [name, ptr] : s.capture) known->insert(name);
    }
    list.push_back(std::move(s));
  }
  return list;
}

BodyMatcher SpecReader::body_matcher(const json& j, const std::string& pointer) const {
  check_keys(j, pointer, {"pointer", "equals", "regex"});
  BodyMatcher m;
  bool has_pointer = j.contains("pointer"), has_equals = j.contains("equals"), has_regex = j.contains("regex");
  if (has_regex && (has_pointer || has_equals)) fail(pointer, "use either {\"pointer\", \"equals\"} or {\"regex\"}, not both");
  if (has_regex) {
    m.regex_source = string_value(j["regex"], child(pointer, "regex"));
    // libstdc++ compiles a pattern by recursive descent, one level per term
    // and per group: a long pattern overflowed the stack (fuzz/regressions).
    if (m.regex_source.size() > kMaxRegexLength)
      fail(child(pointer, "regex"), "longer than " + std::to_string(kMaxRegexLength) + " characters");
    const auto flags = std::regex::ECMAScript | std::regex_constants::__polynomial;
    try {
      // Compiled alone first: "a)|(b" is invalid, but valid once wrapped.
      (void)std::regex(m.regex_source, flags);
      // A target's response body is untrusted and may be large. libstdc++'s
      // default (backtracking) executor recurses once per character that a
      // `.*` consumes (a 60 KB body overflowed the stack) and a search
      // restarts at every offset (quadratic). The breadth-first executor
      // (__polynomial, a libstdc++ extension) matching [\s\S]*(?:P)[\s\S]*
      // is one pass over the body with a bounded stack; it finds the same
      // bodies as searching for P, and refuses back-references.
      m.regex.emplace("[\\s\\S]*(?:" + m.regex_source + ")[\\s\\S]*", flags);
    } catch (const std::regex_error& e) {
      fail(child(pointer, "regex"), std::string("invalid regular expression: ") + e.what());
    }
    return m;
  }
  if (!has_pointer) fail(child(pointer, "pointer"), "missing (a body matcher is {\"pointer\": \"/error\", \"equals\": ...} or {\"regex\": \"...\"})");
  if (!has_equals) fail(child(pointer, "equals"), "missing (the value expected at the pointer)");
  m.pointer = json_pointer_value(j["pointer"], child(pointer, "pointer"));
  m.equals = j["equals"];
  return m;
}

ClassifyRule SpecReader::classify_rule(const json& j, const std::string& pointer) const {
  check_keys(j, pointer, {"status", "body", "outcome", "error"});
  ClassifyRule rule;
  if (!j.contains("status")) fail(child(pointer, "status"), "missing (expected an integer 100-599 or [lo, hi])");
  rule.status = status_value(j["status"], child(pointer, "status"));
  if (j.contains("body")) {
    const json& body = j["body"];
    std::string bp = child(pointer, "body");
    if (body.is_array()) {
      for (std::size_t i = 0; i < body.size(); ++i) rule.body.push_back(body_matcher(body[i], child(bp, i)));
    } else {
      rule.body.push_back(body_matcher(body, bp));
    }
  }
  if (!j.contains("outcome")) fail(child(pointer, "outcome"), "missing (expected \"ok\", \"fail\" or \"info\")");
  std::string outcome = string_value(j["outcome"], child(pointer, "outcome"));
  if (outcome == "ok") rule.outcome = Outcome::Ok;
  else if (outcome == "fail") rule.outcome = Outcome::Fail;
  else if (outcome == "info") rule.outcome = Outcome::Info;
  else fail(child(pointer, "outcome"), "expected \"ok\", \"fail\" or \"info\", got \"" + outcome + "\"");
  if (j.contains("error")) {
    rule.error = string_value(j["error"], child(pointer, "error"));
  } else if (rule.outcome != Outcome::Ok) {
    fail(child(pointer, "error"), "missing: a fail or info rule needs a label such as \"insufficient-funds\"");
  }
  return rule;
}

// "idempotency": "required" | "optional" | "none"; default none for the methods
// that are idempotent by HTTP semantics, optional otherwise.
void SpecReader::operation_idempotency(const json& j, const std::string& pointer, OperationSpec* op) const {
  const std::string& m = op->request.method;
  op->idempotency = (m == "GET" || m == "HEAD" || m == "OPTIONS") ? Idempotency::None : Idempotency::Optional;
  if (!j.contains("idempotency")) return;
  const std::string p = child(pointer, "idempotency");
  const std::string value = string_value(j["idempotency"], p);
  if (value == "required") op->idempotency = Idempotency::Required;
  else if (value == "optional") op->idempotency = Idempotency::Optional;
  else if (value == "none") op->idempotency = Idempotency::None;
  else fail(p, "expected \"required\", \"optional\" or \"none\", got \"" + value + "\"");
  op->idempotency_given = true;
}

// "idempotency_key": {"template": "...", "max_length": N} or {"format": "uuid"}.
IdempotencyKeySpec SpecReader::idempotency_key(const json& j, const std::string& pointer) const {
  check_keys(j, pointer, {"template", "format", "max_length"});
  IdempotencyKeySpec k;
  if (j.contains("template") && j.contains("format")) {
    fail(pointer, "use either \"template\" or \"format\", not both");
  }
  if (j.contains("format")) {
    const std::string p = child(pointer, "format");
    const std::string format = string_value(j["format"], p);
    if (format != "uuid") fail(p, "expected \"uuid\" (or write a \"template\"), got \"" + format + "\"");
    k.key_template = "{uuid}";
  }
  if (j.contains("template")) {
    const std::string p = child(pointer, "template");
    k.key_template = string_value(j["template"], p);
    for (char c : k.key_template) {
      if (c < 0x21 || c > 0x7e) {
        fail(p, "a key is sent in a header: only visible ASCII characters (no spaces or control characters)");
      }
    }
    if (auto problem = idempotency_key_template_problem(k.key_template)) fail(p, *problem);
  }
  if (j.contains("max_length")) {
    k.max_length = static_cast<std::size_t>(integer_value(j["max_length"], child(pointer, "max_length"), 1, 4096));
  }
  const std::size_t longest = idempotency_key_max_rendered_length(k.key_template);
  if (longest > k.max_length) {
    fail(j.contains("max_length") ? child(pointer, "max_length") : pointer,
         "keys from template \"" + k.key_template + "\" can be " + std::to_string(longest) +
             " characters long, more than max_length " + std::to_string(k.max_length));
  }
  return k;
}

OperationSpec SpecReader::operation(const std::string& name, const json& j, const std::string& pointer, const Spec& spec,
                        const std::set<std::string>& variables) const {
  check_keys(j, pointer, {"method", "path", "headers", "body", "form", "raw", "query", "classify", "extract", "volatile",
                          "idempotency"});
  OperationSpec op;
  op.name = name;
  op.request = request_value(j, pointer);
  operation_idempotency(j, pointer, &op);
  for (const auto& [placeholder, where] : request_placeholders(op.request, pointer, &variables)) {
    if (placeholder == "account") op.uses_account = true;
    if (placeholder == "key") {
      op.uses_key = true;
      if (op.idempotency == Idempotency::None) {
        fail(where, op.idempotency_given
                        ? "{key} is used, but the operation is marked \"idempotency\": \"none\" (it never gets a key)"
                        : "{key} is used, but a " + op.request.method + " operation takes no key by default: "
                          "set \"idempotency\" to \"optional\" or \"required\"");
      }
      continue;
    }
    if (placeholder.rfind("secret:", 0) == 0) {
      check_secret_placeholder(placeholder, where, spec);
    } else if (variables.count(placeholder)) {
      continue;
    } else {
      // Anything else is an argument the scenario supplies ({amount}, {account}, {qty}, ...).
      check_argument_name(placeholder, where);
      if (!contains(op.args, placeholder)) op.args.push_back(placeholder);
    }
  }
  if (!j.contains("classify")) fail(child(pointer, "classify"), "missing (an ordered list of rules)");
  const json& rules = j["classify"];
  if (!rules.is_array() || rules.empty()) fail(child(pointer, "classify"), "expected a non-empty array of rules");
  for (std::size_t i = 0; i < rules.size(); ++i) {
    op.classify.push_back(classify_rule(rules[i], child(child(pointer, "classify"), i)));
  }
  if (j.contains("extract")) {
    std::string ep = child(pointer, "extract");
    expect_object(j["extract"], ep);
    for (const auto& item : j["extract"].items()) {
      std::string p = child(ep, item.key());
      if (item.key().empty()) fail(p, "empty output field name");
      if (item.key() == "account" || item.key() == "amount") fail(p, "\"" + item.key() + "\" is an input field; extract into another name");
      op.extract.push_back({item.key(), extraction_value(item.value(), p)});
    }
  }
  if (j.contains("volatile")) {
    std::string vp = child(pointer, "volatile");
    if (!j["volatile"].is_array()) fail(vp, "expected an array of JSON pointers");
    for (std::size_t i = 0; i < j["volatile"].size(); ++i) {
      std::string ptr = json_pointer_value(j["volatile"][i], child(vp, i));
      if (ptr.empty()) fail(child(vp, i), "the whole body cannot be volatile");
      op.volatile_fields.push_back(ptr);
    }
  }
  return op;
}

std::vector<std::pair<std::string, double>> SpecReader::weights_value(const json& j, const std::string& pointer,
                                                         const std::vector<std::string>& allowed) const {
  expect_object(j, pointer);
  std::vector<std::pair<std::string, double>> weights;
  double total = 0;
  for (const auto& item : j.items()) {
    std::string p = child(pointer, item.key());
    if (!contains(allowed, item.key())) {
      fail(p, "unknown name \"" + item.key() + "\" (expected one of: " + join(allowed, ", ") + ")");
    }
    double w = number_value(item.value(), p, 0, 1e9, "expected a weight >= 0");
    total += w;
    weights.push_back({item.key(), w});
  }
  if (total <= 0) fail(pointer, "at least one weight must be > 0");
  return weights;
}

GeneratorSpec SpecReader::generator(const json& j, const std::string& pointer, const Spec& spec) const {
  check_keys(j, pointer, {"clients", "ops_per_client", "accounts", "op_mix", "amount", "key_policy",
                          "retry_max_attempts", "lost_response_probability", "release", "stagger_us",
                          "delay_us", "trials", "budget_s", "hostile"});
  GeneratorSpec g;
  auto p = [&](const char* key) { return child(pointer, key); };
  if (j.contains("clients")) g.clients = range_value(j["clients"], p("clients"), 1, 1024);
  if (j.contains("ops_per_client")) g.ops_per_client = range_value(j["ops_per_client"], p("ops_per_client"), 1, 10000);
  if (j.contains("accounts")) g.accounts = range_value(j["accounts"], p("accounts"), 1, 1024);
  std::vector<std::string> op_names;
  for (const auto& op : spec.operations) op_names.push_back(op.name);
  if (j.contains("op_mix")) {
    g.op_mix = weights_value(j["op_mix"], p("op_mix"), op_names);
  } else {
    for (const auto& name : op_names) g.op_mix.push_back({name, 1.0});
  }
  if (j.contains("amount")) g.amount = range_value(j["amount"], p("amount"), 0, 1'000'000'000'000LL);
  if (j.contains("key_policy")) {
    g.key_policy = weights_value(j["key_policy"], p("key_policy"), key_policy_names());
  } else {
    g.key_policy = {{"none", 1}, {"fresh", 1}, {"concurrent-duplicate", 1}, {"sequential-replay", 1}, {"different-payload", 1}};
  }
  if (j.contains("retry_max_attempts")) g.retry_max_attempts = static_cast<int>(integer_value(j["retry_max_attempts"], p("retry_max_attempts"), 1, 100));
  if (j.contains("lost_response_probability")) {
    g.lost_response_probability = number_value(j["lost_response_probability"], p("lost_response_probability"), 0, 1,
                                               "expected a probability 0-1");
  }
  if (j.contains("release")) {
    auto weights = weights_value(j["release"], p("release"), {"burst", "staggered"});
    g.burst_weight = g.staggered_weight = 0;
    for (const auto& [name, w] : weights) (name == "burst" ? g.burst_weight : g.staggered_weight) = w;
  }
  if (j.contains("stagger_us")) g.stagger_us = range_value(j["stagger_us"], p("stagger_us"), 0, 60'000'000);
  if (j.contains("delay_us")) g.delay_us = range_value(j["delay_us"], p("delay_us"), 0, 60'000'000);
  if (j.contains("trials")) g.trials = static_cast<int>(integer_value(j["trials"], p("trials"), 1, 100'000'000));
  if (j.contains("hostile")) g.hostile = hostile_value(j["hostile"], p("hostile"), spec);
  if (j.contains("budget_s")) g.budget_s = number_value(j["budget_s"], p("budget_s"), 0.001, 1e7, "expected a number of seconds > 0");
  return g;
}

}  // namespace racecheck::spec_reading
