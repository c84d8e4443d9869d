#include "harness/spec_protocol.h"

#include "harness/conversions.h"
#include "harness/op_steps.h"
#include "util/bounded_json.h"
#include "util/splitmix64.h"
#include "util/text.h"

#include <cctype>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace racecheck {

namespace {

json lookup_or_throw(const PlaceholderLookup& lookup, const std::string& name) {
  std::optional<json> value = lookup(name);
  if (!value) throw RenderError("no value for placeholder {" + name + "}");
  return *value;
}

// The value of one placeholder "{inner}": a name, or "a-b" / "a+b" of two
// integers, then each filter. Throws RenderError naming the placeholder.
json evaluate_placeholder(const std::string& inner, const PlaceholderLookup& lookup) {
  PlaceholderExpression e;
  try {
    e = parse_placeholder_expression(inner);
  } catch (const std::invalid_argument& error) {
    throw RenderError(error.what());
  }
  try {
    std::optional<json> value = lookup(e.name);
    if (!value && e.arithmetic != 0) {
      const std::int64_t a = to_int64(lookup_or_throw(lookup, e.operands[0]));
      const std::int64_t b = to_int64(lookup_or_throw(lookup, e.operands[1]));
      value = checked_arithmetic(a, e.arithmetic, b);
    }
    if (!value) throw RenderError("no value for placeholder {" + e.name + "}");
    return apply_filters(std::move(*value), e.filters);
  } catch (const ConversionError& error) {
    throw RenderError("{" + inner + "}: " + error.what());
  }
}

// Replaces every {name} in text; `encode` transforms each inserted value.
std::string interpolate(const std::string& text, const PlaceholderLookup& lookup,
                        const std::function<std::string(const std::string&)>& encode) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      out += c;
      ++i;
    } else if (c == '{') {
      std::size_t close = text.find('}', i + 1);
      if (close == std::string::npos) throw RenderError("unclosed '{' in \"" + text + "\"");
      std::string text_value = placeholder_text(evaluate_placeholder(text.substr(i + 1, close - i - 1), lookup));
      out += encode ? encode(text_value) : text_value;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

bool is_single_placeholder(const std::string& text, std::string* name) {
  if (text.size() < 3 || text.front() != '{' || text.back() != '}') return false;
  std::string inner = text.substr(1, text.size() - 2);
  if (inner.find_first_of("{}") != std::string::npos) return false;
  *name = inner;
  return true;
}

// A JSON body holds text only: bytes that are not UTF-8 must be encoded first.
json json_body_value(json value, const std::string& where) {
  if (is_bytes_value(value) || (value.is_string() && !is_valid_utf8(value.get_ref<const std::string&>()))) {
    throw RenderError(where + ": the value is bytes that are not valid UTF-8 and cannot go into a JSON body "
                      "(encode them, e.g. with |base64)");
  }
  return value;
}

json render_body(const json& body, const PlaceholderLookup& lookup) {
  if (body.is_string()) {
    const std::string& text = body.get_ref<const std::string&>();
    std::string name;
    if (is_single_placeholder(text, &name)) return json_body_value(evaluate_placeholder(name, lookup), text);
    return json_body_value(interpolate(text, lookup, nullptr), text);
  }
  if (body.is_object()) {
    json out = json::object();
    for (const auto& item : body.items()) out[item.key()] = render_body(item.value(), lookup);
    return out;
  }
  if (body.is_array()) {
    json out = json::array();
    for (const auto& item : body) out.push_back(render_body(item, lookup));
    return out;
  }
  return body;
}

// name=value pairs joined by '&', each side percent-encoded.
std::string encode_pairs(const std::vector<std::pair<std::string, std::string>>& fields,
                         const PlaceholderLookup& lookup, bool space_as_plus) {
  std::string out;
  for (const auto& [name, value_template] : fields) {
    if (!out.empty()) out += '&';
    out += percent_encode(name, space_as_plus) + '=' +
           percent_encode(interpolate(value_template, lookup, nullptr), space_as_plus);
  }
  return out;
}

// CR or LF would end the header line early (and let the value write headers of
// its own); libcurl takes a C string, so a NUL would cut it. The message names
// the placeholder whose value brought the character in.
void check_header_value(const std::string& name, const std::string& value_template, const std::string& value,
                        const PlaceholderLookup& lookup) {
  static constexpr std::string_view kBad("\r\n\0", 3);
  if (value.find_first_of(kBad) == std::string::npos) return;
  std::string culprit;
  for (const std::string& placeholder : template_placeholders(value_template)) {
    std::optional<json> v;
    try {
      v = evaluate_placeholder(placeholder, lookup);
    } catch (const RenderError&) {
    }
    if (v && placeholder_text(*v).find_first_of(kBad) != std::string::npos) {
      culprit = placeholder;
      break;
    }
  }
  const char* what = value.find('\0') != std::string::npos && value.find_first_of("\r\n") == std::string::npos
                         ? "a NUL byte"
                         : "a line break (CR or LF)";
  throw UnsendableRequest(std::string(kInvalidHeaderValue) + ": header " + name + ": " +
                          (culprit.empty() ? std::string("the value") : "the value of {" + culprit + "}") +
                          " contains " + what + "; the request was not sent");
}

// A JSON number a 64-bit integer cannot hold exactly: an unsigned above
// 2^63-1, or a float beyond the int64 range. Its text as received, or "".
std::string out_of_int64_range(const json& v) {
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) return v.dump();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return v.dump();
  }
  return "";
}

// What an extraction reads before its conversions; nullopt when the header or
// pointer is absent (or the body is not JSON).
std::optional<json> extracted_value(const Extraction& extraction, const HttpResponse& response,
                                    const std::function<const json*()>& body_json) {
  if (!extraction.header.empty()) {
    const std::string wanted = lower(extraction.header);
    for (const auto& [name, value] : response.headers)
      if (lower(name) == wanted) return bytes_value(value);
    return std::nullopt;
  }
  const json* body = body_json();
  if (body == nullptr) return std::nullopt;
  json::json_pointer ptr(extraction.pointer);
  if (!body->contains(ptr)) return std::nullopt;
  return body->at(ptr);
}

// A scenario (hand-edited for replay) may hold any JSON: a declared argument's
// value must at least be of its type. "" when it is, else the reason.
std::string argument_type_problem(const Spec& spec, const std::string& name, const json& value) {
  for (const auto& [declared, a] : spec.arguments) {
    if (declared != name) continue;
    const bool ok = a.type == ArgumentType::Integer ? value.is_number_integer()
                    : a.type == ArgumentType::Bytes ? value.is_string() || is_bytes_value(value)
                                                    : value.is_string();
    if (ok) return "";
    static const char* kinds[] = {"an integer", "a string", "a UUID string", "bytes (a string or {\"$bytes\": base64})",
                                  "a decimal string"};
    return "expected " + std::string(kinds[static_cast<int>(a.type)]) + " (declared in /arguments/" + name + "), got " +
           value.type_name();
  }
  return "";
}

}  // namespace

json render_value(const json& value_template, const PlaceholderLookup& lookup) {
  return render_body(value_template, lookup);
}

std::string placeholder_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (is_bytes_value(value)) return raw_bytes(value).value_or("");
  return value.dump();
}

HttpRequest render_request(const Spec& spec, const RequestTemplate& request, const std::string& base_url,
                           const PlaceholderLookup& lookup) {
  PlaceholderLookup with_secrets = [&](const std::string& name) -> std::optional<json> {
    if (name.rfind("secret:", 0) == 0) {
      auto it = spec.secrets.find(name.substr(7));
      if (it == spec.secrets.end()) return std::nullopt;
      return json(it->second);
    }
    return lookup(name);
  };
  HttpRequest out;
  out.method = request.method;
  out.url = base_url + interpolate(request.path, with_secrets, [](const std::string& v) { return percent_encode(v); });
  if (!request.query.empty()) {
    out.url += (request.path.find('?') == std::string::npos ? '?' : '&');
    out.url += encode_pairs(request.query, with_secrets, /*space_as_plus=*/false);
  }
  // Position of each header by lower-case name: one lookup per header, not a
  // scan of those before it (a spec with 20,000 common headers took 40 s per request).
  std::unordered_map<std::string, std::size_t> position;
  position.reserve(spec.headers.size() + request.headers.size());
  auto set_header = [&](const std::string& name, const std::string& value_template) {
    std::string value = interpolate(value_template, with_secrets, nullptr);
    check_header_value(name, value_template, value, with_secrets);
    auto [it, inserted] = position.try_emplace(lower(name), out.headers.size());
    if (inserted) out.headers.push_back({name, std::move(value)});
    else out.headers[it->second].second = std::move(value);
  };
  for (const auto& [name, value] : spec.headers) set_header(name, value);
  for (const auto& [name, value] : request.headers) set_header(name, value);
  const char* content_type = nullptr;
  if (request.body) {
    out.body = render_body(*request.body, with_secrets).dump();
    content_type = "application/json";
  } else if (request.form) {
    out.body = encode_pairs(*request.form, with_secrets, /*space_as_plus=*/true);
    content_type = "application/x-www-form-urlencoded";
  } else if (request.raw) {
    out.body = interpolate(*request.raw, with_secrets, nullptr);
    content_type = "text/plain";
  }
  if (content_type != nullptr && !position.count("content-type")) out.headers.push_back({"Content-Type", content_type});
  return out;
}

SpecProtocol::SpecProtocol(Spec spec, TrialVariables variables, std::uint64_t seed)
    : spec_(std::move(spec)), variables_(std::move(variables)), seed_(seed) {}

int SpecProtocol::instance_count() const { return static_cast<int>(spec_.base_urls.size()); }

int SpecProtocol::pick_instance(int client, int op_index) {
  const auto n = static_cast<std::uint64_t>(instance_count());
  if (n <= 1) return 0;
  const auto c = static_cast<std::uint64_t>(static_cast<std::uint32_t>(client));
  const auto k = static_cast<std::uint64_t>(static_cast<std::uint32_t>(op_index));
  switch (spec_.distribution) {
    case Distribution::RoundRobin: return static_cast<int>((c + k) % n);
    case Distribution::Random: return static_cast<int>(splitmix64(seed_ ^ splitmix64((c << 32) | k)) % n);
    case Distribution::Pinned: return static_cast<int>(c % n);
  }
  return 0;
}

int SpecProtocol::pinned_instance(const ScenarioOp& op) const {
  const OperationSpec* spec_op = spec_.find_operation(op.f);
  return spec_op != nullptr ? spec_op->instance : -1;
}

HttpRequest SpecProtocol::render(const ScenarioOp& op, int instance) const {
  const OperationSpec* spec_op = spec_.find_operation(op.f);
  if (spec_op == nullptr) throw RenderError("no operation named \"" + op.f + "\" in the spec");
  return render_template(op, spec_op->request, instance, json::object());
}

PlaceholderLookup SpecProtocol::placeholder_lookup(const ScenarioOp& op, const json& captured) const {
  PlaceholderLookup lookup = [this, &op, &captured](const std::string& name) -> std::optional<json> {
    if (captured.contains(name)) return captured[name];
    if (name == "key") return json(op.key);
    if (name == "account" || name == "resource") {
      if (!op.args.contains("account") || !op.args["account"].is_number_integer()) {
        throw RenderError(op.f + ": args.account (an account index) is missing");
      }
      std::int64_t index = op.args["account"].get<std::int64_t>();
      if (index < 0 || index >= static_cast<std::int64_t>(variables_.account_ids.size())) {
        throw RenderError(op.f + ": account " + std::to_string(index) + " does not exist (setup created " +
                          std::to_string(variables_.account_ids.size()) + ")");
      }
      return variables_.account_ids[static_cast<std::size_t>(index)];
    }
    if (op.args.contains(name)) return op.args[name];
    if (variables_.variables.contains(name)) return variables_.variables[name];
    return std::nullopt;
  };
  return with_integer_arithmetic(std::move(lookup));
}

HttpRequest SpecProtocol::render_template(const ScenarioOp& op, const RequestTemplate& request_template, int instance,
                                          const json& captured) const {
  if (instance < 0 || instance >= instance_count()) {
    throw RenderError("instance " + std::to_string(instance) + " is not one of the " +
                      std::to_string(instance_count()) + " base URLs");
  }
  HttpRequest request = render_request(spec_, request_template, spec_.base_urls[static_cast<std::size_t>(instance)],
                                       placeholder_lookup(op, captured));
  // No header name (idempotency_header: null): the key travels only where a template says {key}.
  if (!op.key.empty() && !spec_.idempotency_header.empty()) {
    if (op.key.find_first_of("\r\n") != std::string::npos) throw RenderError("idempotency key contains a line break");
    request.headers.push_back({spec_.idempotency_header, op.key});
  }
  return request;
}

Classification SpecProtocol::classify(const ScenarioOp& op, const HttpResponse& response) const {
  Classification result;
  const OperationSpec* spec_op = spec_.find_operation(op.f);
  if (spec_op == nullptr) {
    result.outcome = Outcome::Info;
    result.error = "unclassified";
    return result;
  }
  // Parsed on first need: most rules look at the status only, and a failed
  // parse (a plain-text body) is costly (nlohmann builds its error message).
  std::optional<json> parsed;
  auto body_json = [&]() -> const json* {
    if (!parsed) parsed = parse_bounded_json(response.body);
    return parsed->is_discarded() ? nullptr : &*parsed;
  };
  bool matched = false;
  for (const auto& rule : spec_op->classify) {
    if (!rule.status.contains(response.status)) continue;
    bool body_ok = true;
    for (const auto& matcher : rule.body) {
      body_ok = body_ok && matcher.matches(response.body, matcher.needs_json() ? body_json() : nullptr);
    }
    if (!body_ok) continue;
    result.outcome = rule.outcome;
    result.error = rule.error;
    matched = true;
    break;
  }
  if (!matched) {
    // No rule says what this response means: it may or may not have taken effect.
    result.outcome = Outcome::Info;
    result.error = "unclassified";
  }
  if (spec_op->extract.empty()) return result;
  for (const auto& [name, extraction] : spec_op->extract) {
    std::optional<json> value = extracted_value(extraction, response, body_json);
    if (!value) continue;
    std::string problem;
    try {
      value = apply_filters(std::move(*value), extraction.convert);
    } catch (const ConversionError& error) {
      problem = "value-unconvertible: " + name + " " + error.what();
    }
    if (problem.empty()) {
      if (const std::string text = out_of_int64_range(*value); !text.empty()) problem = "value-out-of-range: " + name + " " + text;
    }
    if (!problem.empty()) {
      // No checker may see a value that is not what the service said.
      result.outcome = Outcome::Info;
      result.error = problem;
      result.extracted = json::object();
      return result;
    }
    result.extracted[name] = std::move(*value);
  }
  return result;
}

void check_scenario(const Spec& spec, const Scenario& scenario, int account_count) {
  const int instances = static_cast<int>(spec.base_urls.size());
  for (std::size_t c = 0; c < scenario.clients.size(); ++c) {
    const ClientProgram& client = scenario.clients[c];
    std::string cp = "/clients/" + std::to_string(c);
    if (client.instance < -1 || client.instance >= instances) {
      throw ScenarioError(cp + "/instance", "expected -1 or an instance 0-" + std::to_string(instances - 1));
    }
    for (std::size_t k = 0; k < client.ops.size(); ++k) {
      const ScenarioOp& op = client.ops[k];
      std::string op_pointer = cp + "/ops/" + std::to_string(k);
      const OperationSpec* spec_op = spec.find_operation(op.f);
      if (spec_op == nullptr) throw ScenarioError(op_pointer + "/f", "no operation named \"" + op.f + "\" in the spec");
      if (spec_op->instance >= instances) {
        throw ScenarioError(op_pointer + "/f", "operation \"" + op.f + "\" goes to instance " +
                                                   std::to_string(spec_op->instance) + ", but there are " +
                                                   std::to_string(instances) + " base URLs");
      }
      for (const auto& arg : spec_op->args) {
        if (!op.args.contains(arg)) throw ScenarioError(op_pointer + "/args/" + arg, "missing (the template uses {" + arg + "})");
        if (const std::string problem = argument_type_problem(spec, arg, op.args[arg]); !problem.empty())
          throw ScenarioError(op_pointer + "/args/" + arg, problem);
      }
      if (!op.args.contains("account")) continue;
      const json& account_arg = op.args["account"];
      if (!account_arg.is_number_integer() || account_arg.get<std::int64_t>() < 0 ||
          account_arg.get<std::int64_t>() >= account_count) {
        throw ScenarioError(op_pointer + "/args/account", "expected an account index 0-" + std::to_string(account_count - 1));
      }
    }
  }
}

}  // namespace racecheck
