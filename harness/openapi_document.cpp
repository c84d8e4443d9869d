#include "harness/openapi_document.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "harness/spec.h"

namespace racecheck {

using nlohmann::json;

namespace {

// A plain (unquoted) YAML scalar typed by the YAML 1.2 core schema, so
// `200`, `true` and `null` in YAML mean what they mean in the JSON form.
json plain_scalar(const std::string& text) {
  static const std::regex null_form("~|null|Null|NULL|");
  static const std::regex true_form("true|True|TRUE");
  static const std::regex false_form("false|False|FALSE");
  static const std::regex int_form("[-+]?[0-9]+");
  static const std::regex float_form(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (std::regex_match(text, null_form)) return nullptr;
  if (std::regex_match(text, true_form)) return true;
  if (std::regex_match(text, false_form)) return false;
  if (std::regex_match(text, int_form)) {
    errno = 0;
    const long long v = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == 0) return v;
  }
  if (std::regex_match(text, float_form)) return std::strtod(text.c_str(), nullptr);
  return text;
}

json yaml_to_json(const YAML::Node& node, const std::string& file, const std::string& pointer, int depth) {
  if (depth > 200) throw SpecError(file, pointer, "nested more than 200 levels deep");
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return node.Tag() == "?" ? plain_scalar(node.Scalar()) : json(node.Scalar());
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (std::size_t i = 0; i < node.size(); ++i)
        out.push_back(yaml_to_json(node[i], file, pointer + "/" + std::to_string(i), depth + 1));
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& item : node) {
        if (!item.first.IsScalar()) throw SpecError(file, pointer, "a mapping key that is not a plain string");
        const std::string key = item.first.Scalar();
        const std::string p = pointer_child(pointer, key);
        if (out.contains(key)) throw SpecError(file, p, "duplicate key \"" + key + "\"");
        out[key] = yaml_to_json(item.second, file, p, depth + 1);
      }
      return out;
    }
  }
  return nullptr;
}

bool looks_like_json(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  return first != std::string::npos && (text[first] == '{' || text[first] == '[');
}

void merge_into(json& target, const json& part) {
  for (const auto& item : part.items()) {
    if (item.key() == "properties" && item.value().is_object()) {
      for (const auto& prop : item.value().items()) target["properties"][prop.key()] = prop.value();
    } else if (item.key() == "required" && item.value().is_array()) {
      for (const auto& name : item.value())
        if (!target.contains("required") || std::find(target["required"].begin(), target["required"].end(), name) ==
                                                target["required"].end())
          target["required"].push_back(name);
    } else {
      target[item.key()] = item.value();
    }
  }
}

}  // namespace

std::string pointer_child(const std::string& pointer, const std::string& token) {
  std::string escaped;
  for (char c : token) {
    if (c == '~') escaped += "~0";
    else if (c == '/') escaped += "~1";
    else escaped += c;
  }
  return pointer + "/" + escaped;
}

OpenApiDocument::OpenApiDocument(json root, std::string file) : root_(std::move(root)), file_(std::move(file)) {}

OpenApiDocument OpenApiDocument::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SpecError(path, "", "cannot read the OpenAPI document");
  std::ostringstream text;
  text << in.rdbuf();
  return from_text(text.str(), path);
}

OpenApiDocument OpenApiDocument::from_text(const std::string& text, const std::string& file_name) {
  json root;
  if (looks_like_json(text)) {
    try {
      root = json::parse(text);
    } catch (const json::parse_error& e) {
      throw SpecError(file_name, "", std::string("invalid JSON: ") + e.what());
    }
  } else {
    try {
      root = yaml_to_json(YAML::Load(text), file_name, "", 0);
    } catch (const YAML::Exception& e) {
      throw SpecError(file_name, "",
                      "invalid YAML at line " + std::to_string(e.mark.line + 1) + ", column " +
                          std::to_string(e.mark.column + 1) + ": " + e.msg);
    }
  }
  OpenApiDocument doc(std::move(root), file_name);
  if (!doc.root_.is_object()) doc.fail("", "expected an OpenAPI document (an object with \"openapi\" and \"paths\")");
  const json& version = doc.root_.contains("openapi") ? doc.root_["openapi"] : json();
  if (!version.is_string() || (version.get<std::string>().rfind("3.0", 0) != 0 && version.get<std::string>().rfind("3.1", 0) != 0))
    doc.fail("/openapi", "expected an OpenAPI version \"3.0.x\" or \"3.1.x\" (Swagger 2.0 documents are not read)");
  if (!doc.root_.contains("paths") || !doc.root_["paths"].is_object()) doc.fail("/paths", "expected an object of paths");
  return doc;
}

void OpenApiDocument::fail(const std::string& pointer, const std::string& reason) const {
  throw SpecError(file_, pointer, reason);
}

const json& OpenApiDocument::resolve(const json& value, std::string& pointer) const {
  const json* current = &value;
  for (int hops = 0; current->is_object() && current->contains("$ref"); ++hops) {
    const std::string ref_pointer = pointer + "/$ref";
    if (hops >= 32) fail(ref_pointer, "a chain of more than 32 $refs (a $ref loop?)");
    const json& ref = (*current)["$ref"];
    if (!ref.is_string()) fail(ref_pointer, "expected a string");
    const std::string target = ref.get<std::string>();
    if (target.rfind("#/", 0) != 0)
      fail(ref_pointer, "\"" + target + "\": only references inside this document (\"#/...\") are followed");
    try {
      const json::json_pointer where(target.substr(1));
      if (!root_.contains(where)) fail(ref_pointer, "\"" + target + "\" names nothing in this document");
      current = &root_.at(where);
    } catch (const json::exception&) {
      fail(ref_pointer, "\"" + target + "\" is not a valid JSON pointer");
    }
    pointer = target.substr(1);
  }
  return *current;
}

json OpenApiDocument::flatten_schema(const json& schema, const std::string& pointer) const {
  return flatten(schema, pointer, 0);
}

json OpenApiDocument::flatten(const json& schema, const std::string& pointer, int depth) const {
  std::string where = pointer;
  const json& resolved = resolve(schema, where);
  // Recursive schemas (a node whose children are nodes) end here: a request
  // body racecheck sends is never that deep.
  if (depth > 16 || !resolved.is_object()) return resolved.is_object() ? json::object() : resolved;
  json out = json::object();
  for (const auto& item : resolved.items())
    if (item.key() != "allOf" && item.key() != "properties") out[item.key()] = item.value();
  if (resolved.contains("allOf")) {
    const json& parts = resolved["allOf"];
    if (!parts.is_array()) fail(where + "/allOf", "expected an array of schemas");
    for (std::size_t i = 0; i < parts.size(); ++i)
      merge_into(out, flatten(parts[i], where + "/allOf/" + std::to_string(i), depth + 1));
  }
  if (resolved.contains("properties")) {
    const json& props = resolved["properties"];
    if (!props.is_object()) fail(where + "/properties", "expected an object of schemas");
    for (const auto& prop : props.items())
      out["properties"][prop.key()] = flatten(prop.value(), pointer_child(where + "/properties", prop.key()), depth + 1);
  }
  if (out.contains("required") && !out["required"].is_array()) fail(where + "/required", "expected an array of names");
  return out;
}

}  // namespace racecheck
