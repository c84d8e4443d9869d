// Spec loading and validation. Every check names the JSON pointer of the field
// it rejects; unknown keys are rejected too, so a typo never silently becomes a
// default.
#include "harness/spec.h"

#include "harness/idempotency_keys.h"

#include "properties/idempotency.h"
#include "properties/models.h"
#include "properties/money.h"
#include "util/bounded_json.h"
#include "util/text.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

namespace racecheck {

namespace {

// A classification pattern is a few words; 1000 characters keep the regex
// compiler's recursion (one level per term and per group) far from the stack's end.
constexpr std::size_t kMaxRegexLength = 1000;

std::string format_spec_error(const std::string& file, const std::string& pointer,
                              const std::string& reason) {
  if (pointer.empty()) return file + ": " + reason;
  return file + ": " + pointer + ": " + reason;
}

std::string escape_pointer_token(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string child(const std::string& pointer, const std::string& key) {
  return pointer + "/" + escape_pointer_token(key);
}
std::string child(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

const std::vector<std::string> kReservedNames = {"key", "account", "amount", "index", "initial_balance"};

// The problem with a URL's authority ("host", "host:port", "[v6]:port",
// optionally after "user@"), if any. libcurl would pass a bad port or host on
// to the network and report "couldn't connect", blaming the target.
std::optional<std::string> authority_problem(const std::string& url, const std::string& authority,
                                             bool allow_port_zero) {
  const std::string quoted = "URL \"" + url + "\"";
  std::string host_port = authority.substr(authority.rfind('@') == std::string::npos ? 0 : authority.rfind('@') + 1);
  std::string host, port;
  if (!host_port.empty() && host_port[0] == '[') {
    const auto close = host_port.find(']');
    if (close == std::string::npos) return quoted + " has an unclosed '[' in its host";
    host = host_port.substr(1, close - 1);
    if (host.empty() || host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos)
      return quoted + " has an invalid IPv6 address \"" + host + "\"";
    const std::string rest = host_port.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return quoted + " has text after its IPv6 address";
    if (!rest.empty()) port = rest.substr(1);
    if (!rest.empty() && port.empty()) return quoted + " has an empty port after ':'";
  } else {
    const auto colon = host_port.find(':');
    host = host_port.substr(0, colon);
    if (colon != std::string::npos) {
      port = host_port.substr(colon + 1);
      if (port.empty()) return quoted + " has an empty port after ':'";
    }
    if (host.empty()) return quoted + " has no host";
    for (unsigned char c : host) {
      if (c >= 0x80)
        return quoted + " has a non-ASCII host name: write an international name in its ASCII form (xn--...)";
      if (!std::isalnum(c) && c != '.' && c != '-' && c != '_')
        return quoted + " has an invalid character '" + std::string(1, static_cast<char>(c)) + "' in its host \"" +
               host + "\"";
    }
    if (host.find("..") != std::string::npos || host[0] == '.' || host[0] == '-')
      return quoted + " has an invalid host \"" + host + "\"";
  }
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535 ||
        (!allow_port_zero && std::stoi(port) == 0))
      return quoted + " has port " + port + ", out of range (1-65535)";
  }
  return std::nullopt;
}

// Checks a base URL and drops trailing slashes; returns the problem, if any.
// Port 0 is allowed in a spec, where it marks a URL that --target replaces.
std::optional<std::string> normalize_base_url(std::string* url, bool allow_port_zero = true) {
  bool http = url->rfind("http://", 0) == 0, https = url->rfind("https://", 0) == 0;
  if (!http && !https) return "expected a URL beginning with http:// or https://, got \"" + *url + "\"";
  std::size_t host_start = http ? 7 : 8;
  if (url->size() <= host_start || (*url)[host_start] == '/') return "URL \"" + *url + "\" has no host";
  if (url->find_first_of(" \r\n\t?#{}") != std::string::npos) {
    return "URL \"" + *url + "\" contains whitespace, '?', '#' or a brace";
  }
  const auto path_start = url->find('/', host_start);
  const std::string authority =
      url->substr(host_start, path_start == std::string::npos ? std::string::npos : path_start - host_start);
  if (auto problem = authority_problem(*url, authority, allow_port_zero)) return problem;
  while (url->size() > host_start + 1 && url->back() == '/') url->pop_back();
  return std::nullopt;
}

// Validates one spec; `file` prefixes every error.
class SpecReader {
 public:
  explicit SpecReader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& pointer, const std::string& reason) const {
    throw SpecError(file_, pointer, reason);
  }

  void expect_object(const json& j, const std::string& pointer) const {
    if (!j.is_object()) fail(pointer, std::string("expected an object, got ") + j.type_name());
  }

  void check_keys(const json& j, const std::string& pointer,
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

  std::string string_value(const json& j, const std::string& pointer, bool allow_empty = false) const {
    if (!j.is_string()) fail(pointer, std::string("expected a string, got ") + j.type_name());
    std::string s = j.get<std::string>();
    if (!allow_empty && s.empty()) fail(pointer, "expected a non-empty string");
    return s;
  }

  std::int64_t integer_value(const json& j, const std::string& pointer, std::int64_t lo,
                             std::int64_t hi) const {
    std::string want = "expected an integer " + std::to_string(lo) + "-" + std::to_string(hi);
    if (!j.is_number_integer()) fail(pointer, want);
    if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)) fail(pointer, want);
    std::int64_t v = j.get<std::int64_t>();
    if (v < lo || v > hi) fail(pointer, want);
    return v;
  }

  double number_value(const json& j, const std::string& pointer, double lo, double hi,
                      const std::string& want) const {
    if (!j.is_number()) fail(pointer, want);
    double v = j.get<double>();
    if (!(v >= lo && v <= hi)) fail(pointer, want);
    return v;
  }

  bool bool_value(const json& j, const std::string& pointer) const {
    if (!j.is_boolean()) fail(pointer, std::string("expected true or false, got ") + j.type_name());
    return j.get<bool>();
  }

  // A JSON pointer written in the spec ("" = whole document, else starts with '/').
  std::string json_pointer_value(const json& j, const std::string& pointer) const {
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
  StatusSet status_value(const json& j, const std::string& pointer) const {
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

  Range range_value(const json& j, const std::string& pointer, std::int64_t lo, std::int64_t hi) const {
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

  std::vector<std::string> placeholders_of(const std::string& text, const std::string& pointer) const {
    try {
      return template_placeholders(text);
    } catch (const std::invalid_argument& e) {
      fail(pointer, e.what());
    }
  }

  // Collects the placeholders of a JSON body template with their pointers.
  void body_placeholders(const json& body, const std::string& pointer,
                         std::vector<std::pair<std::string, std::string>>* out) const {
    if (body.is_string()) {
      for (auto& name : placeholders_of(body.get<std::string>(), pointer)) out->push_back({name, pointer});
    } else if (body.is_object()) {
      for (const auto& item : body.items()) {
        // Keys are literal: placeholders in keys are not supported (say so rather than ignore them).
        if (item.key().find('{') != std::string::npos && !placeholders_of(item.key(), pointer).empty()) {
          fail(child(pointer, item.key()), "placeholders are not allowed in object keys");
        }
        body_placeholders(item.value(), child(pointer, item.key()), out);
      }
    } else if (body.is_array()) {
      for (std::size_t i = 0; i < body.size(); ++i) body_placeholders(body[i], child(pointer, i), out);
    }
  }

  std::vector<std::pair<std::string, std::string>> headers_value(const json& j, const std::string& pointer) const {
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

  RequestTemplate request_value(const json& j, const std::string& pointer) const {
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
    return r;
  }

  // Placeholders of a request template, each with the pointer where it appears.
  std::vector<std::pair<std::string, std::string>> request_placeholders(const RequestTemplate& r,
                                                                       const std::string& pointer) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& name : placeholders_of(r.path, child(pointer, "path"))) out.push_back({name, child(pointer, "path")});
    for (const auto& [header, value] : r.headers) {
      std::string p = child(child(pointer, "headers"), header);
      for (auto& name : placeholders_of(value, p)) out.push_back({name, p});
    }
    if (r.body) body_placeholders(*r.body, child(pointer, "body"), &out);
    return out;
  }

  void check_secret_placeholder(const std::string& name, const std::string& pointer, const Spec& spec) const {
    std::string secret = name.substr(7);
    if (!spec.secret_env.count(secret)) {
      fail(pointer, "unknown secret {" + name + "}: declare it under /secrets");
    }
  }

  std::vector<std::pair<std::string, std::string>> capture_value(const json& j, const std::string& pointer) const {
    expect_object(j, pointer);
    std::vector<std::pair<std::string, std::string>> capture;
    for (const auto& item : j.items()) {
      std::string p = child(pointer, item.key());
      check_variable_name(item.key(), p);
      capture.push_back({item.key(), json_pointer_value(item.value(), p)});
    }
    return capture;
  }

  void check_argument_name(const std::string& name, const std::string& pointer) const {
    bool ok = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
    for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!ok) {
      fail(pointer, "bad placeholder {" + name + "}: expected {key}, {secret:NAME}, a variable captured in /setup, "
                    "or an argument name made of letters, digits and '_' such as {amount}");
    }
  }

  void check_variable_name(const std::string& name, const std::string& pointer) const {
    if (name.empty()) fail(pointer, "empty variable name");
    for (char c : name) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) {
        fail(pointer, "variable name \"" + name + "\" may only contain letters, digits, '_', '-' and '.'");
      }
    }
    if (contains(kReservedNames, name)) fail(pointer, "\"" + name + "\" is a reserved placeholder name");
  }

  // `known` holds the variables defined so far; each request adds its captures.
  std::vector<SetupRequest> setup_list(const json& j, const std::string& pointer, const Spec& spec,
                                       std::set<std::string>* known,
                                       const std::vector<std::string>& extra_placeholders) const {
    if (!j.is_array()) fail(pointer, std::string("expected an array of requests, got ") + j.type_name());
    std::vector<SetupRequest> list;
    for (std::size_t i = 0; i < j.size(); ++i) {
      std::string p = child(pointer, i);
      const json& item = j[i];
      check_keys(item, p, {"name", "method", "path", "headers", "body", "expect_status", "capture"});
      SetupRequest s;
      s.name = item.contains("name") ? string_value(item["name"], child(p, "name")) : "#" + std::to_string(i);
      s.request = request_value(item, p);
      for (const auto& [name, where] : request_placeholders(s.request, p)) {
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

  BodyMatcher body_matcher(const json& j, const std::string& pointer) const {
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

  ClassifyRule classify_rule(const json& j, const std::string& pointer) const {
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
  void operation_idempotency(const json& j, const std::string& pointer, OperationSpec* op) const {
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
  IdempotencyKeySpec idempotency_key(const json& j, const std::string& pointer) const {
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

  OperationSpec operation(const std::string& name, const json& j, const std::string& pointer, const Spec& spec,
                          const std::set<std::string>& variables) const {
    check_keys(j, pointer, {"method", "path", "headers", "body", "classify", "extract", "volatile", "idempotency"});
    OperationSpec op;
    op.name = name;
    op.request = request_value(j, pointer);
    operation_idempotency(j, pointer, &op);
    for (const auto& [placeholder, where] : request_placeholders(op.request, pointer)) {
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
        op.extract.push_back({item.key(), json_pointer_value(item.value(), p)});
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

  std::vector<std::pair<std::string, double>> weights_value(const json& j, const std::string& pointer,
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

  GeneratorSpec generator(const json& j, const std::string& pointer, const Spec& spec) const {
    check_keys(j, pointer, {"clients", "ops_per_client", "accounts", "op_mix", "amount", "key_policy",
                            "retry_max_attempts", "lost_response_probability", "release", "stagger_us",
                            "delay_us", "trials", "budget_s"});
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
    if (j.contains("budget_s")) g.budget_s = number_value(j["budget_s"], p("budget_s"), 0.001, 1e7, "expected a number of seconds > 0");
    return g;
  }

  Spec spec(const json& j) const {
    Spec spec;
    spec.file_name = file_;
    check_keys(j, "", {"name", "base_urls", "distribution", "request", "headers", "idempotency_header",
                       "idempotency_key", "secrets",
                       "secret_headers", "setup", "accounts", "operations", "final_read", "model", "invariants",
                       "idempotency", "generator", "$comment"});
    if (j.contains("name")) spec.name = string_value(j["name"], "/name");

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
    if (j.contains("request")) {
      check_keys(j["request"], "/request", {"timeout_ms", "max_body_bytes"});
      if (j["request"].contains("timeout_ms")) {
        spec.request_timeout_ms = static_cast<int>(integer_value(j["request"]["timeout_ms"], "/request/timeout_ms", 1, 3'600'000));
      }
      if (j["request"].contains("max_body_bytes")) {
        spec.max_body_bytes = static_cast<std::size_t>(
            integer_value(j["request"]["max_body_bytes"], "/request/max_body_bytes", 1, 1LL << 30));
      }
    }
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

    std::set<std::string> variables;
    if (j.contains("setup")) spec.setup = setup_list(j["setup"], "/setup", spec, &variables, {});

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
      for (auto& placeholder : placeholders_of(spec.accounts.id, "/accounts/id")) {
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

    if (!j.contains("operations")) fail("/operations", "missing (one request template per operation)");
    const json& ops = j["operations"];
    if (!ops.is_object() || ops.empty()) fail("/operations", "expected a non-empty object: operation name -> template");
    for (const auto& item : ops.items()) {
      std::string p = child("/operations", item.key());
      if (item.key().empty()) fail(p, "empty operation name");
      spec.operations.push_back(operation(item.key(), item.value(), p, spec, variables));
    }

    if (j.contains("model")) spec.model = string_value(j["model"], "/model");
    const std::vector<std::string> models = model_names();
    if (!contains(models, spec.model)) fail("/model", "unknown model \"" + spec.model + "\" (expected one of: " + join(models, ", ") + ")");

    if (j.contains("final_read")) {
      check_keys(j["final_read"], "/final_read", {"operation", "instance"});
      if (!j["final_read"].contains("operation")) fail("/final_read/operation", "missing (the operation that reads one account)");
      spec.final_read = string_value(j["final_read"]["operation"], "/final_read/operation");
      if (!spec.find_operation(spec.final_read)) fail("/final_read/operation", "no operation named \"" + spec.final_read + "\" in /operations");
      if (j["final_read"].contains("instance")) {
        spec.final_read_instance = static_cast<int>(integer_value(j["final_read"]["instance"], "/final_read/instance", 0,
                                                                  static_cast<std::int64_t>(spec.base_urls.size()) - 1));
      }
    } else if (!spec.find_operation("read")) {
      spec.final_read.clear();
    }

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

    spec.idempotency = idempotency(j.contains("idempotency") ? j["idempotency"] : json::object(), spec);

    bool accounts_given = j.contains("generator") && j["generator"].is_object() && j["generator"].contains("accounts");
    spec.generator = generator(j.contains("generator") ? j["generator"] : json::object(), "/generator", spec);
    if (!accounts_given) spec.generator.accounts = {spec.accounts.count, spec.accounts.count};
    if (j.contains("idempotency_key")) spec.idempotency_key = idempotency_key(j["idempotency_key"], "/idempotency_key");
    lint_idempotency(j, &spec);
    lint_accounts(j, &spec);
    return spec;
  }

  void warn(Spec* spec, const std::string& pointer, const std::string& reason) const {
    spec->warnings.push_back(format_spec_error(file_, pointer, reason));
  }

  // Which operations take keys, and whether the key policies can apply to them.
  void lint_idempotency(const json& j, Spec* spec) const {
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
  void lint_accounts(const json& j, Spec* spec) const {
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

 private:
  // "idempotency": {"not_executed": ["key-in-flight", ...], "replay_refusals": true}
  IdempotencySpec idempotency(const json& j, const Spec& spec) const {
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

  std::string file_;
};

// Rejects duplicate object keys while parsing (nlohmann keeps the last one silently).
struct DuplicateKeyDetector {
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  bool too_deep = false;  // copying a deeper value would recurse too far (util/bounded_json.h)
  bool operator()(int depth, json::parse_event_t event, json& parsed) {
    if (depth > kMaxJsonDepth) too_deep = true;
    switch (event) {
      case json::parse_event_t::object_start: open_objects.emplace_back(); break;
      case json::parse_event_t::object_end: if (!open_objects.empty()) open_objects.pop_back(); break;
      case json::parse_event_t::key: {
        std::string key = parsed.get<std::string>();
        if (!open_objects.empty() && !open_objects.back().insert(key).second && duplicate.empty()) duplicate = key;
        break;
      }
      default: break;
    }
    return true;
  }
};

}  // namespace

SpecError::SpecError(std::string file_, std::string pointer_, std::string reason_)
    : std::runtime_error(format_spec_error(file_, pointer_, reason_)),
      file(std::move(file_)), pointer(std::move(pointer_)), reason(std::move(reason_)) {}

bool StatusSet::contains(int status) const {
  for (const auto& [lo, hi] : ranges) {
    if (status >= lo && status <= hi) return true;
  }
  return false;
}

bool BodyMatcher::matches(const std::string& raw_body, const json* parsed_body) const {
  if (regex) return std::regex_match(raw_body, *regex);  // the pattern is wrapped: see body_matcher
  if (parsed_body == nullptr) return false;
  json::json_pointer ptr(pointer);
  if (!parsed_body->contains(ptr)) return false;
  return parsed_body->at(ptr) == equals;
}

const OperationSpec* Spec::find_operation(const std::string& op_name) const {
  for (const auto& op : operations) {
    if (op.name == op_name) return &op;
  }
  return nullptr;
}

std::vector<std::string> Spec::secret_values() const {
  std::vector<std::string> values;
  for (const auto& [name, value] : secrets) {
    if (!value.empty()) values.push_back(value);
  }
  return values;
}

bool Spec::is_secret_header(const std::string& header_name) const {
  std::string wanted = lower(header_name);
  for (const auto& h : secret_headers) {
    if (lower(h) == wanted) return true;
  }
  // A header whose template uses a secret is secret too.
  auto uses_secret = [&](const std::vector<std::pair<std::string, std::string>>& headers) {
    for (const auto& [name, value] : headers) {
      if (lower(name) == wanted && value.find("{secret:") != std::string::npos) return true;
    }
    return false;
  };
  if (uses_secret(headers)) return true;
  for (const auto& op : operations) {
    if (uses_secret(op.request.headers)) return true;
  }
  for (const auto& s : setup) {
    if (uses_secret(s.request.headers)) return true;
  }
  for (const auto& s : accounts.setup) {
    if (uses_secret(s.request.headers)) return true;
  }
  return false;
}

std::vector<std::string> template_placeholders(const std::string& text) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      if (i + 1 < text.size() && text[i + 1] == '{') {
        ++i;
        continue;
      }
      std::size_t close = text.find('}', i + 1);
      if (close == std::string::npos) {
        throw std::invalid_argument("unclosed '{' in \"" + text + "\" (write \"{{\" for a literal brace)");
      }
      std::string name = text.substr(i + 1, close - i - 1);
      if (name.empty() || name.find('{') != std::string::npos) {
        throw std::invalid_argument("bad placeholder in \"" + text + "\" (write \"{{\" for a literal brace)");
      }
      names.push_back(name);
      i = close;
    } else if (text[i] == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        ++i;
        continue;
      }
      throw std::invalid_argument("unmatched '}' in \"" + text + "\" (write \"}}\" for a literal brace)");
    }
  }
  return names;
}

bool is_name_argument(const std::string& argument) {
  return argument == "name" || argument == "user" || argument == "username";
}

std::string strip_volatile_fields(const std::string& body, const std::vector<std::string>& pointers) {
  if (pointers.empty()) return body;
  json parsed = parse_bounded_json(body);
  if (parsed.is_discarded()) return body;
  for (const auto& p : pointers) {
    json::json_pointer ptr(p);
    if (ptr.empty() || !parsed.contains(ptr)) continue;
    json& parent = parsed.at(ptr.parent_pointer());
    if (parent.is_object()) parent.erase(ptr.back());
    else if (parent.is_array()) parent.erase(static_cast<std::size_t>(std::stoul(ptr.back())));
  }
  return parsed.dump();
}

void override_base_urls(Spec& spec, std::vector<std::string> urls) {
  if (urls.empty()) throw SpecError(spec.file_name, "/base_urls", "expected at least one base URL");
  for (auto& url : urls) {
    if (auto problem = normalize_base_url(&url, false)) throw SpecError(spec.file_name, "/base_urls", *problem);
  }
  spec.base_urls = std::move(urls);
  if (spec.final_read_instance >= static_cast<int>(spec.base_urls.size())) spec.final_read_instance = 0;
}

Spec parse_spec(const json& j, const std::string& file_name) {
  return SpecReader(file_name).spec(j);
}

Spec parse_spec_text(const std::string& text, const std::string& file_name) {
  DuplicateKeyDetector detector;
  json parsed;
  try {
    parsed = json::parse(text, std::ref(detector));
  } catch (const json::parse_error& e) {
    // Line and column of the failing byte (nlohmann reports a 1-based byte offset).
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string message = e.what();
    std::size_t detail = message.find("column");
    detail = detail == std::string::npos ? std::string::npos : message.find(": ", detail);
    std::string reason = detail == std::string::npos ? message : message.substr(detail + 2);
    throw SpecError(file_name, "", "invalid JSON at line " + std::to_string(line) + ", column " +
                                       std::to_string(column) + ": " + reason);
  } catch (const json::exception& e) {
    // A number too large for a double ("1e400") is an out_of_range error, not a parse error.
    throw SpecError(file_name, "", std::string("invalid JSON: ") + e.what());
  }
  if (detector.too_deep) {
    throw SpecError(file_name, "", "invalid JSON: nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  if (!detector.duplicate.empty()) {
    throw SpecError(file_name, "", "duplicate key \"" + detector.duplicate + "\" (a key may appear once per object)");
  }
  return parse_spec(parsed, file_name);
}

Spec load_spec_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw SpecError(path, "", "cannot open the file: it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SpecError(path, "", "cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw SpecError(path, "", "cannot read the file");
  Spec spec = parse_spec_text(text.str(), path);
  for (const auto& w : spec.warnings) std::cerr << "warning: " << w << "\n";
  return spec;
}

}  // namespace racecheck
