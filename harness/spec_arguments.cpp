// Readers for typed values in the spec: the "arguments" domains, the body
// encodings of a request template ("form", "raw", "query") and the object
// form of an extraction. docs/spec.md: "Arguments", "Conversions",
// "Extraction", "Bodies and query".
#include <algorithm>
#include <cctype>

#include "harness/conversions.h"
#include "harness/spec_reader.h"

namespace racecheck::spec_reading {
namespace {

constexpr std::int64_t kMaxGeneratedLength = 4096;

}  // namespace

void SpecReader::read_body_encodings(const json& j, const std::string& pointer, RequestTemplate* r) const {
  // Field name -> value template, in spec order.
  auto fields = [&](const char* key) {
    const std::string p = child(pointer, key);
    expect_object(j[key], p);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& item : j[key].items()) {
      const std::string fp = child(p, item.key());
      if (item.key().empty()) fail(fp, "empty field name");
      out.push_back({item.key(), string_value(item.value(), fp, /*allow_empty=*/true)});
    }
    return out;
  };
  if (j.contains("form")) r->form = fields("form");
  if (j.contains("query")) r->query = fields("query");
  if (j.contains("raw")) r->raw = string_value(j["raw"], child(pointer, "raw"), /*allow_empty=*/true);
  const int bodies = (r->body ? 1 : 0) + (r->form ? 1 : 0) + (r->raw ? 1 : 0);
  if (bodies > 1) {
    fail(child(pointer, r->raw ? "raw" : "form"), "a request has one body: use only one of \"body\", \"form\" and \"raw\"");
  }
}

Extraction SpecReader::extraction_value(const json& j, const std::string& pointer) const {
  Extraction e;
  if (j.is_string()) {
    e.pointer = json_pointer_value(j, pointer);
    return e;
  }
  if (!j.is_object()) {
    fail(pointer, std::string("expected a string, got ") + j.type_name() +
                      " (an extraction is a JSON pointer such as \"/balance\" or {\"pointer\"|\"header\", \"convert\": [...]})");
  }
  check_keys(j, pointer, {"pointer", "header", "convert"});
  if (j.contains("pointer") == j.contains("header")) fail(pointer, "expected exactly one of \"pointer\" and \"header\"");
  if (j.contains("pointer")) e.pointer = json_pointer_value(j["pointer"], child(pointer, "pointer"));
  if (j.contains("header")) {
    const std::string hp = child(pointer, "header");
    e.header = string_value(j["header"], hp);
    for (char c : e.header) {
      bool token = std::isalnum(static_cast<unsigned char>(c)) || std::string("!#$%&'*+-.^_`|~").find(c) != std::string::npos;
      if (!token) fail(hp, "\"" + e.header + "\" is not an HTTP header name");
    }
  }
  if (j.contains("convert")) {
    const std::string cp = child(pointer, "convert");
    if (!j["convert"].is_array()) fail(cp, "expected an array of conversions such as [\"base64-decode\", \"integer\"]");
    for (std::size_t i = 0; i < j["convert"].size(); ++i) {
      std::string filter = string_value(j["convert"][i], child(cp, i));
      if (std::string problem = filter_problem(filter); !problem.empty()) fail(child(cp, i), problem);
      e.convert.push_back(std::move(filter));
    }
  }
  return e;
}

ArgumentSpec SpecReader::argument_value(const json& j, const std::string& pointer) const {
  expect_object(j, pointer);
  const std::string tp = child(pointer, "type");
  if (!j.contains("type")) fail(tp, "missing (expected \"integer\", \"string\", \"uuid\", \"bytes\" or \"decimal\")");
  const std::string type = string_value(j["type"], tp);
  ArgumentSpec a;
  auto length = [&](Range fallback) {
    return j.contains("length") ? range_value(j["length"], child(pointer, "length"), 0, kMaxGeneratedLength) : fallback;
  };
  auto required = [&](const char* key, const std::string& what) -> const json& {
    if (!j.contains(key)) fail(child(pointer, key), "missing (" + what + ")");
    return j[key];
  };
  if (type == "integer") {
    check_keys(j, pointer, {"type", "min", "max"});
    a.min = integer_value(required("min", "the smallest value"), child(pointer, "min"), INT64_MIN, INT64_MAX);
    a.max = integer_value(required("max", "the largest value"), child(pointer, "max"), INT64_MIN, INT64_MAX);
    if (a.min > a.max) fail(child(pointer, "max"), "is less than min");
  } else if (type == "string") {
    check_keys(j, pointer, {"type", "choices", "length"});
    if (j.contains("choices") && j.contains("length")) fail(pointer, "use either \"choices\" or \"length\", not both");
    a.type = ArgumentType::String;
    a.length = length({1, 8});
    if (j.contains("choices")) {
      const std::string cp = child(pointer, "choices");
      if (!j["choices"].is_array() || j["choices"].empty()) fail(cp, "expected a non-empty array of strings");
      for (std::size_t i = 0; i < j["choices"].size(); ++i)
        a.choices.push_back(string_value(j["choices"][i], child(cp, i), /*allow_empty=*/true));
    }
  } else if (type == "uuid") {
    check_keys(j, pointer, {"type"});
    a.type = ArgumentType::Uuid;
  } else if (type == "bytes") {
    check_keys(j, pointer, {"type", "length"});
    a.type = ArgumentType::Bytes;
    a.length = length({1, 16});
  } else if (type == "decimal") {
    check_keys(j, pointer, {"type", "scale", "min", "max"});
    a.type = ArgumentType::Decimal;
    a.scale = static_cast<int>(integer_value(required("scale", "the number of decimal places, 0-18"),
                                             child(pointer, "scale"), 0, 18));
    // min and max are text so that they stay exact; held as units of 10^-scale.
    auto units = [&](const char* key) -> std::int64_t {
      const std::string p = child(pointer, key);
      const std::string text = string_value(required(key, "a decimal string such as \"0.01\""), p);
      try {
        std::string exact = apply_filter(text, "decimal:" + std::to_string(a.scale)).get<std::string>();
        exact.erase(std::remove(exact.begin(), exact.end(), '.'), exact.end());
        if (std::optional<std::int64_t> n = parse_int64(exact)) return *n;
      } catch (const ConversionError&) {
      }
      fail(p, "expected a decimal string with at most " + std::to_string(a.scale) + " places (scale), got \"" + text + "\"");
    };
    a.min = units("min");
    a.max = units("max");
    if (a.min > a.max) fail(child(pointer, "max"), "is less than min");
  } else {
    fail(tp, "expected \"integer\", \"string\", \"uuid\", \"bytes\" or \"decimal\", got \"" + type + "\"");
  }
  return a;
}

// "hostile": false | true | {"probability", "operations", "values", "invalid_errors"}.
HostileSpec SpecReader::hostile_value(const json& j, const std::string& pointer, const Spec& spec) const {
  HostileSpec h;
  if (j.is_boolean()) {
    h.enabled = j.get<bool>();
    return h;
  }
  if (!j.is_object()) fail(pointer, std::string("expected true, false or an object, got ") + j.type_name());
  check_keys(j, pointer, {"enabled", "probability", "operations", "values", "invalid_errors"});
  if (j.contains("enabled")) h.enabled = bool_value(j["enabled"], child(pointer, "enabled"));
  if (j.contains("probability")) {
    h.probability = number_value(j["probability"], child(pointer, "probability"), 0, 1, "expected a probability 0-1");
  }
  auto strings = [&](const char* key) {
    const std::string p = child(pointer, key);
    if (!j[key].is_array()) fail(p, std::string("expected an array of strings, got ") + j[key].type_name());
    std::vector<std::string> out;
    for (std::size_t i = 0; i < j[key].size(); ++i) out.push_back(string_value(j[key][i], child(p, i)));
    return out;
  };
  if (j.contains("operations")) {
    h.operations = strings("operations");
    for (std::size_t i = 0; i < h.operations.size(); ++i) {
      if (spec.find_operation(h.operations[i]) == nullptr)
        fail(child(child(pointer, "operations"), i), "no operation \"" + h.operations[i] + "\" in /operations");
    }
  }
  if (j.contains("invalid_errors")) h.invalid_errors = strings("invalid_errors");
  if (j.contains("values")) {
    const std::string p = child(pointer, "values");
    if (!j["values"].is_array()) fail(p, std::string("expected an array of JSON values, got ") + j["values"].type_name());
    for (const json& v : j["values"]) h.values.push_back(v);
  }
  if (!h.enabled) h.enabled = true;  // an object turns them on
  return h;
}

// "arguments": placeholder name -> domain. Undeclared placeholders keep the
// generator's defaults (integers from generator.amount, a pool of names).
void SpecReader::read_arguments(const json& j, Spec& spec) const {
  if (!j.contains("arguments")) return;
  expect_object(j["arguments"], "/arguments");
  for (const auto& item : j["arguments"].items()) {
    const std::string p = child("/arguments", item.key());
    check_argument_name(item.key(), p);
    if (item.key() == "account" || item.key() == "key" || item.key() == "index" || item.key() == "initial_balance") {
      fail(p, "\"" + item.key() + "\" is a reserved placeholder name, not an argument");
    }
    spec.arguments.push_back({item.key(), argument_value(item.value(), p)});
  }
}

}  // namespace racecheck::spec_reading
