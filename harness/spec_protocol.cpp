#include "harness/spec_protocol.h"

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

std::string percent_encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

json lookup_or_throw(const PlaceholderLookup& lookup, const std::string& name) {
  std::optional<json> value = lookup(name);
  if (!value) throw RenderError("no value for placeholder {" + name + "}");
  return *value;
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
      std::string text_value = placeholder_text(lookup_or_throw(lookup, text.substr(i + 1, close - i - 1)));
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

json render_body(const json& body, const PlaceholderLookup& lookup) {
  if (body.is_string()) {
    const std::string& text = body.get_ref<const std::string&>();
    std::string name;
    if (is_single_placeholder(text, &name)) return lookup_or_throw(lookup, name);
    return interpolate(text, lookup, nullptr);
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

// CR or LF would end the header line early (and let the value write headers of
// its own); libcurl takes a C string, so a NUL would cut it. The message names
// the placeholder whose value brought the character in.
void check_header_value(const std::string& name, const std::string& value_template, const std::string& value,
                        const PlaceholderLookup& lookup) {
  static constexpr std::string_view kBad("\r\n\0", 3);
  if (value.find_first_of(kBad) == std::string::npos) return;
  std::string culprit;
  for (const std::string& placeholder : template_placeholders(value_template)) {
    std::optional<json> v = lookup(placeholder);
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

}  // namespace

json render_value(const json& value_template, const PlaceholderLookup& lookup) {
  return render_body(value_template, lookup);
}

std::string placeholder_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
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
  out.url = base_url + interpolate(request.path, with_secrets, percent_encode);
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
  if (request.body) {
    out.body = render_body(*request.body, with_secrets).dump();
    bool has_content_type = false;
    for (const auto& [name, value] : out.headers) has_content_type |= lower(name) == "content-type";
    if (!has_content_type) out.headers.push_back({"Content-Type", "application/json"});
  }
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

HttpRequest SpecProtocol::render(const ScenarioOp& op, int instance) const {
  const OperationSpec* spec_op = spec_.find_operation(op.f);
  if (spec_op == nullptr) throw RenderError("no operation named \"" + op.f + "\" in the spec");
  return render_template(op, spec_op->request, instance, json::object());
}

PlaceholderLookup SpecProtocol::placeholder_lookup(const ScenarioOp& op, const json& captured) const {
  PlaceholderLookup lookup = [this, &op, &captured](const std::string& name) -> std::optional<json> {
    if (captured.contains(name)) return captured[name];
    if (name == "key") return json(op.key);
    if (name == "account") {
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
  if (const json* body = body_json()) {
    for (const auto& [name, pointer] : spec_op->extract) {
      json::json_pointer ptr(pointer);
      if (!body->contains(ptr)) continue;
      const json& value = body->at(ptr);
      if (const std::string text = out_of_int64_range(value); !text.empty()) {
        result.outcome = Outcome::Info;
        result.error = "value-out-of-range: " + name + " " + text;
        result.extracted = json::object();
        return result;
      }
      result.extracted[name] = value;
    }
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
      for (const auto& arg : spec_op->args) {
        if (!op.args.contains(arg)) throw ScenarioError(op_pointer + "/args/" + arg, "missing (the template uses {" + arg + "})");
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
